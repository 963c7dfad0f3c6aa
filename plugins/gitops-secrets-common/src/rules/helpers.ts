import { BOOTSTRAP_NAMES, ESO_GROUP } from '../annotations';
import {
  ConditionType,
  getCondition,
  isTrue,
  objectHealth,
  toHealth,
} from '../conditions';
import { parseGoDuration } from '../duration';
import { ObjectIndex } from '../objects';
import type { SlimObject } from '../slim';
import { classifyFluxFailure } from './fluxClasses';
import { failureReasons, failureTextWithEvents } from './fluxFailure';
import type { RuleContext } from './types';

/** An ExternalSecret without refreshInterval gets ESO's default. */
export const DEFAULT_REFRESH_INTERVAL = '1h';

/** Ready and Stalled messages of an object that is not Ready: where Flux writes apply errors. */
export function failureText(obj: SlimObject): string {
  if (isTrue(obj, ConditionType.Ready)) return '';
  return [
    getCondition(obj, ConditionType.Ready),
    getCondition(obj, ConditionType.Stalled),
  ]
    .map(c => c?.message)
    .filter((m): m is string => Boolean(m))
    .join('\n');
}

export function readyMessage(obj: SlimObject | undefined): string | undefined {
  if (!obj) return undefined;
  const c = getCondition(obj, ConditionType.Ready);
  if (!c) return undefined;
  return c.message
    ? `${c.reason ?? c.status}: ${c.message}`
    : c.reason ?? c.status;
}

/** The fix of the object's failure class, when its failure is classified. */
export function classifiedFix(
  ctx: RuleContext,
  obj: SlimObject,
): string | undefined {
  if (toHealth(objectHealth(obj)) !== 'Degraded') return undefined;
  const input = {
    obj,
    reasons: failureReasons(obj),
    text: failureTextWithEvents(ctx, obj),
  };
  const c = classifyFluxFailure(input);
  return c && c.cls.category !== 'reconcile-failed'
    ? c.cls.describe(input, c.match).fix
    : undefined;
}

export function storeOf(
  index: ObjectIndex,
  es: SlimObject,
): { kind: string; name: string; obj?: SlimObject } {
  const ref = es.spec?.secretStoreRef;
  const kind = ref?.kind ?? 'SecretStore';
  const name = ref?.name ?? '';
  const obj =
    kind === 'ClusterSecretStore'
      ? index.get(ESO_GROUP, 'ClusterSecretStore', undefined, name)
      : index.get(ESO_GROUP, 'SecretStore', es.metadata.namespace, name);
  return { kind, name, obj };
}

/**
 * Stale: the ExternalSecret refreshes periodically and its last refresh is
 * more than twice its refreshInterval ago (exactly twice is not stale).
 * refreshInterval `0` and policies OnChange/CreatedOnce never refresh on a timer.
 *
 * @public
 */
export function isExternalSecretStale(es: SlimObject, now: Date): boolean {
  const policy = es.spec?.refreshPolicy ?? 'Periodic';
  if (policy !== 'Periodic') return false;
  const interval = parseGoDuration(
    es.spec?.refreshInterval ?? DEFAULT_REFRESH_INTERVAL,
  );
  if (interval === undefined || interval <= 0) return false;
  const refreshed = Date.parse(es.status?.refreshTime ?? '');
  if (Number.isNaN(refreshed)) return false;
  return now.getTime() - refreshed > 2 * interval;
}

export function groupBy<T>(
  items: T[],
  keyOf: (t: T) => string,
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export const BOOTSTRAP_HINT =
  `run the "ESO on Flux" bootstrap template, which writes three Kustomizations in ${BOOTSTRAP_NAMES.namespace}: ` +
  `${BOOTSTRAP_NAMES.crds} (CRDs from the git tag matching the chart, wait: true, prune: false) → ` +
  `${BOOTSTRAP_NAMES.operator} (the HelmRelease with installCRDs: false, wait: true) → ` +
  `${BOOTSTRAP_NAMES.crs} (stores and ExternalSecrets, dependsOn ${BOOTSTRAP_NAMES.operator})`;

// ---------------------------------------------------------------- cluster errors
