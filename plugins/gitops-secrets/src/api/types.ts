import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ClusterStatus,
  ClusterSummary,
  EntityStatusResponse,
  EntitySummaryResponse,
  Health,
  ObjectListKind,
  ObjectPage,
  PickerCluster,
  PickerPage,
  PickerStorePage,
  PickerTemplatePage,
} from '@golden-gitops/plugin-gitops-secrets-common';

export type {
  PickerCluster,
  PickerPage,
  PickerStore,
  PickerStorePage,
  PickerTemplate,
  PickerTemplatePage,
  PickerTemplateParam,
} from '@golden-gitops/plugin-gitops-secrets-common';

/** Paging of the picker routes (the backend's default limit is 100, at most 500). @public */
export interface PickerPageQuery {
  offset?: number;
  limit?: number;
}

/** Options for every {@link GitopsSecretsApi} call. @public */
export interface GitopsSecretsRequestOptions {
  /** Aborts the request, e.g. when the card unmounts or a newer poll starts. */
  signal?: AbortSignal;
}

/** Options of {@link GitopsSecretsApi.getEntityStatus}. @public */
export interface EntityStatusOptions extends GitopsSecretsRequestOptions {
  /** Entries per list (0–1000; the backend's default, 100, when absent). Counts and findings are always whole. */
  limit?: number;
}

/** Which page of an entity's list on one cluster to read. @public */
export interface EntityObjectsQuery {
  /** One of the entity's clusters. */
  cluster: string;
  kind: ObjectListKind;
  offset?: number;
  /** At most 500; the backend's default is 50. */
  limit?: number;
  /** Text in namespace/name (and an ExternalSecret's store and target Secret). */
  q?: string;
  health?: Health[];
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
    options?: EntityStatusOptions,
  ): Promise<EntityStatusResponse>;
  /**
   * What the card shows (`GET /entities/:namespace/:kind/:name/summary`): health, counts, findings and only the
   * worst few objects per cluster; small whatever the clusters' size.
   */
  getEntitySummary(
    entity: CompoundEntityRef,
    options?: GitopsSecretsRequestOptions,
  ): Promise<EntitySummaryResponse>;
  /** One page of the entity's list on one cluster (`GET /entities/:namespace/:kind/:name/objects`). */
  getEntityObjects<K extends ObjectListKind>(
    entity: CompoundEntityRef,
    query: EntityObjectsQuery & { kind: K },
    options?: GitopsSecretsRequestOptions,
  ): Promise<ObjectPage<K>>;
  /** The configured clusters, in short form (`GET /clusters`). */
  getClusters(options?: GitopsSecretsRequestOptions): Promise<ClusterSummary[]>;
  /** One cluster's full status (`GET /clusters/:name/status`). */
  getClusterStatus(
    cluster: string,
    options?: GitopsSecretsRequestOptions,
  ): Promise<ClusterStatus>;
  /** Clusters for the GitopsClusterPicker, with or without ESO (`GET /picker/clusters`). */
  pickerClusters(
    query?: PickerPageQuery & { eso?: 'installed' | 'absent' },
    options?: GitopsSecretsRequestOptions,
  ): Promise<PickerPage<PickerCluster>>;
  /** A cluster's ClusterSecretStores, and the SecretStores of `namespace` (`GET /picker/clusters/:name/stores`). */
  pickerStores(
    cluster: string,
    query?: PickerPageQuery & { namespace?: string },
    options?: GitopsSecretsRequestOptions,
  ): Promise<PickerStorePage>;
  /** A management cluster's CAPITemplates and GitOpsTemplates (`GET /picker/clusters/:name/templates`). */
  pickerTemplates(
    cluster: string,
    query?: PickerPageQuery,
    options?: GitopsSecretsRequestOptions,
  ): Promise<PickerTemplatePage>;
}

/** @public */
export const gitopsSecretsApiRef = createApiRef<GitopsSecretsApi>({
  id: 'plugin.gitops-secrets.service',
});
