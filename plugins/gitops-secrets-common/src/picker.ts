import type { Health } from './model';

/*
 * The picker routes' wire types (`GET /api/gitops-secrets/picker/...`): what the backend answers and the
 * scaffolder field extensions read — one contract for both sides.
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
