import { isSuspended } from '../conditions';
import { describeRef, refOf } from '../objects';
import { finding, kubectlLook } from './common';
import type { Rule } from './types';

export const objectSuspended: Rule = {
  code: 'OBJECT_SUSPENDED',
  when: 'A Flux object has spec.suspend: true, so changes in git are not applied.',
  run(ctx) {
    return ctx.view.fluxObjects.filter(isSuspended).map(obj => {
      const ref = refOf(obj);
      return finding('OBJECT_SUSPENDED', 'warning', {
        title: `${describeRef(ref)} is suspended`,
        detail: `Flux does not reconcile ${describeRef(
          ref,
        )}: changes in git are not applied and drift is not corrected.`,
        fix: `If it was not suspended on purpose, resume it: \`flux resume ${obj.kind.toLowerCase()} ${
          obj.metadata.name
        }${
          obj.metadata.namespace ? ` -n ${obj.metadata.namespace}` : ''
        }\`, and remove spec.suspend from git if it is set there.`,
        objects: [ref],
        command: kubectlLook(ctx.cluster, ref),
      });
    });
  },
};
