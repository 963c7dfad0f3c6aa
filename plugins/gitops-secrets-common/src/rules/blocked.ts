/** Root-cause following: the objects a finding's root blocks, as the finding's `blocks`. */

import { isReady, isSuspended } from '../conditions';
import type { Finding, ObjectRef } from '../model';
import { refOf } from '../objects';
import { MAX_OBJECTS, moreText } from './common';
import { failingRoot, isChainObject } from './graph';
import type { RuleContext } from './types';

export function refKey(ref: ObjectRef): string {
  return `${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

/**
 * Root-cause following: every not-Ready Flux object whose trouble comes from a
 * failing object further up (dependsOn, source, chart, health-checked object)
 * is listed in that root's finding as blocked — one finding per root cause,
 * the blocked objects point at it. ExternalSecrets are grouped by store by
 * SECRET_SYNC_ERROR already.
 */
export function annotateBlocked(
  ctx: RuleContext,
  findings: Finding[],
): Finding[] {
  const blockedBy = new Map<string, ObjectRef[]>();
  for (const obj of ctx.view.fluxObjects) {
    if (!isChainObject(obj) || isReady(obj) || isSuspended(obj)) continue;
    const r = failingRoot(ctx.index, obj);
    if (!r || r.root === obj) continue;
    const k = refKey(refOf(r.root));
    const list = blockedBy.get(k);
    if (list) list.push(refOf(obj));
    else blockedBy.set(k, [refOf(obj)]);
  }
  if (!blockedBy.size) return findings;
  const claimed = new Set<string>();
  return findings.map(f => {
    const primary = f.objects[0];
    if (!primary) return f;
    const k = refKey(primary);
    const blocked = blockedBy.get(k);
    if (!blocked || claimed.has(k)) return f;
    claimed.add(k);
    const shown = blocked.slice(0, MAX_OBJECTS);
    // The list itself is `blocks` (the card shows it as "Blocked by this"); the detail only counts what is left out.
    const more = moreText(blocked.length);
    return {
      ...f,
      ...(more
        ? { detail: `${f.detail} It blocks ${blocked.length} objects${more}.` }
        : {}),
      blocks: shown,
    };
  });
}
