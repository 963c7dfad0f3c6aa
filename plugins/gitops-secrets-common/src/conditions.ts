/**
 * Small, nil-safe predicates over Kubernetes conditions, after fluxcd/pkg
 * runtime/conditions, and the health of each watched kind.
 */

import type { Health } from './model';
import { apiGroup } from './slim';
import type { SlimObject } from './slim';

/** @public */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A `metav1.Condition`. @public */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** Condition types and reasons the rules use. @public */
export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  Available: 'Available',
  Progressing: 'Progressing',
  Established: 'Established',
  NamesAccepted: 'NamesAccepted',
} as const;

/** @public */
export const Reason = {
  DependencyNotReady: 'DependencyNotReady',
  SecretSynced: 'SecretSynced',
  SecretSyncedError: 'SecretSyncedError',
  InvalidProviderConfig: 'InvalidProviderConfig',
  ValidationUnknown: 'ValidationUnknown',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
} as const;

/** Anything that may carry conditions; `undefined`/`null` are accepted everywhere. @public */
export interface Conditioned {
  metadata?: { generation?: number };
  status?: { conditions?: Condition[]; observedGeneration?: number };
}

type Maybe<T> = T | undefined | null;

/** The condition of this type, if any. @public */
export function getCondition(
  obj: Maybe<Conditioned>,
  type: string,
): Condition | undefined {
  return obj?.status?.conditions?.find(c => c.type === type);
}

/** @public */
export function isTrue(obj: Maybe<Conditioned>, type: string): boolean {
  return getCondition(obj, type)?.status === 'True';
}

/** @public */
export function isFalse(obj: Maybe<Conditioned>, type: string): boolean {
  return getCondition(obj, type)?.status === 'False';
}

/** True when the condition is Unknown or absent (as in fluxcd/pkg). @public */
export function isUnknown(obj: Maybe<Conditioned>, type: string): boolean {
  const c = getCondition(obj, type);
  return !c || c.status === 'Unknown';
}

/** Flux: the controller gave up until the spec changes. Present only when True. @public */
export function isStalled(obj: Maybe<Conditioned>): boolean {
  return isTrue(obj, ConditionType.Stalled);
}

/** Flux: work in progress. Present only when True. @public */
export function isReconciling(obj: Maybe<Conditioned>): boolean {
  return isTrue(obj, ConditionType.Reconciling);
}

/**
 * kstatus: the controller has not yet looked at the latest spec. Only when both
 * generations are known — kinds without observedGeneration (ESO) never lag.
 *
 * @public
 */
export function hasGenerationLag(obj: Maybe<Conditioned>): boolean {
  const generation = obj?.metadata?.generation;
  const observed = obj?.status?.observedGeneration;
  return (
    generation !== undefined && observed !== undefined && observed < generation
  );
}

/**
 * fluxcd/pkg `IsReady` plus kstatus' observedGeneration check:
 * Ready=True, not Stalled, not Reconciling, and the status describes the current spec.
 *
 * @public
 */
export function isReady(obj: Maybe<Conditioned>): boolean {
  return (
    !isStalled(obj) &&
    !isReconciling(obj) &&
    isTrue(obj, ConditionType.Ready) &&
    !hasGenerationLag(obj)
  );
}

/** Flux `spec.suspend`, CAPI `spec.paused`. @public */
export function isSuspended(obj: Maybe<SlimObject>): boolean {
  return obj?.spec?.suspend === true || obj?.spec?.paused === true;
}

/**
 * Health of one object. `Suspended` is kept apart so the UI can say so;
 * {@link toHealth} folds it for merging.
 *
 * @public
 */
export type ObjectHealth = Health | 'Suspended';

/**
 * Merge priority, most important first. When many healths become one, the
 * first of these present wins:
 * - Degraded: something needs a person now;
 * - Progressing: converging and expected to finish by itself, but not there yet;
 * - Unknown: we could not tell — it outranks Healthy because we never claim
 *   health we have not seen, and ranks below Progressing because an object we
 *   know is converging says more than one we cannot read;
 * - Healthy: only when everything is.
 *
 * @public
 */
