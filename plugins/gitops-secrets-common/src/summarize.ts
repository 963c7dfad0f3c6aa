/**
 * From one cluster's slim objects to the `ClusterStatus` the API returns.
 * Pure: the caller passes `now`, the objects and what the cluster serves.
 */

import {
  ANNOTATION_CAPI_BOOTSTRAPPED,
  LABEL_SECRET_MANAGER,
} from './annotations';
import {
  ConditionType,
  getCondition,
  fluxActivity,
  isCapiClusterProvisioned,
  isReady,
  isStalled,
  isSuspended,
  isTrue,
  mergeHealth,
  objectHealth,
  toHealth,
} from './conditions';
import type {
  ClusterError,
  ClusterStatus,
  ClusterSummary,
  EsoStatus,
  ExternalSecretStatus,
  Finding,
  FindingEvent,
  FluxObjectStatus,
  Health,
  LeafClusterStatus,
  StoreStatus,
} from './model';
import { ObjectIndex, dependencies, refOf } from './objects';
import {
  clusterResourceSetsFor,
  isExternalSecretStale,
  runRules,
} from './rules';
import type { SlimObject } from './slim';
import type { ClusterView, EsoFacts, SummaryScope } from './view';
import { EventIndex } from './events';
import type { SlimEvent } from './events';
import { failingRoot } from './rules/graph';
import { buildView, esoFacts } from './view';

/** @public */
export interface SummarizeClusterInput {
  cluster: string;
  objects: SlimObject[];
  /** Watched kind key → the version read, or null when the kind is not served. */
  servedVersions: Record<string, string | null>;
  /** Kinds whose CRD exists but serves only versions this package does not read. */
  unsupported?: Array<{ kind: string; servedVersions: string[] }>;
  error?: ClusterError;
  now: Date;
  scope?: SummaryScope;
  /** How old the objects are, when they come from a cache. */
  cacheAgeSeconds?: number;
  /** Events of failing objects (read on demand by the backend); provider errors are often only there. */
  events?: SlimEvent[];
}

function sortKey(obj: SlimObject): string {
  return `${obj.metadata.namespace ?? ''}\u0000${obj.kind}\u0000${
    obj.metadata.name
  }`;
}

function byKey(a: SlimObject, b: SlimObject): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  if (ka < kb) return -1;
  return ka > kb ? 1 : 0;
}

function withOptional<T extends object>(
  base: T,
  extra: Record<string, unknown>,
): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** @public */
export function fluxObjectStatus(
  index: ObjectIndex,
  obj: SlimObject,
): FluxObjectStatus {
  // A Stalled object's Stalled condition says why it gave up; otherwise Ready speaks.
  const c = isStalled(obj)
    ? getCondition(obj, ConditionType.Stalled)
    : getCondition(obj, ConditionType.Ready);
  const s = obj.status;
  return withOptional<FluxObjectStatus>(
    {
      ref: refOf(obj),
      health: toHealth(objectHealth(obj)),
      ready: isReady(obj),
      suspended: isSuspended(obj),
      dependsOn: dependencies(index, obj).map(d => d.ref),
    },
    {
      reason: c?.reason,
      message: c?.message,
      revision:
        s?.lastAppliedRevision ??
        s?.history?.[0]?.chartVersion ??
        s?.artifact?.revision ??
        s?.lastAttemptedRevision,
      lastTransitionTime: getCondition(obj, ConditionType.Ready)
        ?.lastTransitionTime,
      ...fluxFailureFields(index, obj),
    },
  );
}

function fluxFailureFields(
  index: ObjectIndex,
  obj: SlimObject,
): Partial<FluxObjectStatus> {
  const out: Partial<FluxObjectStatus> = {};
  const activity = fluxActivity(obj);
  if (activity.failing) out.failing = true;
  if (activity.text) out.activity = activity.text;
  if (!isReady(obj) && !isSuspended(obj)) {
    const root = failingRoot(index, obj)?.root;
    if (root && root !== obj) out.blockedBy = refOf(root);
  }
  return out;
}

