import { BOOTSTRAP_NAMES } from '../annotations';
import type { Finding } from '../model';
import {
  ObjectIndex,
  bootstrapKustomization,
  dependencies,
  describeRef,
  isFluxApplier,
  refOf,
} from '../objects';
import type { SlimObject } from '../slim';
import { finding, kubectlLook } from './common';
import { CRD_RACE_PATTERN, removedApiVersionsIn } from './esoPatterns';
import { BOOTSTRAP_HINT, failureText } from './helpers';
import type { Rule } from './types';

export function dependsOnTransitively(
  index: ObjectIndex,
  from: SlimObject,
  target: SlimObject,
): boolean {
  const seen = new Set<SlimObject>();
  const stack = [from];
  while (stack.length) {
    const o = stack.pop()!;
    for (const d of dependencies(index, o)) {
      if (!d.obj || seen.has(d.obj)) continue;
      if (d.obj === target) return true;
      seen.add(d.obj);
      stack.push(d.obj);
    }
  }
  return false;
}

/** Whether the racing object waits for the CRDs Kustomization, for CRD_RACE's detail. */
export function crdsDependency(
  index: ObjectIndex,
  obj: SlimObject,
  crds: SlimObject | undefined,
): string {
  if (!crds) return ' No Kustomization on the cluster applies the ESO CRDs.';
  const crdsName = describeRef(refOf(crds));
  if (crds !== obj && dependsOnTransitively(index, obj, crds)) {
    return ` It depends on ${crdsName}, which is not Ready yet.`;
  }
  return ` It does not depend on ${crdsName}.`;
}

export const crdRace: Rule = {
  code: 'CRD_RACE',
  when: 'A Flux object fails with `no matches for kind "…" in version "external-secrets.io/…"` for a current version: it was applied before the CRDs.',
  run(ctx) {
    const out: Finding[] = [];
    const crds =
      ctx.eso.crdsKustomization ?? bootstrapKustomization(ctx.index, 'crds');
    for (const obj of ctx.view.fluxObjects.filter(isFluxApplier)) {
      const m = failureText(obj).match(CRD_RACE_PATTERN);
      // A removed version is not a race: REMOVED_API_VERSION explains it.
      if (!m || removedApiVersionsIn(m[2]).length) continue;
      const ref = refOf(obj);
      out.push(
        finding('CRD_RACE', 'error', {
          title: `${describeRef(ref)} was applied before the ESO CRDs`,
          detail: `${describeRef(ref)} applies a ${m[1]} (${
            m[2]
          }) but the API server does not know that kind yet: ${
            m[0]
          }.${crdsDependency(ctx.index, obj, crds)}`,
          fix:
            `Split the install so the custom resources wait for their CRDs: ${BOOTSTRAP_HINT}. ` +
            `Move the ${m[1]} objects out of ${describeRef(ref)} into ${
              BOOTSTRAP_NAMES.crs
            }, or give it dependsOn ${BOOTSTRAP_NAMES.operator}.`,
          objects: crds ? [ref, refOf(crds)] : [ref],
          command: kubectlLook(ctx.cluster, ref),
        }),
      );
    }
    return out;
  },
};
