import type { Finding } from '../model';
import { describeRef, isFluxApplier, refOf } from '../objects';
import { finding, kubectlLook } from './common';
import { unservedApiVersionsIn } from './esoPatterns';
import { failureText } from './helpers';
import type { Rule } from './types';

export const removedApiVersion: Rule = {
  code: 'REMOVED_API_VERSION',
  when: 'A Flux object fails because the API server does not serve a removed apiVersion (external-secrets.io/v1beta1, kustomize.toolkit.fluxcd.io/v1beta2, helm.toolkit.fluxcd.io/v2beta1, …): "no matches for kind … in version …", "could not find the requested resource". A version merely mentioned, as in a conversion webhook error, is not enough.',
  run(ctx) {
    const out: Finding[] = [];
    for (const obj of ctx.view.fluxObjects.filter(isFluxApplier)) {
      const found = unservedApiVersionsIn(failureText(obj));
      if (!found.length) continue;
      const ref = refOf(obj);
      const where = obj.spec?.path
        ? ` (path ${obj.spec.path}${
            obj.spec.sourceRef
              ? ` of ${obj.spec.sourceRef.kind ?? 'source'} ${
                  obj.spec.sourceRef.name
                }`
              : ''
          })`
        : '';
      out.push(
        finding('REMOVED_API_VERSION', 'error', {
          title: `${describeRef(ref)} applies ${found
            .map(f => f.apiVersion)
            .join(', ')}, no longer served`,
          detail: `The cluster no longer serves ${found
            .map(f => f.apiVersion)
            .join(', ')}, so ${describeRef(ref)} cannot apply its manifests.`,
          fix: `In the manifests ${describeRef(
            ref,
          )} applies${where}, change ${found
            .map(f => `apiVersion ${f.apiVersion} to ${f.replacement}`)
            .join(' and ')} (check each kind's changed fields), then commit.`,
          objects: [ref],
          command: kubectlLook(ctx.cluster, ref),
        }),
      );
    }
    return out;
  },
};
