import { isReady, isSuspended, objectHealth, toHealth } from '../conditions';
import type { Finding, ObjectRef } from '../model';
import {
  ObjectIndex,
  dependencies,
  describeRef,
  isFluxApplier,
  refOf,
} from '../objects';
import type { SlimObject } from '../slim';
import { finding, kubectlLook, moreText } from './common';
import { failingRoot } from './graph';
import { readyMessage } from './helpers';
import type { Rule } from './types';

/** Root cause of a blocked Flux object. @public */
export type RootCause =
  | { type: 'notReady'; obj: SlimObject; path: SlimObject[] }
  | { type: 'missing'; ref: ObjectRef; from: SlimObject }
  | { type: 'cycle'; cycle: SlimObject[] };

/**
 * Follow dependsOn from a not-ready object to the first dependency that is not
 * Ready and whose own dependencies are, or to a missing dependency, or to a cycle.
 *
 * @public
 */
export function findRootCause(
  index: ObjectIndex,
  obj: SlimObject,
): RootCause | undefined {
  const walk = (
    current: SlimObject,
    path: SlimObject[],
  ): RootCause | undefined => {
    for (const d of dependencies(index, current)) {
      if (!d.obj) return { type: 'missing', ref: d.ref, from: current };
      const at = path.indexOf(d.obj);
      if (at >= 0) return { type: 'cycle', cycle: path.slice(at) };
      if (isReady(d.obj)) continue;
      return (
        walk(d.obj, [...path, d.obj]) ?? {
          type: 'notReady',
          obj: d.obj,
          path: [...path, d.obj],
        }
      );
    }
    return undefined;
  };
  return walk(obj, [obj]);
}

/** One key per root cause, so everything blocked by it shares a finding. */
export function rootCauseKey(root: RootCause): string {
  if (root.type === 'notReady') return `n|${describeRef(refOf(root.obj))}`;
  if (root.type === 'missing') return `m|${describeRef(root.ref)}`;
  const members = root.cycle.map(o => describeRef(refOf(o))).sort();
  return `c|${members.join(',')}`;
}

export const dependencyNotReady: Rule = {
  code: 'DEPENDENCY_NOT_READY',
  when: 'A Flux object waits on dependsOn and nothing on the way fails: names a missing dependency, a cycle, or the dependency still progressing. (A failing object up the chain gets its own finding, listing what it blocks.)',
  run(ctx) {
    const byRoot = new Map<
      string,
      { root: RootCause; blocked: SlimObject[] }
    >();
    for (const obj of ctx.view.fluxObjects.filter(isFluxApplier)) {
      if (isReady(obj) || isSuspended(obj) || !obj.spec?.dependsOn?.length)
        continue;
      // Something fails (it, or what it waits on through dependsOn, sources, charts, health checks):
      // that object's own finding names the cause and lists what it blocks.
      if (failingRoot(ctx.index, obj)) continue;
      const root = findRootCause(ctx.index, obj);
      if (!root) continue;
      const key = rootCauseKey(root);
      const entry = byRoot.get(key);
      if (entry) entry.blocked.push(obj);
      else byRoot.set(key, { root, blocked: [obj] });
    }
    const out: Finding[] = [];
    for (const { root, blocked } of byRoot.values()) {
      const blockedRefs = blocked.map(refOf);
      const blockedText = `${blockedRefs.map(describeRef).join(', ')}${moreText(
        blockedRefs.length,
      )}`;
      if (root.type === 'missing') {
        out.push(
          finding('DEPENDENCY_NOT_READY', 'error', {
            title: `${describeRef(root.ref)} does not exist`,
            detail: `${describeRef(refOf(root.from))} depends on ${describeRef(
              root.ref,
            )}, which is not on the cluster, so ${blockedText} will wait forever.`,
            fix: `Create ${describeRef(
              root.ref,
            )}, or correct the dependsOn entry (name, namespace) in ${describeRef(
              refOf(root.from),
            )}.`,
            objects: [root.ref, ...blockedRefs],
            command: kubectlLook(ctx.cluster, refOf(root.from)),
          }),
        );
      } else if (root.type === 'cycle') {
        const names = root.cycle.map(o => describeRef(refOf(o)));
        out.push(
          finding('DEPENDENCY_NOT_READY', 'error', {
            title: `dependsOn cycle: ${[...names, names[0]].join(' → ')}`,
            detail: `These objects wait on each other, so none becomes Ready; blocked: ${blockedText}.`,
            fix: `Remove one dependsOn edge of the cycle (e.g. from ${
              names[names.length - 1]
            } to ${names[0]}).`,
            objects: [
              ...root.cycle.map(refOf),
              ...blockedRefs.filter(r => !names.includes(describeRef(r))),
            ],
            command: kubectlLook(ctx.cluster, refOf(root.cycle[0])),
          }),
        );
      } else {
        const rootRef = refOf(root.obj);
        const health = toHealth(objectHealth(root.obj));
        out.push(
          finding(
            'DEPENDENCY_NOT_READY',
            health === 'Degraded' ? 'error' : 'warning',
            {
              title: `${describeRef(rootRef)} blocks ${
                blocked.length === 1
                  ? describeRef(blockedRefs[0])
                  : `${blocked.length} objects`
              }`,
              detail: `Root cause: ${describeRef(rootRef)} is not Ready (${
                readyMessage(root.obj) ?? 'no status yet'
              }). Waiting on it: ${blockedText}.`,
              fix:
                health === 'Degraded'
                  ? `Fix ${describeRef(
                      rootRef,
                    )} first (see its message); the objects depending on it follow on their next retry.`
                  : `Wait for ${describeRef(
                      rootRef,
                    )} to finish reconciling; if it does not, look at its message and events.`,
              objects: [rootRef, ...blockedRefs],
              command: kubectlLook(ctx.cluster, rootRef),
            },
          ),
        );
      }
    }
    return out;
  },
};
