import { ConditionType, getCondition } from '../conditions';
import type { Finding } from '../model';
import { describeRef, displayName, refOf } from '../objects';
import { affectedText, finding, kubectlLook } from './common';
import { groupBy, storeOf } from './helpers';
import { providerError, storeFix } from './storeErrors';
import type { Rule } from './types';

export const secretSyncError: Rule = {
  code: 'SECRET_SYNC_ERROR',
  when: 'An ExternalSecret is Ready=False (SecretSyncedError), or a ClusterExternalSecret has failed namespaces.',
  run(ctx) {
    const failing = ctx.view.externalSecrets.filter(
      es => getCondition(es, ConditionType.Ready)?.status === 'False',
    );
    const out: Finding[] = [];
    // One finding per store and provider error class: two keys failing for different reasons get different fixes.
    for (const group of groupBy(failing, es => {
      const s = storeOf(ctx.index, es);
      const storeObj = s.obj;
      const cls = storeObj && providerError(ctx, storeObj, [es])?.category;
      return `${s.kind}|${
        s.kind === 'SecretStore' ? es.metadata.namespace : ''
      }|${s.name}|${cls ?? ''}`;
    }).values()) {
      const first = group[0];
      const store = storeOf(ctx.index, first);
      let category: string | undefined;
      const storeText = `${store.kind} ${
        store.kind === 'SecretStore'
          ? displayName({
              namespace: first.metadata.namespace,
              name: store.name,
            })
          : store.name
      }`;
      const ready = getCondition(first, ConditionType.Ready);
      let cause: string;
      let fix: string;
      if (!store.obj) {
        cause = `${storeText} does not exist.`;
        fix = `Create ${storeText}, or correct spec.secretStoreRef of the ExternalSecret(s).`;
      } else if (
        getCondition(store.obj, ConditionType.Ready)?.status === 'False'
      ) {
        cause = `${storeText} is invalid (see STORE_INVALID).`;
        fix = `Fix ${storeText} first: ${storeFix(store.obj)}`;
      } else {
        const provider = providerError(ctx, store.obj, group);
        cause = `${ready?.reason ?? 'Error'}: ${
          ready?.message ?? 'no message'
        }${provider?.event ? ` Event: ${provider.event}` : ''}`;
        if (provider) {
          category = provider.category;
          cause = `${provider.summary}. ${cause}`;
          fix = provider.fix;
        } else {
          fix = `Check that the remote keys in spec.data / spec.dataFrom of ${describeRef(
            refOf(first),
          )} exist in the provider and that ${storeText}'s identity may read them${
            provider === undefined && !ctx.events
              ? " (`kubectl describe` shows the provider's answer in the Events)"
              : ''
          }.`;
        }
      }
      const refs = group.map(refOf);
      out.push(
        finding('SECRET_SYNC_ERROR', 'error', {
          title:
            group.length === 1
              ? `${describeRef(refs[0])} fails to sync`
              : `${group.length} ExternalSecrets using ${storeText} fail to sync`,
          detail: `${cause}${affectedText(refs)}`,
          fix,
          objects: store.obj ? [...refs, refOf(store.obj)] : refs,
          command: kubectlLook(ctx.cluster, refs[0], 'describe'),
          category,
        }),
      );
    }
    for (const ces of ctx.view.clusterExternalSecrets) {
      const failed = ces.status?.failedNamespaces ?? [];
      if (!failed.length) continue;
      const ref = refOf(ces);
      out.push(
        finding('SECRET_SYNC_ERROR', 'error', {
          title: `${describeRef(ref)} fails in ${failed.length} namespace(s)`,
          detail: failed
            .map(f => `${f.namespace}: ${f.reason ?? 'failed'}`)
            .join('; '),
          fix: `Look at the ExternalSecret ${
            ces.spec?.externalSecretName ?? ces.metadata.name
          } in each failed namespace, and that the namespaces exist and match spec.namespaceSelectors.`,
          objects: [ref],
          command: kubectlLook(ctx.cluster, ref, 'describe'),
        }),
      );
    }
    return out;
  },
};
