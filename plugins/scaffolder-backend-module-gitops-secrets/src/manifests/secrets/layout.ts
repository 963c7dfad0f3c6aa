import { BOOTSTRAP_NAMES } from '@golden-gitops/plugin-gitops-secrets-common';

/** Folder (under the cluster path) the bootstrap writes, and the entry added to the cluster's kustomization.yaml. */
export const BOOTSTRAP_DIR = 'external-secrets';

/**
 * Where the bootstrap writes, for a cluster folder `C` (the path its
 * flux-system Kustomization applies):
 *
 *   C/kustomization.yaml                  + "external-secrets" in resources (when the file exists)
 *   C/external-secrets/kustomization.yaml lists the four files below — never the sub-folders
 *   C/external-secrets/sources.yaml       GitRepository (CRDs, tag v<version>) + HelmRepository | OCIRepository
 *   C/external-secrets/crds.yaml          Kustomization external-secrets-crds      (step 1)
 *   C/external-secrets/operator.yaml      Kustomization external-secrets-operator  (step 2) → operator/
 *   C/external-secrets/crs.yaml           Kustomization external-secrets-crs       (step 3) → crs/
 *   C/external-secrets/operator/          Namespace + HelmRelease
 *   C/external-secrets/crs/               the store, ExternalSecrets (<namespace>/<name>.yaml), Namespaces
 */
export interface BootstrapLayout {
  clusterPath: string;
  clusterKustomization: string;
  dir: string;
  dirKustomization: string;
  sources: string;
  crds: string;
  operator: string;
  crs: string;
  operatorDir: string;
  crsDir: string;
}

export function bootstrapLayout(clusterPath: string): BootstrapLayout {
  const dir = `${clusterPath}/${BOOTSTRAP_DIR}`;
  return {
    clusterPath,
    clusterKustomization: `${clusterPath}/kustomization.yaml`,
    dir,
    dirKustomization: `${dir}/kustomization.yaml`,
    sources: `${dir}/sources.yaml`,
    crds: `${dir}/crds.yaml`,
    operator: `${dir}/operator.yaml`,
    crs: `${dir}/crs.yaml`,
    operatorDir: `${dir}/operator`,
    crsDir: `${dir}/crs`,
  };
}

/** File of a store inside the CRs folder, relative to it. */
export function storeFileName(store: {
  kind: 'SecretStore' | 'ClusterSecretStore';
  name: string;
  namespace?: string;
}): string {
  return store.kind === 'ClusterSecretStore'
    ? `cluster-secret-store-${store.name}.yaml`
    : `secret-store-${store.namespace}-${store.name}.yaml`;
}

/** File of an ExternalSecret inside the CRs folder, relative to it. */
export function externalSecretFileName(es: {
  name: string;
  namespace: string;
}): string {
  return `${es.namespace}/${es.name}.yaml`;
}

/** File of a Namespace manifest inside the CRs folder, relative to it. */
export function namespaceFileName(namespace: string): string {
  return `namespaces/${namespace}.yaml`;
}

export const CHAIN = [
  BOOTSTRAP_NAMES.crds,
  BOOTSTRAP_NAMES.operator,
  BOOTSTRAP_NAMES.crs,
] as const;
