/**
 * KUSTOMIZATION_FAILED, HELMRELEASE_FAILED and SOURCE_FAILED: a failing Flux
 * object that is itself the root cause (nothing it waits on fails), classified
 * by reason and message ({@link FLUX_FAILURE_CLASSES}) into a fix and the
 * `flux reconcile` command right for that class. Objects whose failure an
 * ESO-specific rule explains (CRD/webhook race, removed API, conversion
 * webhook, ESO not installed) are left to those rules.
 */

import {
  ConditionType,
  fluxActivity,
  getCondition,
  isSuspended,
} from '../conditions';
import type { Finding, FindingCode } from '../model';
import { describeRef, refOf } from '../objects';
import type { SlimObject } from '../slim';
import type { Rule, RuleContext } from './types';
import { finding, kubectlLook } from './common';
import { classifyFluxFailure } from './fluxClasses';
import { isEsoSpecificFailure } from './esoPatterns';
import { failingRoot, isFailing } from './graph';

/** Ready and Stalled reasons of an object. */
export function failureReasons(obj: SlimObject): string[] {
  return [
    getCondition(obj, ConditionType.Ready),
    getCondition(obj, ConditionType.Stalled),
  ]
    .filter(c => c && c.status !== (c.type === 'Ready' ? 'True' : 'False'))
    .map(c => c!.reason)
    .filter((r): r is string => Boolean(r));
}

/** Ready/Stalled messages of a not-ready object, then its Warning events. */
export function failureTextWithEvents(
  ctx: Pick<RuleContext, 'events'>,
  obj: SlimObject,
): string {
  const ready = getCondition(obj, ConditionType.Ready);
  const parts: string[] = [];
  if (ready?.status !== 'True') {
    for (const c of [ready, getCondition(obj, ConditionType.Stalled)])
      if (c?.message) parts.push(c.message);
  }
  parts.push(...(ctx.events?.warnings(obj) ?? []));
  return parts.join('\n');
}

function sourceOf(obj: SlimObject) {
  const ref =
    obj.spec?.sourceRef ?? obj.spec?.chart?.sourceRef ?? obj.spec?.chartRef;
  if (!ref) return undefined;
  return {
    kind: ref.kind ?? 'GitRepository',
    name: ref.name,
    namespace: ref.namespace ?? obj.metadata.namespace,
  };
}

/** Objects ESO_NOT_INSTALLED already names as the reason ESO is missing. */
function claimedByEsoNotInstalled(ctx: RuleContext, obj: SlimObject): boolean {
  if (ctx.eso.installed) return false;
  return obj === ctx.eso.crdsKustomization || obj === ctx.eso.helmRelease;
}

function fluxFailureRule(
  code: FindingCode,
  kinds: readonly string[],
  when: string,
): Rule {
  return {
    code,
    when,
    run(ctx) {
      const out: Finding[] = [];
      for (const obj of ctx.view.fluxObjects) {
        if (!kinds.includes(obj.kind) || isSuspended(obj) || !isFailing(obj))
          continue;
        // Only the root: an object blocked by a failing upstream is listed in that root's finding.
        if (failingRoot(ctx.index, obj)?.root !== obj) continue;
        const text = failureTextWithEvents(ctx, obj);
        if (isEsoSpecificFailure(text) || claimedByEsoNotInstalled(ctx, obj))
          continue;
        const input = {
          obj,
          reasons: failureReasons(obj),
          text,
          source: sourceOf(obj),
        };
        const c = classifyFluxFailure(input);
        if (!c) continue;
        const { title, fix } = c.cls.describe(input, c.match);
        const ref = refOf(obj);
        const ready = getCondition(obj, ConditionType.Ready);
        const stalled = getCondition(obj, ConditionType.Stalled);
        const cond = stalled?.status === 'True' ? stalled : ready;
        const activity = fluxActivity(obj).text;
        out.push(
          finding(code, 'error', {
            title,
            detail: `${describeRef(ref)} ${
              cond?.reason ? `(${cond.reason})` : ''
            }: ${cond?.message ?? text.split('\n')[0] ?? 'no message'}${
              activity ? ` — ${activity}.` : ''
            }`,
            fix,
            objects: [ref],
            command: kubectlLook(ctx.cluster, ref, 'describe'),
            category: c.cls.category,
          }),
        );
      }
      return out;
    },
  };
}

/** @public */
export const kustomizationFailed: Rule = fluxFailureRule(
  'KUSTOMIZATION_FAILED',
  ['Kustomization'],
  'A Kustomization fails by itself (build, missing file, remote base, health check, apply, decryption, prune), classified by reason and message.',
);

/** @public */
export const helmReleaseFailed: Rule = fluxFailureRule(
  'HELMRELEASE_FAILED',
  ['HelmRelease'],
  'A HelmRelease fails by itself (install/upgrade failed, timeout, retries exhausted, locked release, chart missing, render error).',
);

/** @public */
export const sourceFailed: Rule = fluxFailureRule(
  'SOURCE_FAILED',
  ['GitRepository', 'OCIRepository', 'HelmRepository', 'HelmChart', 'Bucket'],
  'A Flux source cannot fetch its artifact (credentials, ref not found, host unreachable, TLS, URL wrong).',
);