/** @public */
export function externalSecretStatus(
  es: SlimObject,
  now: Date,
): ExternalSecretStatus {
  const ready = getCondition(es, ConditionType.Ready);
  const synced = isTrue(es, ConditionType.Ready);
  const storeRef = es.spec?.secretStoreRef;
  return withOptional<ExternalSecretStatus>(
    {
      ref: refOf(es),
      health: toHealth(objectHealth(es)),
      store: {
        kind: storeRef?.kind ?? 'SecretStore',
        name: storeRef?.name ?? '',
      },
      targetSecret: es.spec?.target?.name ?? es.metadata.name,
      synced,
      stale: synced && isExternalSecretStale(es, now),
    },
    {
      reason: ready?.reason,
      message: ready?.message,
      refreshInterval: es.spec?.refreshInterval,
      refreshTime: es.status?.refreshTime,
    },
  );
}

/** @public */
export function storeStatus(store: SlimObject): StoreStatus {
  const ready = getCondition(store, ConditionType.Ready);
  return withOptional<StoreStatus>(
    { ref: refOf(store), health: toHealth(objectHealth(store)) },
    {
      provider: store.spec?.provider,
      reason: ready?.reason,
      message: ready?.message,
    },
  );
}

function esoStatus(view: ClusterView, facts: EsoFacts, now: Date): EsoStatus {
  const deployments = [...view.operatorDeployments].sort(byKey).map(d => ({
    name: d.metadata.name,
    namespace: d.metadata.namespace ?? '',
    ready: d.status?.readyReplicas ?? 0,
    desired: d.spec?.replicas ?? 1,
  }));
  const externalSecrets = [...view.externalSecrets]
    .sort(byKey)
    .map(es => externalSecretStatus(es, now));
  let lastRefresh: string | undefined;
  for (const es of externalSecrets) {
    if (
      es.refreshTime &&
      (!lastRefresh || Date.parse(es.refreshTime) > Date.parse(lastRefresh))
    ) {
      lastRefresh = es.refreshTime;
    }
  }
  return withOptional<EsoStatus>(
    {
      installed: facts.installed,
      operator: {
        deployments,
        ready:
          deployments.length > 0 &&
          deployments.every(d => d.ready >= d.desired),
      },
      stores: [...view.stores].sort(byKey).map(storeStatus),
      externalSecrets,
      counts: {
        total: externalSecrets.length,
        synced: externalSecrets.filter(e => e.synced).length,
        failing: view.externalSecrets.filter(
          e => getCondition(e, ConditionType.Ready)?.status === 'False',
        ).length,
        stale: externalSecrets.filter(e => e.stale).length,
      },
    },
    {
      crdVersion: facts.crdVersion,
      chartVersion: facts.chartVersion,
      lastRefresh,
    },
  );
}

function notReadyMessage(
  obj: SlimObject | undefined,
  type: string,
): string | undefined {
  const c = obj && getCondition(obj, type);
  return c && c.status !== 'True' ? c.message ?? c.reason : undefined;
}

/** One entry per GitopsCluster, plus CAPI Clusters that no GitopsCluster references. */
function leafClusters(
  index: ObjectIndex,
  view: ClusterView,
): LeafClusterStatus[] {
  const out: LeafClusterStatus[] = [];
  const linked = new Set<SlimObject>();
  const leaf = (
    gc: SlimObject | undefined,
    capi: SlimObject | undefined,
  ): LeafClusterStatus => {
    const named = (gc ?? capi)!;
    const sets = capi ? clusterResourceSetsFor(index, capi) : [];
    const credentialsRequired =
      Boolean(capi?.metadata.labels?.[LABEL_SECRET_MANAGER]) || sets.length > 0;
    const credentialsCopied = sets.length > 0 && sets.every(s => s.applied);
    const bootstrapped = Boolean(
      gc?.metadata.annotations?.[ANNOTATION_CAPI_BOOTSTRAPPED],
    );
    const provisioned = isCapiClusterProvisioned(capi);
    const healths: Health[] = [];
    if (gc) healths.push(toHealth(objectHealth(gc)));
    if (capi) healths.push(toHealth(objectHealth(capi)));
    // Provisioned but not yet bootstrapped: the bootstrap Job is expected to finish.
    if (gc && provisioned && !bootstrapped) healths.push('Progressing');
    if (provisioned && credentialsRequired && !credentialsCopied)
      healths.push('Degraded');
    return withOptional<LeafClusterStatus>(
      {
        name: named.metadata.name,
        namespace: named.metadata.namespace ?? '',
        health: mergeHealth(healths),
        bootstrapped,
        credentialsCopied,
        credentialsRequired,
      },
      {
        phase: capi?.status?.phase,
        message:
          notReadyMessage(gc, ConditionType.Ready) ??
          notReadyMessage(capi, ConditionType.Available) ??
          notReadyMessage(capi, ConditionType.Ready),
      },
    );
  };
  for (const gc of [...view.gitopsClusters].sort(byKey)) {
    const name = gc.spec?.capiClusterRef?.name;
    const capi = name
      ? index.get('cluster.x-k8s.io', 'Cluster', gc.metadata.namespace, name)
      : undefined;
    if (capi) linked.add(capi);
    out.push(leaf(gc, capi));
  }
  for (const capi of [...view.capiClusters].sort(byKey)) {
    if (!linked.has(capi)) out.push(leaf(undefined, capi));
  }
  return out;
}

