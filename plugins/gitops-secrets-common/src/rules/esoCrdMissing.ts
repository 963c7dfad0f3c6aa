/**
 * ESO_CRD_MISSING: some ESO CRDs exist but one of the core ones is gone.
 * Deleting a CRD deletes every object of its kind, so a vanished ExternalSecret
 * CRD means every ExternalSecret on the cluster is gone — while the other CRDs
 * make ESO look installed and the summary shows a quiet "0 ExternalSecrets".
 */

import type { Finding } from '../model';
import { displayName, refOf } from '../objects';
import type { Rule } from './types';
import { finding, shellQuote } from './common';

/** The ESO kinds every install has, with the plural of their CRD. @public */
export const ESO_CORE_CRDS: ReadonlyArray<{ kind: string; plural: string }> = [
  { kind: 'ExternalSecret', plural: 'externalsecrets' },
  { kind: 'SecretStore', plural: 'secretstores' },
  { kind: 'ClusterSecretStore', plural: 'clustersecretstores' },
  { kind: 'ClusterExternalSecret', plural: 'clusterexternalsecrets' },
];

/** @public */
export const esoCrdMissing: Rule = {
  code: 'ESO_CRD_MISSING',
  when: 'Other ESO CRDs exist but a core one (ExternalSecret, SecretStore, ClusterSecretStore, ClusterExternalSecret) is gone: every object of that kind was deleted with it.',
  run(ctx) {
    const crds = ctx.view.esoCrds;
    if (!crds.length) return [];
    const present = new Set(
      crds.map(c => c.spec?.names?.kind ?? c.metadata.name.split('.')[0]),
    );
    const presentPlural = new Set(crds.map(c => c.metadata.name.split('.')[0]));
    const out: Finding[] = [];
    const installer = ctx.eso.crdsKustomization ?? ctx.eso.helmRelease;
    for (const core of ESO_CORE_CRDS) {
      if (present.has(core.kind) || presentPlural.has(core.plural)) continue;
      const name = `${core.plural}.external-secrets.io`;
      out.push(
        finding('ESO_CRD_MISSING', 'error', {
          title: `ESO CRD ${core.kind} missing — every ${core.kind} on this cluster is gone`,
          detail: `CustomResourceDefinition ${name} does not exist while ${crds.length} other ESO CRD(s) do. Deleting a CRD deletes all its objects, so no ${core.kind} exists here and the Secrets they produced are no longer refreshed.`,
          fix: `Re-apply the ESO CRDs${
            installer
              ? ` through ${installer.kind} ${displayName(
                  refOf(installer),
                )} (\`flux reconcile ${
                  installer.kind === 'Kustomization'
                    ? 'kustomization'
                    : 'helmrelease'
                } ${installer.metadata.name} -n ${
                  installer.metadata.namespace
                }${
                  installer.kind === 'Kustomization'
                    ? ' --with-source'
                    : ' --force'
                }\`)`
              : ''
          }, then let Flux re-create the ${
            core.kind
          } objects from git (reconcile the Kustomizations that apply them). Protect the CRDs from pruning (kustomize.toolkit.fluxcd.io/prune: disabled, or prune: false on the CRDs Kustomization).`,
          objects: installer ? [refOf(installer)] : [],
          command: `kubectl --context ${shellQuote(
            ctx.cluster,
          )} get crd -l app.kubernetes.io/name=external-secrets -o name`,
          category: 'crd-deleted',
        }),
      );
    }
    return out;
  },
};
