import { ConditionType, getCondition } from '../conditions';
import { describeRef, refOf } from '../objects';
import type { SlimObject } from '../slim';
import { classifyProviderError } from './providerClasses';
import type { RuleContext } from './types';

/** Distinct fixes one finding lists (one per key or action denied), the rest counted. */
const MAX_FIXES = 3;

/**
 * The provider error class of a store's or ExternalSecrets' failure, read from
 * their Ready messages and Warning events; the fix names the store.
 */
export function providerError(
  ctx: RuleContext,
  store: SlimObject,
  objs: SlimObject[],
):
  | { category: string; summary: string; fix: string; event?: string }
  | undefined {
  const events = objs.flatMap(o => ctx.events?.warnings(o) ?? []);
  const texts = [
    ...objs.map(o => getCondition(o, ConditionType.Ready)?.message ?? ''),
    ...events,
  ].filter(Boolean);
  const c = classifyProviderError(texts);
  if (!c) return undefined;
  const event = events.find(e => c.cls.pattern.test(e));
  const who = describeRef(refOf(store));
  // Several objects denied the same way on different keys: one fix per key, so none is left out.
  const fixes = [
    ...new Set(
      texts
        .map(t => t.match(c.cls.pattern))
        .filter((m): m is RegExpMatchArray => m !== null)
        .map(m => c.cls.fix(m, who)),
    ),
  ];
  const first = c.cls.fix(c.match, who);
  const others = fixes.filter(f => f !== first);
  const shown = others.slice(0, MAX_FIXES - 1);
  return {
    category: c.cls.category,
    summary: c.cls.summary(c.match),
    fix: [
      first,
      ...shown,
      ...(others.length > shown.length
        ? [`(${others.length - shown.length} more like these.)`]
        : []),
    ].join(' '),
    ...(event ? { event } : {}),
  };
}

export function reasonSuffix(reason: string | undefined): string {
  return reason ? ` (${reason})` : '';
}

export function storeFix(store: SlimObject): string {
  const name = describeRef(refOf(store));
  if (store.spec?.provider === 'aws') {
    const nsNote =
      store.kind === 'ClusterSecretStore'
        ? ' (a ClusterSecretStore must set their namespace)'
        : '';
    return `Check spec.provider.aws of ${name}: service, region and role, and auth — auth.secretRef must name a Secret and keys that exist${nsNote}, or use auth.jwt.serviceAccountRef (IRSA) or no auth (pod identity).`;
  }
  return `Check spec.provider${
    store.spec?.provider ? `.${store.spec.provider}` : ''
  } of ${name} against the provider's documentation, and that the credentials it references exist.`;
}
