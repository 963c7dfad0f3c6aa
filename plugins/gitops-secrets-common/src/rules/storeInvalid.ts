import { ConditionType, getCondition } from '../conditions';
import type { Finding } from '../model';
import { describeRef, refOf } from '../objects';
import { finding, kubectlLook, moreText } from './common';
import { storeOf } from './helpers';
import { providerError, reasonSuffix, storeFix } from './storeErrors';
import type { Rule } from './types';

export const storeInvalid: Rule = {
  code: 'STORE_INVALID',
  when: 'A SecretStore or ClusterSecretStore is Ready=False (InvalidProviderConfig and other validation failures).',
  run(ctx) {
    const out: Finding[] = [];
    for (const store of ctx.view.stores) {
      const ready = getCondition(store, ConditionType.Ready);
      if (ready?.status !== 'False') continue;
      const ref = refOf(store);
      const users = ctx.view.externalSecrets
        .filter(es => storeOf(ctx.index, es).obj === store)
        .map(refOf);
      const provider = providerError(ctx, store, [store]);
      out.push(
        finding('STORE_INVALID', 'error', {
          title: `${describeRef(ref)} is invalid${
            provider ? `: ${provider.summary}` : reasonSuffix(ready.reason)
          }`,
          detail: `${ready.message ?? 'The store failed validation.'}${
            provider?.event ? ` Event: ${provider.event}` : ''
          }${
            users.length
              ? ` ${users.length} ExternalSecret(s) use it${moreText(
                  users.length,
                )}.`
              : ''
          }`,
          fix: provider?.fix ?? storeFix(store),
          objects: [ref, ...users],
          command: kubectlLook(ctx.cluster, ref, 'describe'),
          category: provider?.category,
        }),
      );
    }
    return out;
  },
};
