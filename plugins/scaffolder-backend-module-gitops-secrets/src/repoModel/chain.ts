/*
 * The repository's own ordered infrastructure chain, when it has one: a Flux
 * Kustomization that installs charts and waits for them (`wait: true`), and
 * one that `dependsOn` it and applies only custom resources — the
 * controllers → configs pattern of Flux's examples and many fleets. Adding
 * ESO there is what a person would do: the operator into the first step,
 * the store into the second, one line in each kustomization.yaml.
 */
import { BOOTSTRAP_NAMES } from '@golden-gitops/plugin-gitops-secrets-common';
import { ClusterModel, FluxKustomizationInfo } from './types';

/** The bootstrap's own chain: re-rendered as it is, never extended as "the repository's" chain. */
const OWN_CHAIN = new Set<string>([
  BOOTSTRAP_NAMES.crds,
  BOOTSTRAP_NAMES.operator,
  BOOTSTRAP_NAMES.crs,
]);

export interface InfrastructureChain {
  controllers: FluxKustomizationInfo;
  configs: FluxKustomizationInfo;
  /** Other Flux objects (other clusters) that apply the same folders: they get ESO too. */
  sharedWith: string[];
}

const keyOf = (k: FluxKustomizationInfo) =>
  `${k.namespace ?? 'flux-system'}/${k.name}`;

export function findInfrastructureChain(
  model: ClusterModel,
): InfrastructureChain | undefined {
  // Where the bootstrap's own chain already runs, a re-run keeps it (idempotent) rather than moving ESO.
  if (model.kustomizations.some(k => OWN_CHAIN.has(k.name))) return undefined;
  const followed = model.kustomizations.filter(
    k =>
      k.path !== undefined &&
      !k.remoteCluster &&
      !k.targetNamespace &&
      !k.substituteFrom &&
      !(k.path! in model.kustomizeNamespaces) &&
      model.filesRead.includes(`${k.path}/kustomization.yaml`),
  );
  const applied = (k: FluxKustomizationInfo) =>
    model.objects.filter(o => o.appliedBy === keyOf(k));
  for (const controllers of followed) {
    if (controllers.wait !== true) continue;
    const installs = applied(controllers).filter(o => o.kind === 'HelmRelease');
    if (!installs.length) continue;
    for (const configs of followed) {
      if (configs === controllers) continue;
      const waits = configs.dependsOn.some(
        d =>
          d.name === controllers.name &&
          (d.namespace ?? configs.namespace) === controllers.namespace,
      );
      const objects = applied(configs);
      if (
        !waits ||
        !objects.length ||
        objects.some(
          o => o.kind === 'HelmRelease' || o.kind === 'Kustomization',
        )
      )
        continue;
      const paths = new Set([controllers.path, configs.path]);
      const sharedWith = model.appliedPaths
        .filter(
          a =>
            paths.has(a.path) &&
            a.file !== controllers.file &&
            a.file !== configs.file,
        )
        .map(a => `${a.by} (${a.file}) applies ${a.path}`);
      return { controllers, configs, sharedWith };
    }
  }
  return undefined;
}
