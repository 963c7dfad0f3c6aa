import { BOOTSTRAP_NAMES } from '../annotations';
import type { Finding } from '../model';
import {
  bootstrapKustomization,
  describeRef,
  displayName,
  isFluxApplier,
  refOf,
} from '../objects';
import { finding, kubectlLook } from './common';
import { dependsOnTransitively } from './crdRace';
import { WEBHOOK_RACE_PATTERN } from './esoPatterns';
import { BOOTSTRAP_HINT, failureText } from './helpers';
import type { Rule } from './types';

export const webhookRace: Rule = {
  code: 'WEBHOOK_RACE',
  when: 'A Flux object fails calling an external-secrets.io webhook with connection refused / no endpoints available: the operator was not up yet.',
  run(ctx) {
    const out: Finding[] = [];
    const operator = bootstrapKustomization(ctx.index, 'operator');
    for (const obj of ctx.view.fluxObjects.filter(isFluxApplier)) {
      const m = failureText(obj).match(WEBHOOK_RACE_PATTERN);
      if (!m) continue;
      const ref = refOf(obj);
      const opName = operator
        ? displayName(refOf(operator))
        : `${BOOTSTRAP_NAMES.namespace}/${BOOTSTRAP_NAMES.operator}`;
      const dependsOnOperator =
        operator &&
        operator !== obj &&
        dependsOnTransitively(ctx.index, obj, operator);
      const operatorWaits = operator?.spec?.wait === true;
      const steps: string[] = [];
      if (!operator) {
        steps.push(
          `create Kustomization ${opName} wrapping the ESO HelmRelease with wait: true (${BOOTSTRAP_HINT})`,
        );
      } else if (!operatorWaits) {
        steps.push(
          `set wait: true on Kustomization ${opName} so it is Ready only once the webhook answers`,
        );
      }
      if (!dependsOnOperator)
        steps.push(`add dependsOn ${opName} to ${describeRef(ref)}`);
      if (!steps.length)
        steps.push(
          `nothing to change in git: ${describeRef(
            ref,
          )} retries once the webhook is up; check the operator pods if it does not`,
        );
      out.push(
        finding('WEBHOOK_RACE', 'error', {
          title: `${describeRef(ref)} ran before the ESO webhook was up`,
          detail: `The API server could not call webhook ${m[1]} (${
            m[2]
          }) while applying ${describeRef(ref)}.`,
          fix: `${steps.join('; ')}.`.replace(/^./, c => c.toUpperCase()),
          objects: operator ? [ref, refOf(operator)] : [ref],
          command: kubectlLook(ctx.cluster, ref),
        }),
      );
    }
    return out;
  },
};