export const HEALTH_PRIORITY: readonly Health[] = [
  'Degraded',
  'Progressing',
  'Unknown',
  'Healthy',
];

/** Suspended objects are not reconciled, so we cannot vouch for them: Unknown. @public */
export function toHealth(h: ObjectHealth): Health {
  return h === 'Suspended' ? 'Unknown' : h;
}

/** The most important of these healths by {@link HEALTH_PRIORITY}; Unknown for none. @public */
export function mergeHealth(healths: Iterable<ObjectHealth>): Health {
  let best: number | undefined;
  for (const h of healths) {
    const i = HEALTH_PRIORITY.indexOf(toHealth(h));
    if (best === undefined || i < best) best = i;
  }
  return best === undefined ? 'Unknown' : HEALTH_PRIORITY[best];
}

const FLUX_GROUPS = new Set([
  'kustomize.toolkit.fluxcd.io',
  'helm.toolkit.fluxcd.io',
  'source.toolkit.fluxcd.io',
]);

/** @public */
export function isFluxObject(obj: Maybe<SlimObject>): boolean {
  return FLUX_GROUPS.has(apiGroup(obj?.apiVersion));
}

/** @public */
export function isEsoObject(obj: Maybe<SlimObject>): boolean {
  return apiGroup(obj?.apiVersion) === 'external-secrets.io';
}

/**
 * Flux objects, as kstatus and fluxcd/pkg runtime/conditions mean it:
 * Suspended; Stalled → Degraded; Ready=False → Degraded even while Reconciling
 * (controllers keep Reconciling=True, reason `ProgressingWithRetry`, on every
 * failed reconcile they will retry); then generation lag or Reconciling →
 * Progressing; then Ready. Two exceptions stay Progressing: Ready=False while
 * waiting for a dependency (the dependency carries the fault) and Ready=False
 * from an older generation (the controller has not tried the current spec yet).
 *
 * @public
 */
export function fluxHealth(obj: Maybe<SlimObject>): ObjectHealth {
  if (!obj) return 'Unknown';
  if (isSuspended(obj)) return 'Suspended';
  if (isStalled(obj)) return 'Degraded';
  const ready = getCondition(obj, ConditionType.Ready);
  if (
    ready?.status === 'False' &&
    ready.reason !== Reason.DependencyNotReady &&
    !hasGenerationLag(obj)
  ) {
    return 'Degraded';
  }
  if (hasGenerationLag(obj) || isReconciling(obj)) return 'Progressing';
  if (!ready) return 'Unknown';
  if (ready.status === 'True') return 'Healthy';
  return 'Progressing';
}

/** How a Flux object is doing over time, for the card: failing since when, retrying how often, last success. @public */
export interface FluxActivity {
  /** Ready=False (not waiting on a dependency) or Stalled. */
  failing: boolean;
  /** The controller gave up until the spec changes (Stalled, or retries exhausted). */
  stalled: boolean;
  /** Ready's lastTransitionTime while failing. */
  failingSince?: string;
  /** spec.retryInterval, else spec.interval: how often a failing object is retried. */
  retryInterval?: string;
  /** Last revision applied (Kustomization) or attempted (HelmRelease) successfully. */
  lastAppliedRevision?: string;
  /** One line, e.g. "failing since 2026-08-20T11:00:00Z, retrying every 1m; last applied main@sha1:abc". */
  text?: string;
}

/** Failing, retrying and last-success facts of a Flux object. @public */
/**
 * HelmRelease v2 has no lastAppliedRevision: what runs is the newest `deployed`
 * release in its history (after a failed upgrade, the one before it).
 */
function helmReleaseDeployed(status: SlimObject['status']): string | undefined {
  const h = status?.history?.find(e => e.status === 'deployed');
  if (!h?.chartVersion) return undefined;
  return h.chartName ? `${h.chartName}@${h.chartVersion}` : h.chartVersion;
}

