/*
 * Where an ExternalSecret goes when ESO was set up by hand (not by
 * gitops:secrets:bootstrap): beside the store it uses, in the folder the
 * store's Flux Kustomization applies — provided that Kustomization runs
 * after the one that installs the operator (dependsOn, transitively) and
 * does not move objects into another namespace.
 */
import { InputError } from '@backstage/errors';
import { BOOTSTRAP_NAMES } from '@golden-gitops/plugin-gitops-secrets-common';
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { StoreFound } from '../manifests/secrets/externalSecret';
import { ClusterModel, FluxKustomizationInfo } from './types';

/** undefined: the cluster has the bootstrap's own layout (its CRs Kustomization); the action's default finds the folder. */
export async function locateStoreFolder(
  model: ClusterModel,
  input: { storeRef: { kind: string; name: string }; namespace: string },
  readFile: (path: string) => Promise<string | undefined>,
): Promise<{ crsDir: string; stores: StoreFound[] } | undefined> {
  const isK = (k: { kind: string; group: string }) =>
    k.kind === 'Kustomization' && k.group === 'kustomize.toolkit.fluxcd.io';
  if (model.objects.some(o => isK(o) && o.name === BOOTSTRAP_NAMES.crs))
    return undefined;
  const stores = model.objects.filter(
    o =>
      o.group === 'external-secrets.io' &&
      (o.kind === 'SecretStore' || o.kind === 'ClusterSecretStore'),
  );
  const store = stores.find(
    s => s.kind === input.storeRef.kind && s.name === input.storeRef.name,
  );
  if (!store) {
    const installed = model.eso.helmReleases.map(h => `${h.id} (${h.file})`);
    throw new InputError(
      `storeRef: the cluster ${model.clusterPath} applies no ${
        input.storeRef.kind
      } named "${input.storeRef.name}". Stores it applies: ${
        stores
          .map(
            s =>
              `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name} (${
                s.file
              })`,
          )
          .join(', ') || 'none'
      }. ${
        installed.length
          ? `ESO is installed by ${installed.join(', ')}.`
          : 'ESO is not installed for this cluster: run gitops:secrets:bootstrap (template eso-flux-bootstrap) first and merge its pull request.'
      }`,
    );
  }
  const byName = new Map(
    model.kustomizations.map(k => [
      `${k.namespace ?? 'flux-system'}/${k.name}`,
      k,
    ]),
  );
  const applier = byName.get(store.appliedBy);
  const operatorAppliers = new Set(
    model.eso.helmReleases.map(h => h.appliedBy),
  );
  const where = `${store.kind} ${store.name} (${store.file}, applied by ${store.appliedBy})`;
  if (!applier) {
    throw new InputError(
      `storeRef: ${where} is applied by the cluster's root, not by a Flux Kustomization that waits for the operator; an ExternalSecret beside it could be applied before ESO's CRDs and webhook are ready.`,
    );
  }
  if (operatorAppliers.has(store.appliedBy)) {
    throw new InputError(
      `storeRef: ${where} is applied by the same Flux Kustomization as the ESO HelmRelease, so nothing orders it after a ready operator; move the store into a Kustomization that dependsOn the operator's.`,
    );
  }
  // dependsOn, transitively, must reach a Kustomization that applies the operator.
  const seen = new Set<string>();
  const reaches = (k: FluxKustomizationInfo): boolean => {
    for (const d of k.dependsOn) {
      const key = `${d.namespace ?? k.namespace ?? 'flux-system'}/${d.name}`;
      if (operatorAppliers.has(key)) return true;
      if (seen.has(key)) continue;
      seen.add(key);
      const next = byName.get(key);
      if (next && reaches(next)) return true;
    }
    return false;
  };
  if (!reaches(applier)) {
    throw new InputError(
      `storeRef: ${where}: Kustomization ${
        store.appliedBy
      } does not depend (dependsOn) on ${
        [...operatorAppliers].join(', ') || 'a Kustomization that installs ESO'
      }, so an ExternalSecret applied with it could run before the operator is ready.`,
    );
  }
  // A file built more than once (several Kustomizations, or several kustomize overlays with their own namespace:)
  // would create the ExternalSecret once per build, in each build's namespace.
  const builds = [
    ...new Set(
      model.objects
        .filter(
          o =>
            o.file === store.file &&
            o.kind === store.kind &&
            o.name === store.name,
        )
        .map(o => `${o.appliedBy}${o.namespace ? ` into ${o.namespace}` : ''}`),
    ),
  ];
  if (builds.length > 1) {
    throw new InputError(
      `storeRef: ${store.file} is built ${builds.length} times (${builds.join(
        '; ',
      )}); an ExternalSecret beside the store would be created by each build, in its namespace. Put it with the app instead.`,
    );
  }
  const dir = posix.dirname(store.file);
  const kustomization = await readFile(`${dir}/kustomization.yaml`);
  const folderNamespace = kustomization
    ? (parseAllDocuments(kustomization)[0]?.toJS() ?? {}).namespace
    : undefined;
  const forced = applier.targetNamespace ?? folderNamespace;
  if (forced && forced !== input.namespace) {
    throw new InputError(
      `namespace: the folder of ${where} is applied into namespace ${forced} (${
        applier.targetNamespace
          ? `targetNamespace of Kustomization ${store.appliedBy}`
          : `namespace: in ${dir}/kustomization.yaml`
      }), so an ExternalSecret for namespace ${
        input.namespace
      } cannot go there; put it with the app in ${input.namespace}.`,
    );
  }
  return {
    crsDir: dir,
    stores: stores.map(s => ({
      kind: s.kind as StoreFound['kind'],
      name: s.name,
      namespace: s.namespace,
      path: s.file,
    })),
  };
}
