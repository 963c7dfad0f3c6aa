import { objectHealth, toHealth } from '../conditions';
import { describeRef, displayName, isFluxApplier, refOf } from '../objects';
import type { SlimObject } from '../slim';
import { resolveUnsupportedKind } from '../view';
import { finding, kubectlLook, shellQuote } from './common';
import { CRD_RACE_PATTERN } from './esoPatterns';
import {
  BOOTSTRAP_HINT,
  classifiedFix,
  failureText,
  readyMessage,
} from './helpers';
import type { Rule, RuleContext } from './types';

/** Flux objects that fail because an ESO kind is unknown to the API server: something needs ESO. */
export function objectsNeedingEso(ctx: RuleContext): SlimObject[] {
  return ctx.view.fluxObjects
    .filter(isFluxApplier)
    .filter(o => CRD_RACE_PATTERN.test(failureText(o)));
}

export const esoNotInstalled: Rule = {
  code: 'ESO_NOT_INSTALLED',
  when: 'No ESO CRD exists and external-secrets.io is not served. Error when an install fails or something needs ESO; warning while an install is in progress; nothing when nothing asks for ESO (Flux-only clusters).',
  run(ctx) {
    if (ctx.eso.installed) return [];
    const esoUnsupported = ctx.unsupported.some(
      u => resolveUnsupportedKind(u.kind)?.family === 'eso',
    );
    if (esoUnsupported) return [];
    const crds = ctx.eso.crdsKustomization;
    const hr = ctx.eso.helmRelease;
    const needing = objectsNeedingEso(ctx);
    const title = `External Secrets Operator is not installed on ${ctx.cluster}`;
    if (crds) {
      return [
        finding('ESO_NOT_INSTALLED', 'error', {
          title,
          detail: `Kustomization ${displayName(
            refOf(crds),
          )} exists but the CRDs are not on the cluster yet (${
            readyMessage(crds) ?? 'no status'
          }).`,
          fix: `${
            classifiedFix(ctx, crds) ??
            `Make Kustomization ${displayName(
              refOf(crds),
            )} Ready (see its message).`
          } If there is no such layout yet, ${BOOTSTRAP_HINT}.`,
          objects: [refOf(crds)],
          command: kubectlLook(ctx.cluster, refOf(crds)),
        }),
      ];
    }
    const lookCrd = `kubectl --context ${shellQuote(
      ctx.cluster,
    )} get crd externalsecrets.external-secrets.io`;
    if (hr) {
      const failing = toHealth(objectHealth(hr)) === 'Degraded';
      return [
        finding('ESO_NOT_INSTALLED', failing ? 'error' : 'warning', {
          title,
          detail: `HelmRelease ${displayName(refOf(hr))} ${
            failing ? 'fails to install it' : 'is still installing it'
          } (${
            readyMessage(hr) ?? 'no status'
          }); until its CRDs exist, ExternalSecrets cannot be created.`,
          fix: failing
            ? `${
                classifiedFix(ctx, hr) ??
                `Fix HelmRelease ${displayName(refOf(hr))} (see its message).`
              } To make the order explicit, ${BOOTSTRAP_HINT}.`
            : `Wait for HelmRelease ${displayName(
                refOf(hr),
              )}; to make the order explicit, ${BOOTSTRAP_HINT}.`,
          objects: [refOf(hr)],
          command: kubectlLook(ctx.cluster, refOf(hr)),
        }),
      ];
    }
    // Nothing installs ESO and nothing needs it (a Flux-only cluster, or a Component without secrets): no finding.
    if (!needing.length) return [];
    return [
      finding('ESO_NOT_INSTALLED', 'error', {
        title,
        detail: `The cluster has no CustomResourceDefinition in external-secrets.io, and nothing installs one, but ${needing
          .map(o => describeRef(refOf(o)))
          .join(', ')} applies ESO objects.`,
        fix: `To install it, ${BOOTSTRAP_HINT}.`,
        objects: needing.map(refOf),
        command: lookCrd,
      }),
    ];
  },
};