export function fluxActivity(obj: Maybe<SlimObject>): FluxActivity {
  const health = fluxHealth(obj);
  const ready = getCondition(obj, ConditionType.Ready);
  const stalled = isStalled(obj);
  const failing = health === 'Degraded';
  const out: FluxActivity = { failing, stalled };
  const retry = obj?.spec?.retryInterval ?? obj?.spec?.interval;
  if (retry) out.retryInterval = retry;
  const applied =
    obj?.status?.lastAppliedRevision ?? helmReleaseDeployed(obj?.status);
  if (applied) out.lastAppliedRevision = applied;
  if (failing && ready?.lastTransitionTime)
    out.failingSince = ready.lastTransitionTime;
  if (failing) {
    const parts: string[] = [];
    parts.push(
      out.failingSince ? `failing since ${out.failingSince}` : 'failing',
    );
    if (stalled) parts.push('stalled: not retried until the spec changes');
    else if (isReconciling(obj) || out.retryInterval)
      parts.push(
        out.retryInterval ? `retrying every ${out.retryInterval}` : 'retrying',
      );
    out.text = `${parts.join(', ')}${
      applied ? `; last applied ${applied}` : '; never applied'
    }`;
  }
  return out;
}

/**
 * ESO objects have no observedGeneration and no Reconciling/Stalled: only
 * Ready. Missing Ready is Unknown — the controller may not have seen the object
 * yet or may not be running; OPERATOR_NOT_READY tells which.
 *
 * @public
 */
export function esoHealth(obj: Maybe<SlimObject>): ObjectHealth {
  if (!obj) return 'Unknown';
  const ready = getCondition(obj, ConditionType.Ready);
  const failedNamespaces = obj.status?.failedNamespaces?.length ?? 0;
  if (failedNamespaces > 0) return 'Degraded';
  if (!ready) return 'Unknown';
  // A store ESO could not validate is Ready=True, ValidationUnknown: we cannot vouch for it.
  if (ready.status === 'True')
    return ready.reason === Reason.ValidationUnknown ? 'Unknown' : 'Healthy';
  if (ready.status === 'False') return 'Degraded';
  return 'Progressing';
}

/**
 * The CAPI Cluster's control plane is initialized, so addons (ClusterResourceSets) and the bootstrap Job can
 * reach it. Phase `Provisioned` alone is not enough: CAPI sets it once the infrastructure and the control-plane
 * endpoint exist, before the first control-plane node answers. Read, most specific first: v1beta2
 * `status.initialization.controlPlaneInitialized`, the `ControlPlaneInitialized` condition, v1beta1
 * `status.controlPlaneReady`, then the phase.
 *
 * @public
 */
export function isCapiClusterProvisioned(obj: Maybe<SlimObject>): boolean {
  const s = obj?.status;
  if (s?.initialization?.controlPlaneInitialized !== undefined) {
    return s.initialization.controlPlaneInitialized === true;
  }
  const initialized = getCondition(obj, 'ControlPlaneInitialized');
  if (initialized) return initialized.status === 'True';
  if (s?.controlPlaneReady !== undefined) return s.controlPlaneReady === true;
  return s?.phase === 'Provisioned';
}

/**
 * CAPI Cluster: v1beta2 summarises in `Available`, v1beta1 in `Ready`; the
 * phase says whether a False is still expected (Pending/Provisioning) or a fault.
 *
 * @public
 */
