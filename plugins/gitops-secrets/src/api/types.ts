import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ClusterStatus,
  ClusterSummary,
  EntityStatusResponse,
} from '@golden-gitops/plugin-gitops-secrets-common';

/** Options for every {@link GitopsSecretsApi} call. @public */
export interface GitopsSecretsRequestOptions {
  /** Aborts the request, e.g. when the card unmounts or a newer poll starts. */
  signal?: AbortSignal;
}

/**
 * Reads ESO and Flux status from the gitops-secrets backend. Every answer is
 * per cluster: one broken cluster is an `error` on its own `ClusterStatus`,
 * never a rejected promise.
 *
 * @public
 */
export interface GitopsSecretsApi {
  /** Status of every cluster an entity maps to (`GET /entities/:namespace/:kind/:name/status`). */
  getEntityStatus(
    entity: CompoundEntityRef,
    options?: GitopsSecretsRequestOptions,
  ): Promise<EntityStatusResponse>;
  /** The configured clusters, in short form (`GET /clusters`). */
  getClusters(options?: GitopsSecretsRequestOptions): Promise<ClusterSummary[]>;
  /** One cluster's full status (`GET /clusters/:name/status`). */
  getClusterStatus(
    cluster: string,
    options?: GitopsSecretsRequestOptions,
  ): Promise<ClusterStatus>;
}

/** @public */
export const gitopsSecretsApiRef = createApiRef<GitopsSecretsApi>({
  id: 'plugin.gitops-secrets.service',
});
