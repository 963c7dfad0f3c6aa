/**
 * What a failing object waits on, and the deepest failing object at the end of
 * that chain: through dependsOn, the objects a Kustomization's health checks
 * name, HelmRelease → HelmChart/OCIRepository → source, Kustomization → source,
 * and ExternalSecret → store.
 */

import {
  ConditionType,
  getCondition,
  objectHealth,
  toHealth,
} from '../conditions';
import { ESO_GROUP } from '../annotations';
import type { ObjectRef } from '../model';
import { ObjectIndex, dependencies, refFromSlimRef, refOf } from '../objects';
import type { SlimObject } from '../slim';
import { apiGroup } from '../slim';
import { healthCheckObjects } from './fluxClasses';

/** How an object reaches what it waits on. @public */
export type UpstreamVia =
  | 'dependsOn'
  | 'source'
  | 'chart'
  | 'healthCheck'
  | 'store';

/** @public */
export interface Upstream {
  via: UpstreamVia;
  ref: ObjectRef;
  obj?: SlimObject;
}

const GROUP_OF_KIND: Record<string, string> = {
  Kustomization: 'kustomize.toolkit.fluxcd.io',
  HelmRelease: 'helm.toolkit.fluxcd.io',
  GitRepository: 'source.toolkit.fluxcd.io',
  OCIRepository: 'source.toolkit.fluxcd.io',
  HelmRepository: 'source.toolkit.fluxcd.io',
  HelmChart: 'source.toolkit.fluxcd.io',
  Bucket: 'source.toolkit.fluxcd.io',
  ExternalSecret: ESO_GROUP,
  SecretStore: ESO_GROUP,
  ClusterSecretStore: ESO_GROUP,
};

/** Every object this one needs before it can become ready. @public */
export function upstreams(index: ObjectIndex, obj: SlimObject): Upstream[] {
  const out: Upstream[] = [];
  const spec = obj.spec ?? {};
  if (obj.kind === 'Kustomization' || obj.kind === 'HelmRelease') {
    for (const d of dependencies(index, obj))
      out.push({ via: 'dependsOn', ...d });
  }
  if (spec.sourceRef) {
    out.push({
      via: 'source',
      ref: refFromSlimRef(obj, spec.sourceRef),
      obj: index.resolve(obj, spec.sourceRef),
    });
  }
  if (obj.kind === 'HelmRelease') {
    if (spec.chartRef) {
      out.push({
        via: 'chart',
        ref: refFromSlimRef(obj, spec.chartRef),
        obj: index.resolve(obj, spec.chartRef),
      });
    } else if (spec.chart?.sourceRef) {
      // helm-controller names the HelmChart <namespace>-<name> in the source's namespace.
      const srcNs = spec.chart.sourceRef.namespace ?? obj.metadata.namespace;
      const chart = index.get(
        'source.toolkit.fluxcd.io',
        'HelmChart',
        srcNs,
        `${obj.metadata.namespace}-${obj.metadata.name}`,
      );
      if (chart) out.push({ via: 'chart', ref: refOf(chart), obj: chart });
      else
        out.push({
          via: 'source',
          ref: refFromSlimRef(obj, spec.chart.sourceRef),
          obj: index.resolve(obj, spec.chart.sourceRef),
        });
    }
  }
  if (obj.kind === 'Kustomization') {
    const ready = getCondition(obj, ConditionType.Ready);
    const named = [
      ...(spec.healthChecks ?? []).map(h => ({
        kind: h.kind ?? '',
        namespace: h.namespace ?? obj.metadata.namespace,
        name: h.name,
      })),
      ...(ready?.status === 'False'
        ? healthCheckObjects(ready.message ?? '')
        : []),
    ];
    for (const h of named) {
      const group = GROUP_OF_KIND[h.kind];
      if (!group) continue;
      const target = index.get(group, h.kind, h.namespace, h.name);
      if (!target || out.some(u => u.obj === target)) continue;
      out.push({ via: 'healthCheck', ref: refOf(target), obj: target });
    }
  }
  if (obj.kind === 'ExternalSecret' && spec.secretStoreRef) {
    const kind = spec.secretStoreRef.kind ?? 'SecretStore';
    const ns =
      kind === 'ClusterSecretStore' ? undefined : obj.metadata.namespace;
    const store = index.get(ESO_GROUP, kind, ns, spec.secretStoreRef.name);
    out.push({
      via: 'store',
      ref: {
        kind,
        apiVersion: `${ESO_GROUP}/v1`,
        name: spec.secretStoreRef.name,
        ...(ns ? { namespace: ns } : {}),
      },
      obj: store,
    });
  }
  return out;
}

/** Failing as a cause: Degraded, or a store ESO could not validate. */
export function isFailing(obj: SlimObject): boolean {
  return toHealth(objectHealth(obj)) === 'Degraded';
}

/** Not ready because of what it waits on (Flux DependencyNotReady, or artifact/chart not ready). */
function waitsOnOthers(obj: SlimObject): boolean {
  const ready = getCondition(obj, ConditionType.Ready);
  if (!ready || ready.status === 'True') return false;
  return (
    ready.reason === 'DependencyNotReady' ||
    ready.reason === 'ArtifactFailed' ||
    /(?:HelmChart|source|artifact)[^\n]*(?:is )?not (?:ready|found)|Source artifact not found|dependency '[^']+' is not ready/i.test(
      ready.message ?? '',
    )
  );
}

/**
 * The deepest failing object `obj` waits on, or `obj` itself when nothing it
 * waits on fails. Undefined when neither `obj` nor anything upstream fails.
 * Missing upstream objects and cycles are DEPENDENCY_NOT_READY's business.
 *
 * @public
 */
export function failingRoot(
  index: ObjectIndex,
  obj: SlimObject,
): { root: SlimObject; path: SlimObject[] } | undefined {
  const seen = new Set<SlimObject>();
  const walk = (
    current: SlimObject,
    path: SlimObject[],
  ): { root: SlimObject; path: SlimObject[] } | undefined => {
    seen.add(current);
    for (const u of upstreams(index, current)) {
      if (!u.obj || seen.has(u.obj)) continue;
      // Follow what fails, and what is only blocked (it may be blocked by something failing further up).
      if (!isFailing(u.obj) && !waitsOnOthers(u.obj)) continue;
      const deeper = walk(u.obj, [...path, u.obj]);
      if (deeper) return deeper;
    }
    return isFailing(current) ? { root: current, path } : undefined;
  };
  return walk(obj, [obj]);
}

/** Flux and ESO groups the blocked annotation covers. */
export function isChainObject(obj: SlimObject): boolean {
  const g = apiGroup(obj.apiVersion);
  return g.endsWith('.toolkit.fluxcd.io') || g === ESO_GROUP;
}
