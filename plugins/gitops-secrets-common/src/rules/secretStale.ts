import { ConditionType, isTrue } from '../conditions';
import { formatDuration } from '../duration';
import type { Finding } from '../model';
import { describeRef, displayName, refOf } from '../objects';
import { affectedText, finding, kubectlLook } from './common';
import {
  DEFAULT_REFRESH_INTERVAL,
  groupBy,
  isExternalSecretStale,
  storeOf,
} from './helpers';
import type { Rule } from './types';

export const secretStale: Rule = {
  code: 'SECRET_STALE',
  when: 'An ExternalSecret is Ready but its refreshTime is older than twice its refreshInterval (refreshInterval 0 never refreshes: never stale).',
  run(ctx) {
    const stale = ctx.view.externalSecrets.filter(
      es =>
        isTrue(es, ConditionType.Ready) && isExternalSecretStale(es, ctx.now),
    );
    const out: Finding[] = [];
    for (const group of groupBy(stale, es => {
      const s = storeOf(ctx.index, es);
      return `${s.kind}|${
        s.kind === 'SecretStore' ? es.metadata.namespace : ''
      }|${s.name}`;
    }).values()) {
      const first = group[0];
      const refs = group.map(refOf);
      const age = ctx.now.getTime() - Date.parse(first.status!.refreshTime!);
      const interval = first.spec?.refreshInterval ?? DEFAULT_REFRESH_INTERVAL;
      out.push(
        finding('SECRET_STALE', 'warning', {
          title:
            group.length === 1
              ? `${describeRef(refs[0])} has not refreshed for ${formatDuration(
                  age,
                )}`
              : `${group.length} ExternalSecrets have not refreshed on schedule`,
          detail: `Last refresh ${first.status!.refreshTime} (${formatDuration(
            age,
          )} ago) with refreshInterval ${interval}: the operator is not refreshing it, so a rotated value has not reached the Secret.${affectedText(
            refs,
          )}`,
          fix: `Check the ESO controller is running and its logs for ${displayName(
            refs[0],
          )}; force a refresh by annotating it with force-sync=<timestamp>.`,
          objects: refs,
          command: kubectlLook(ctx.cluster, refs[0], 'describe'),
        }),
      );
    }
    return out;
  },
};
