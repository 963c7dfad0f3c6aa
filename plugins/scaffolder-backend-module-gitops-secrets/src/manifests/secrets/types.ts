/*
 * The manifests the secrets actions write, typed after the upstream CRDs
 * (Flux 2.9: source.toolkit.fluxcd.io/v1, kustomize.toolkit.fluxcd.io/v1,
 * helm.toolkit.fluxcd.io/v2; ESO 2.9: external-secrets.io/v1). Only the
 * fields the actions set are declared.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface Namespace extends K8sObject {
  apiVersion: 'v1';
  kind: 'Namespace';
}

export interface LocalObjectReference {
  name: string;
}

export interface CrossNamespaceSourceReference {
  kind: 'GitRepository' | 'OCIRepository' | 'Bucket' | 'HelmRepository';
  name: string;
  namespace?: string;
}

export interface GitRepository extends K8sObject {
  apiVersion: 'source.toolkit.fluxcd.io/v1';
  kind: 'GitRepository';
  spec: {
    url: string;
    interval: string;
    timeout?: string;
    ref: { tag?: string; branch?: string; commit?: string; semver?: string };
    ignore?: string;
  };
}

export interface HelmRepository extends K8sObject {
  apiVersion: 'source.toolkit.fluxcd.io/v1';
  kind: 'HelmRepository';
  spec: { url: string; interval: string };
}

export interface OCIRepository extends K8sObject {
  apiVersion: 'source.toolkit.fluxcd.io/v1';
  kind: 'OCIRepository';
  spec: {
    url: string;
    interval: string;
    ref: { tag?: string; semver?: string; digest?: string };
    layerSelector?: { mediaType: string; operation: 'extract' | 'copy' };
  };
}

export interface HealthCheckExpression {
  apiVersion: string;
  kind: string;
  current: string;
  failed?: string;
  inProgress?: string;
}

export interface FluxKustomization extends K8sObject {
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1';
  kind: 'Kustomization';
  spec: {
    interval: string;
    retryInterval?: string;
    timeout?: string;
    path: string;
    prune: boolean;
    wait?: boolean;
    sourceRef: CrossNamespaceSourceReference;
    dependsOn?: Array<{ name: string; namespace?: string }>;
    healthCheckExprs?: HealthCheckExpression[];
    commonMetadata?: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
  };
}

export interface HelmRelease extends K8sObject {
  apiVersion: 'helm.toolkit.fluxcd.io/v2';
  kind: 'HelmRelease';
  spec: {
    interval: string;
    releaseName: string;
    targetNamespace: string;
    storageNamespace: string;
    chart?: {
      spec: {
        chart: string;
        version: string;
        sourceRef: { kind: 'HelmRepository'; name: string; namespace?: string };
        interval?: string;
      };
    };
    chartRef?: { kind: 'OCIRepository'; name: string; namespace?: string };
    install: {
      crds: 'Skip' | 'Create' | 'CreateReplace';
      createNamespace?: boolean;
      remediation?: { retries: number };
    };
    upgrade: {
      crds: 'Skip' | 'Create' | 'CreateReplace';
      remediation?: { retries: number };
    };
    values: Record<string, unknown>;
  };
}

/** `kustomize.config.k8s.io/v1beta1` Kustomization: the kustomize file, not Flux's object. */
export interface KustomizeConfig {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  resources: string[];
}

export interface SecretKeySelector {
  name: string;
  key: string;
  namespace?: string;
}

export interface ServiceAccountSelector {
  name: string;
  namespace?: string;
}

export interface AwsProvider {
  service: 'SecretsManager' | 'ParameterStore';
  region: string;
  role?: string;
  auth?: {
    secretRef?: {
      accessKeyIDSecretRef: SecretKeySelector;
      secretAccessKeySecretRef: SecretKeySelector;
      sessionTokenSecretRef?: SecretKeySelector;
    };
    jwt?: { serviceAccountRef: ServiceAccountSelector };
  };
}

export interface VaultProvider {
  server: string;
  path: string;
  version: 'v1' | 'v2';
  namespace?: string;
  auth: {
    tokenSecretRef?: SecretKeySelector;
    kubernetes?: {
      mountPath: string;
      role: string;
      serviceAccountRef?: ServiceAccountSelector;
    };
    appRole?: { path: string; roleId: string; secretRef: SecretKeySelector };
  };
}

export interface GcpProvider {
  projectID: string;
  location?: string;
  auth?: {
    secretRef?: { secretAccessKeySecretRef: SecretKeySelector };
    workloadIdentity?: {
      clusterLocation?: string;
      clusterName?: string;
      clusterProjectID?: string;
      serviceAccountRef: ServiceAccountSelector;
    };
  };
}

export interface AzureProvider {
  vaultUrl: string;
  tenantId?: string;
  environmentType?: 'PublicCloud' | 'USGovernmentCloud' | 'ChinaCloud';
  authType: 'ServicePrincipal' | 'ManagedIdentity' | 'WorkloadIdentity';
  authSecretRef?: {
    clientId: SecretKeySelector;
    clientSecret: SecretKeySelector;
  };
  identityId?: string;
  serviceAccountRef?: ServiceAccountSelector;
}

export interface SecretStoreProvider {
  aws?: AwsProvider;
  vault?: VaultProvider;
  gcpsm?: GcpProvider;
  azurekv?: AzureProvider;
}

export interface SecretStore extends K8sObject {
  apiVersion: 'external-secrets.io/v1';
  kind: 'SecretStore' | 'ClusterSecretStore';
  spec: { provider: SecretStoreProvider };
}

export interface ExternalSecretRemoteRef {
  key: string;
  property?: string;
  version?: string;
}

export interface ExternalSecret extends K8sObject {
  apiVersion: 'external-secrets.io/v1';
  kind: 'ExternalSecret';
  spec: {
    refreshInterval: string;
    secretStoreRef: {
      kind: 'SecretStore' | 'ClusterSecretStore';
      name: string;
    };
    target: {
      name: string;
      creationPolicy: 'Owner' | 'Orphan' | 'Merge' | 'None';
      deletionPolicy?: 'Retain' | 'Delete' | 'Merge';
    };
    data?: Array<{ secretKey: string; remoteRef: ExternalSecretRemoteRef }>;
    dataFrom?: Array<{ extract: ExternalSecretRemoteRef }>;
  };
}
