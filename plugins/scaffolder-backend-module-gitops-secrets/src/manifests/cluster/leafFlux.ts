import { KubeObject } from './capi';

/*
 * What the leaf's own Flux path (`<clustersPath>/<namespace>/<name>`, the `--path` of its
 * bootstrap) holds besides the `flux-system/` folder `flux bootstrap` adds: a Flux
 * Kustomization that applies the shared secrets bootstrap, the way WGE's
 * `clusters-bases-kustomization.yaml` applied `clusters/bases` to every leaf.
 *
 * The shared folder is the output of `gitops:secrets:bootstrap` run once with it as the
 * cluster path: ESO's three steps (CRDs → operator → CRs, each waiting for the one before) and
 * the store reading the credentials Secret the ClusterResourceSet copied in. Every leaf applies
 * the same chain, so it is race-free in the same way, and upgrading ESO is one change.
 */

export const FLUX_KUSTOMIZATION_API_VERSION = 'kustomize.toolkit.fluxcd.io/v1';

export interface LeafSecretsKustomizationOptions {
  /** Repository folder holding the shared secrets bootstrap, e.g. `clusters/bases/secrets`. */
  path: string;
  name?: string;
  /** The GitRepository `flux bootstrap` creates on the leaf. */
  sourceName?: string;
}

export function buildLeafSecretsKustomization(
  o: LeafSecretsKustomizationOptions,
): KubeObject {
  return {
    apiVersion: FLUX_KUSTOMIZATION_API_VERSION,
    kind: 'Kustomization',
    metadata: { name: o.name ?? 'secrets-bootstrap', namespace: 'flux-system' },
    spec: {
      interval: '10m',
      retryInterval: '1m',
      // Flux paths are relative to the repository root (the seed's `../` was a bug).
      path: `./${o.path}`,
      prune: true,
      // Ready only when the chain it applies is Ready: apps can dependsOn it.
      wait: true,
      timeout: '10m',
      sourceRef: { kind: 'GitRepository', name: o.sourceName ?? 'flux-system' },
    },
  };
}
