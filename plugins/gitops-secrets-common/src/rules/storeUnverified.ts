/**
 * STORE_UNVERIFIED: ESO marks a store Ready=True with reason ValidationUnknown
 * when its provider cannot be checked without reading a secret (e.g. some
 * providers, or referent authentication). It may work or not: not Healthy.
 */

import { ConditionType, Reason, getCondition } from '../conditions';
import type { Finding } from '../model';
import { describeRef, refOf } from '../objects';
import type { Rule } from './types';
import { finding, kubectlLook } from './common';

/** @public */
export const storeUnverified: Rule = {
  code: 'STORE_UNVERIFIED',
  when: 'A SecretStore or ClusterSecretStore is Ready=True with reason ValidationUnknown: ESO could not verify the provider.',
  run(ctx) {
    const out: Finding[] = [];
    for (const store of ctx.view.stores) {
      const ready = getCondition(store, ConditionType.Ready);
      if (ready?.reason !== Reason.ValidationUnknown) continue;
      const ref = refOf(store);
      const users = ctx.view.externalSecrets.filter(es => {
        const s = es.spec?.secretStoreRef;
        if (!s || s.name !== store.metadata.name) return false;
        const kind = s.kind ?? 'SecretStore';
        return (
          kind === store.kind &&
          (kind === 'ClusterSecretStore' ||
            es.metadata.namespace === store.metadata.namespace)
        );
      });
      const synced = users.filter(
        es => getCondition(es, ConditionType.Ready)?.status === 'True',
      ).length;
      out.push(
        finding('STORE_UNVERIFIED', 'warning', {
          title: `${describeRef(ref)} could not be verified`,
          detail: `ESO reports the store Ready with reason ValidationUnknown${
            ready.message ? ` (${ready.message})` : ''
          }: the provider's credentials and reachability were not checked.${
            users.length
              ? ` ${synced} of ${users.length} ExternalSecret(s) using it synced.`
              : ' No ExternalSecret uses it yet, so nothing has proven it works.'
          }`,
          fix: `Treat ${describeRef(
            ref,
          )} as untested: sync one ExternalSecret through it and check it becomes Ready; if the provider supports validation, correct spec.provider so ESO can validate it (e.g. set the auth the provider's validation needs).`,
          objects: [ref],
          command: kubectlLook(ctx.cluster, ref, 'describe'),
          category: 'validation-unknown',
        }),
      );
    }
    return out;
  },
};