/** Events shown per finding: enough to see what the controller keeps saying. */
export const MAX_FINDING_EVENTS = 3;

/** Each finding with the newest Events of the objects it names (the root first), when there are any. */
function withEvents(findings: Finding[], events: EventIndex): Finding[] {
  return findings.map(f => {
    const list: FindingEvent[] = [];
    for (const ref of f.objects) {
      for (const e of events.of({
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      })) {
        list.push(
          withOptional<FindingEvent>(
            { object: e.involvedObject },
            {
              type: e.type,
              reason: e.reason,
              message: e.message,
              count: e.count,
              lastTimestamp: e.lastTimestamp,
            },
          ),
        );
      }
    }
    if (!list.length) return f;
    list.sort((a, b) =>
      (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''),
    );
    return { ...f, events: list.slice(0, MAX_FINDING_EVENTS) };
  });
}

/**
 * Summarise one cluster: object statuses, findings, and one health.
 *
 * Health: a cluster error → Unknown. Otherwise the merge (by HEALTH_PRIORITY)
 * of every shown object's health, with each error finding counting as
 * Degraded; warnings and info do not change health.
 *
 * @public
 */
export function summarizeCluster(input: SummarizeClusterInput): ClusterStatus {
  const { cluster, objects, servedVersions, error, now, scope } = input;
  const index = new ObjectIndex(objects);
  const facts = esoFacts(index, servedVersions);
  const view = buildView(index, facts, scope);

  const events = new EventIndex(input.events ?? []);
  const findings = withEvents(
    runRules({
      cluster,
      now,
      index,
      view,
      eso: facts,
      servedVersions,
      unsupported: input.unsupported ?? [],
      error,
      events,
    }),
    events,
  );

  const fluxObjects = [...view.fluxObjects]
    .sort(byKey)
    .map(o => fluxObjectStatus(index, o));
  const leaves = leafClusters(index, view);
  const eso = esoStatus(view, facts, now);

  const served: Record<string, string> = {};
  for (const [k, v] of Object.entries(servedVersions))
    if (typeof v === 'string') served[k] = v;

  let health: Health;
  if (error) {
    health = 'Unknown';
  } else {
    health = mergeHealth([
      'Healthy',
      ...fluxObjects.map(o => o.health),
      ...eso.stores.map(s => s.health),
      ...eso.externalSecrets.map(e => e.health),
      ...view.operatorDeployments.map(d => toHealth(objectHealth(d))),
      ...leaves.map(l => l.health),
      ...findings
        .filter(f => f.severity === 'error')
        .map((): Health => 'Degraded'),
    ]);
  }

  const status: ClusterStatus = {
    cluster,
    health,
    reachable: !error || error.type === 'UNSUPPORTED_API',
    servedVersions: served,
    flux: { objects: fluxObjects },
    leafClusters: leaves,
    findings,
    observedAt: now.toISOString(),
  };
  if (error) status.error = { type: error.type, message: error.message };
  // Without objects an errored cluster says nothing about ESO: leave it out rather than claim "not installed".
  if (!error || objects.length) status.eso = eso;
  if (input.cacheAgeSeconds !== undefined)
    status.cacheAgeSeconds = input.cacheAgeSeconds;
  return status;
}

/** One health for an entity across its clusters; Unknown when it has none. @public */
export function summarizeEntity(clusters: ClusterStatus[]): Health {
  return mergeHealth(clusters.map(c => c.health));
}

/** The short form of a cluster's status for cluster lists. @public */
export function toClusterSummary(status: ClusterStatus): ClusterSummary {
  const out: ClusterSummary = {
    name: status.cluster,
    health: status.health,
    reachable: status.reachable,
  };
  if (status.error) out.error = status.error;
  return out;
}
