import type { ObjectRef } from '../model';
import { describeRef, refOf } from '../objects';
import type { SlimObject } from '../slim';
import type { EsoFacts } from '../view';
import { finding, kubectlLook } from './common';
import type { Rule } from './types';

/** Where to change the CRD version: the dedicated CRD source's tag, else the manifests the CRDs Kustomization applies. */
export function skewFix(
  eso: EsoFacts,
  chartVersion: string,
  crdVersion: string,
): string {
  const { crdsSource, crdsKustomization } = eso;
  if (crdsSource && !eso.crdsSourceShared) {
    return `Set ref.tag of ${describeRef(
      refOf(crdsSource),
    )} to v${chartVersion} (or pin the chart to ${crdVersion}) so both come from the same release.`;
  }
  if (crdsKustomization) {
    const path = crdsKustomization.spec?.path
      ? ` (path ${crdsKustomization.spec.path})`
      : '';
    return `Update the ESO CRD manifests that ${describeRef(
      refOf(crdsKustomization),
    )} applies${path} to release ${chartVersion} (or pin the chart to ${crdVersion}); its source is shared with other Kustomizations, so do not retag the source itself.`;
  }
  return `Install the CRDs of release ${chartVersion} (or pin the chart to ${crdVersion}).`;
}

export const crdVersionSkew: Rule = {
  code: 'CRD_VERSION_SKEW',
  when: 'The ESO CRD version (label app.kubernetes.io/version, helm.sh/chart, or the git tag they come from) differs from the chart version, or the CRDs follow a branch.',
  run(ctx) {
    const {
      crdVersion,
      chartVersion,
      crdBranch,
      helmRelease,
      crdsKustomization,
      crdsSource,
    } = ctx.eso;
    const objects: ObjectRef[] = [crdsKustomization, crdsSource, helmRelease]
      .filter((o): o is SlimObject => Boolean(o))
      .map(refOf);
    const look = crdsSource
      ? kubectlLook(ctx.cluster, refOf(crdsSource))
      : kubectlLook(ctx.cluster, {
          kind: 'CustomResourceDefinition',
          apiVersion: 'apiextensions.k8s.io/v1',
          name: 'externalsecrets.external-secrets.io',
        });
    if (crdBranch && !crdVersion) {
      const src = crdsSource
        ? describeRef(refOf(crdsSource))
        : 'the CRD source';
      return [
        finding('CRD_VERSION_SKEW', 'warning', {
          title: `ESO CRDs follow branch ${crdBranch}`,
          detail: `The CRDs come from ${src} on branch ${crdBranch}, which moves independently of the chart${
            chartVersion ? ` (${chartVersion})` : ''
          }; unpinned CRDs drift (ShortNamesConflict loops were reported).`,
          fix: `Pin ${src} to ref.tag v${
            chartVersion ?? '<chart version>'
          } — the tag matching the HelmRelease chart version.`,
          objects,
          command: look,
        }),
      ];
    }
    if (!crdVersion || !chartVersion || crdVersion === chartVersion) return [];
    return [
      finding('CRD_VERSION_SKEW', 'warning', {
        title: `ESO CRDs are ${crdVersion} but the chart is ${chartVersion}`,
        detail: `CRD version read from ${
          ctx.eso.crdVersionSource
        }; the chart version from ${
          helmRelease ? describeRef(refOf(helmRelease)) : 'the HelmRelease'
        }. The operator may write fields the CRDs do not have, or the reverse.`,
        fix: skewFix(ctx.eso, chartVersion, crdVersion),
        objects: ctx.eso.crdsSourceShared
          ? objects.filter(
              o =>
                !crdsSource ||
                o.name !== crdsSource.metadata.name ||
                o.kind !== crdsSource.kind,
            )
          : objects,
        command: look,
      }),
    ];
  },
};
