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
} from '@golden-gitops/plugin-gitops-secrets-common';

/*
 * The picker routes' wire types (`/picker/...`, plugins/gitops-secrets-backend/src/service/pickerRoutes.ts): the
 * backend does not export them from -common yet, so the frontend keeps its copy here.
 */

/** One cluster as the GitopsClusterPicker lists it (`GET /picker/clusters`). @public */
export interface PickerCluster {
  /** Name configured in the backend. */
  name: string;
  /** Its catalog entity (`resource:<namespace>/<name>`), when the catalog has one. */
  entityRef?: string;
  /** Its folder in the GitOps repository (`gitops-secrets.io/cluster-path`). */
  clusterPath?: string;
  reachable: boolean;
  health: Health;
  /** Flux objects seen on the cluster (0: no Flux, or none the backend can read). */
  flux: { objects: number };
  eso: { installed: boolean; ready: boolean; stores: number };
}

/** One store as the SecretStorePicker lists it (`GET /picker/clusters/:name/stores`). @public */
export interface PickerStore {
  kind: 'ClusterSecretStore' | 'SecretStore';
  name: string;
  namespace?: string;
  provider?: string;
  health: Health;
  ready: boolean;
  reason?: string;
  message?: string;
}

/** One declared parameter of a leaf-cluster template (`spec.params`). @public */
export interface PickerTemplateParam {
  name: string;
  description?: string;
  required: boolean;
  /** The only values allowed, when the template lists them. */
  options?: string[];
  default?: string;
}

/** One CAPITemplate or GitOpsTemplate of a management cluster (`GET /picker/clusters/:name/templates`). @public */
export interface PickerTemplate {
  kind: 'CAPITemplate' | 'GitOpsTemplate';
  name: string;
  namespace?: string;
  description?: string;
  /** Read from the cluster (status cache) or from the GitOps repository. */
  source: 'cluster' | 'repository';
  /** Its file in the repository, when read from there. */
  path?: string;
  params: PickerTemplateParam[];
}

/** A page of picker entries. @public */
export interface PickerPage<T> {
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

/** The stores page also says which cluster answered and whether it was reachable. @public */
export interface PickerStorePage extends PickerPage<PickerStore> {
  cluster?: string;
  reachable?: boolean;
}

/** The templates page says where the list came from, and why it may be empty. @public */
export interface PickerTemplatePage extends PickerPage<PickerTemplate> {
  source: 'cluster' | 'repository' | 'none';
  message?: string;
}

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
