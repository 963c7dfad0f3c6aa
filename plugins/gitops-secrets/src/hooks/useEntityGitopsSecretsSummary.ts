import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type { EntitySummaryResponse } from '@golden-gitops/plugin-gitops-secrets-common';
import { gitopsSecretsApiRef } from '../api/types';
import { PollingOptions, PollingState, usePolling } from './usePolling';

/**
 * What the card shows, polled like {@link useEntityGitopsSecretsStatus}: health, counts, findings and the worst
 * few objects per cluster — tens of KiB where the whole status of a big entity is megabytes.
 *
 * @public
 */
export function useEntityGitopsSecretsSummary(
  entity: Entity,
  options?: PollingOptions,
): PollingState<EntitySummaryResponse> {
  const api = useApi(gitopsSecretsApiRef);
  const ref = getCompoundEntityRef(entity);
  return usePolling(
    signal => api.getEntitySummary(ref, { signal }),
    [api, ref.kind, ref.namespace, ref.name],
    options,
  );
}