export function capiClusterHealth(obj: Maybe<SlimObject>): ObjectHealth {
  if (!obj) return 'Unknown';
  if (isSuspended(obj)) return 'Suspended';
  const s = obj.status;
  if (s?.phase === 'Failed' || s?.failureReason || s?.failureMessage) {
    return 'Degraded';
  }
  if (s?.phase === 'Deleting' || obj.metadata.deletionTimestamp) {
    return 'Progressing';
  }
  const summary =
    getCondition(obj, ConditionType.Available) ??
    getCondition(obj, ConditionType.Ready);
  if (summary?.status === 'True') {
    return hasGenerationLag(obj) ? 'Progressing' : 'Healthy';
  }
  if (s?.phase === 'Pending' || s?.phase === 'Provisioning') {
    return 'Progressing';
  }
  if (summary?.status === 'False') {
    // Not available before the control plane is up is expected; after, it is a fault.
    return isCapiClusterProvisioned(obj) ? 'Degraded' : 'Progressing';
  }
  if (summary?.status === 'Unknown') return 'Progressing';
  return s?.phase === 'Provisioned' ? 'Healthy' : 'Unknown';
}

/**
 * Deployment (kstatus rules, plus one: Available=False after the rollout
 * completed — e.g. a crash loop — is Degraded, not Progressing).
 *
 * @public
 */
export function deploymentHealth(obj: Maybe<SlimObject>): ObjectHealth {
  if (!obj) return 'Unknown';
  if (hasGenerationLag(obj)) return 'Progressing';
  const progressing = getCondition(obj, ConditionType.Progressing);
  if (
    progressing?.status === 'False' &&
    progressing.reason === Reason.ProgressDeadlineExceeded
  ) {
    return 'Degraded';
  }
  const desired = obj.spec?.replicas ?? 1;
  const s = obj.status ?? {};
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const updated = s.updatedReplicas ?? desired;
  if (ready >= desired && available >= desired && updated >= desired) {
    return 'Healthy';
  }
  if (
    isFalse(obj, ConditionType.Available) &&
    progressing?.reason === Reason.NewReplicaSetAvailable
  ) {
    return 'Degraded';
  }
  return 'Progressing';
}

/** GitopsCluster reasons that mean "waiting for the CAPI cluster", not a fault. */
const GITOPS_CLUSTER_WAITING = new Set([
  'WaitingForSecret',
  'WaitingForCAPICluster',
  'WaitingForControlPlaneReadyStatus',
]);

/** @public */
export function gitopsClusterHealth(obj: Maybe<SlimObject>): ObjectHealth {
  if (!obj) return 'Unknown';
  const ready = getCondition(obj, ConditionType.Ready);
  if (!ready) return 'Unknown';
  if (ready.status === 'True') return 'Healthy';
  if (ready.status === 'Unknown') return 'Progressing';
  return GITOPS_CLUSTER_WAITING.has(ready.reason ?? '')
    ? 'Progressing'
    : 'Degraded';
}

/** @public */
export function crdHealth(obj: Maybe<SlimObject>): ObjectHealth {
  if (!obj) return 'Unknown';
  if (isFalse(obj, ConditionType.NamesAccepted)) return 'Degraded';
  if (isTrue(obj, ConditionType.Established)) return 'Healthy';
  return 'Progressing';
}

/** Ready-condition health for the rest (ClusterResourceSet and friends). */
function readyConditionHealth(obj: SlimObject): ObjectHealth {
  const ready = getCondition(obj, ConditionType.Ready);
  if (!ready) return 'Unknown';
  if (ready.status === 'True') return 'Healthy';
  if (ready.status === 'False') return 'Degraded';
  return 'Progressing';
}

/** Health of any watched object, by its kind. @public */
export function objectHealth(obj: Maybe<SlimObject>): ObjectHealth {
  if (!obj) return 'Unknown';
  const group = apiGroup(obj.apiVersion);
  if (FLUX_GROUPS.has(group)) return fluxHealth(obj);
  if (group === 'external-secrets.io') return esoHealth(obj);
  if (group === 'cluster.x-k8s.io' && obj.kind === 'Cluster') {
    return capiClusterHealth(obj);
  }
  if (group === 'gitops.weave.works' && obj.kind === 'GitopsCluster') {
    return gitopsClusterHealth(obj);
  }
  if (group === 'apps' && obj.kind === 'Deployment') {
    return deploymentHealth(obj);
  }
  if (obj.kind === 'CustomResourceDefinition') return crdHealth(obj);
  return readyConditionHealth(obj);
}
