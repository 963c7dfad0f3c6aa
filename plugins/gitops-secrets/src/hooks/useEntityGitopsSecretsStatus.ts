import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type { EntityStatusResponse } from '@golden-gitops/plugin-gitops-secrets-common';
import { gitopsSecretsApiRef } from '../api/types';
import { PollingOptions, PollingState, usePolling } from './usePolling';

/**
 * The entity's ESO and Flux status, polled (default every 30 s, paused while
 * the tab is hidden, backing off on errors).
 *
 * @public
 */
export function useEntityGitopsSecretsStatus(
  entity: Entity,
  options?: PollingOptions & {
    /** Entries per list (the backend's default when absent); `0` for counts and findings only. */
    limit?: number;
  },
): PollingState<EntityStatusResponse> {
  const api = useApi(gitopsSecretsApiRef);
  const ref = getCompoundEntityRef(entity);
  const limit = options?.limit;
  return usePolling(
    signal => api.getEntityStatus(ref, { signal, limit }),
    [api, ref.kind, ref.namespace, ref.name, limit],
    options,
  );
}
