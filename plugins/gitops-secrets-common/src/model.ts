/**
 * Wire types of the gitops-secrets REST API, shared by the backend (which
 * produces them with `summarizeCluster`) and the entity card (which renders
 * them). Everything here is plain JSON: strings, numbers, booleans, arrays.
 */

/** Health of an object, a cluster or an entity. @public */
export type Health = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';

/**
 * Why a cluster could not be read. Mirrors the error types of Backstage's
 * Kubernetes fan-out: one broken cluster never fails a whole response.
 *
 * @public
 */
export type ClusterErrorType =
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'UNSUPPORTED_API'
  | 'NOT_CONFIGURED'
  | 'UNKNOWN';

/** @public */
export interface ClusterError {
  type: ClusterErrorType;
  /** Written by the backend; never the upstream response body. */
  message: string;
}

/** @public */
export interface ObjectRef {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
}

/** Every finding code, in the order the rules run (their priority). @public */
export const FINDING_CODES = [
  'CLUSTER_UNREACHABLE',
  'CLUSTER_TIMEOUT',
  'CLUSTER_UNAUTHORIZED',
  'CLUSTER_FORBIDDEN',
  'CLUSTER_NOT_CONFIGURED',
  'CLUSTER_ERROR',
  'UNSUPPORTED_API',
  'ESO_NOT_INSTALLED',
  'ESO_CRD_MISSING',
  'CRD_RACE',
  'WEBHOOK_RACE',
  'REMOVED_API_VERSION',
  'ESO_CONVERSION_FAILED',
  'SOURCE_FAILED',
  'KUSTOMIZATION_FAILED',
  'HELMRELEASE_FAILED',
  'DEPENDENCY_NOT_READY',
  'CRD_VERSION_SKEW',
  'OPERATOR_NOT_READY',
  'STORE_INVALID',
  'STORE_UNVERIFIED',
  'SECRET_SYNC_ERROR',
  'SECRET_STALE',
  'OBJECT_SUSPENDED',
  'LEAF_NOT_BOOTSTRAPPED',
  'LEAF_CREDENTIALS_NOT_COPIED',
] as const;

/** @public */
export type FindingCode = (typeof FINDING_CODES)[number];

/** @public */
export type FindingSeverity = 'error' | 'warning' | 'info';

/** Severities, most urgent first; findings are sorted by this. @public */
export const FINDING_SEVERITY_ORDER: readonly FindingSeverity[] = [
  'error',
  'warning',
  'info',
];

/** A diagnosis: what is wrong, why, and what to do about it. @public */
export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  title: string;
  detail: string;
  /** What to change, naming the object to change. */
  fix: string;
  objects: ObjectRef[];
  /** A kubectl command to look; never one that reads Secret data. */
  command?: string;
  /** The class of failure within the code, e.g. `build-missing-file`, `aws-access-denied` (docs/diagnoses.md). */
  category?: string;
  /** Objects that wait on this finding's root cause and are not Ready because of it. */
  blocks?: ObjectRef[];
  /** Recent Events of the finding's objects (newest first, a few), when the backend read them. */
  events?: FindingEvent[];
}

/** One Event of an object a finding names: what the controller last said about it. @public */
export interface FindingEvent {
  object: { kind: string; name: string; namespace?: string };
  /** `Warning` or `Normal`. */
  type?: string;
  reason?: string;
  message?: string;
  /** How often it happened (the API server deduplicates repeats). */
  count?: number;
  lastTimestamp?: string;
}

/** @public */
export interface FluxObjectStatus {
  ref: ObjectRef;
  health: Health;
  /** fluxcd/pkg `IsReady`: Ready=True, not Stalled, not Reconciling, observedGeneration current. */
  ready?: boolean;
  reason?: string;
  message?: string;
  suspended: boolean;
  /** Last applied (Kustomization/HelmRelease) or stored artifact (sources) revision. */
  revision?: string;
  dependsOn: ObjectRef[];
  lastTransitionTime?: string;
  /** Ready=False (not waiting on a dependency) or Stalled: Flux could not apply it. */
  failing?: boolean;
  /** e.g. "failing since …, retrying every 1m; last applied main@sha1:…" (only while failing). */
  activity?: string;
  /** The deepest failing object this one waits on (dependsOn, source, chart), when it is not itself. */
  blockedBy?: ObjectRef;
}

/** @public */
export interface ExternalSecretStatus {
  ref: ObjectRef;
  health: Health;
  store: { kind: string; name: string };
  /** Name of the Secret ESO writes (spec.target.name, else the ExternalSecret's name). */
  targetSecret: string;
  /** Ready=True. */
  synced: boolean;
  /** Synced, but not refreshed for more than twice its refreshInterval. */
  stale: boolean;
  reason?: string;
  message?: string;
  refreshInterval?: string;
  refreshTime?: string;
}

/** @public */
export interface StoreStatus {
  ref: ObjectRef;
  health: Health;
  /** Key of spec.provider, e.g. `aws`, `vault`. */
  provider?: string;
  reason?: string;
  message?: string;
}

/** @public */
export interface OperatorDeploymentStatus {
  name: string;
  namespace: string;
  ready: number;
  desired: number;
}

/** @public */
export interface EsoStatus {
  installed: boolean;
  /** ESO version the installed CRDs come from, when it can be told. */
  crdVersion?: string;
  /** Chart version the ESO HelmRelease installed (or attempts). */
  chartVersion?: string;
  operator: { deployments: OperatorDeploymentStatus[]; ready: boolean };
  stores: StoreStatus[];
  externalSecrets: ExternalSecretStatus[];
  /** `synced` counts Ready=True; `stale` is a subset of `synced`; `failing` counts Ready=False. */
  counts: { total: number; synced: number; failing: number; stale: number };
  /** Most recent refreshTime of any ExternalSecret shown. */
  lastRefresh?: string;
}

/** A Cluster API leaf cluster managed from this cluster (WGE style). @public */
export interface LeafClusterStatus {
  name: string;
  namespace: string;
  health: Health;
  /** The GitopsCluster carries `capi.weave.works/bootstrapped`. */
  bootstrapped: boolean;
  /** Every ClusterResourceSet selecting the Cluster has applied all its resources to it. */
  credentialsCopied: boolean;
  /** The Cluster asks for credentials (label secretmanager) or a ClusterResourceSet selects it. */
  credentialsRequired: boolean;
  /** CAPI Cluster phase. */
  phase?: string;
  message?: string;
}

/** @public */
export interface ClusterStatus {
  cluster: string;
  health: Health;
  reachable: boolean;
  error?: ClusterError;
  /** Watched kind key → API version served and read. */
  servedVersions?: Record<string, string>;
  eso?: EsoStatus;
  flux: { objects: FluxObjectStatus[] };
  leafClusters: LeafClusterStatus[];
  findings: Finding[];
  /** ISO 8601. */
  observedAt: string;
  /** 0 while the backend's watches are connected; otherwise seconds since the cache was last known current. */
  cacheAgeSeconds?: number;
  /**
   * Present only when the lists (`flux.objects`, `eso.stores`, `eso.externalSecrets`, `leafClusters`) were cut to
   * `limit` entries each. Problems are kept first; `eso.counts` and `totals` stay exact. Page through everything
   * with `GET …/objects?kind=`.
   */
  truncated?: ClusterStatusTruncation;
}

/** How many entries each list of a {@link ClusterStatus} had before it was cut. @public */
export interface ClusterListTotals {
  fluxObjects: number;
  externalSecrets: number;
  stores: number;
  leafClusters: number;
}

/** @public */
export interface ClusterStatusTruncation {
  /** Entries kept per list. */
  limit: number;
  totals: ClusterListTotals;
  /** What the card's chain counts, taken from the whole lists before they were cut. */
  tallies?: ClusterTallies;
  /** Findings before a card summary kept only the most urgent (absent: all findings are there). */
  findings?: number;
}

/** One list's count and merged health (absent when the list is empty). @public */
export interface ListTally {
  total: number;
  /** Entries whose health is Healthy. */
  healthy: number;
  health?: Health;
}

/**
 * Counts behind the card's chain (sources ready, stores valid, leaf clusters bootstrapped), exact even when the
 * lists were cut. ExternalSecrets are counted in `eso.counts`.
 *
 * @public
 */
export interface ClusterTallies {
  /** Flux sources (GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket) among `flux.objects`. */
  sources: ListTally;
  stores: ListTally;
  leafClusters: ListTally & {
    bootstrapped: number;
    credentialsRequired: number;
    credentialsCopied: number;
  };
}

/** @public */
export interface EntityStatusResponse {
  entityRef: string;
  clusters: ClusterStatus[];
  health: Health;
}

/**
 * Answer of `GET /entities/:namespace/:kind/:name/summary`, what the card reads: per cluster only the entries that
 * need attention (at most `limit` per list, worst first), the most urgent findings, and the exact counts in
 * `truncated`. The full lists page through `…/objects`.
 *
 * @public
 */
export type EntitySummaryResponse = EntityStatusResponse;

/** @public */
export interface ClusterSummary {
  name: string;
  health: Health;
  reachable: boolean;
  error?: ClusterError;
}

/** Answer of `GET /clusters`: every configured cluster the caller may read. @public */
export interface ClusterListResponse {
  clusters: ClusterSummary[];
}

/** The lists `GET …/objects?kind=` pages through. @public */
export const OBJECT_LIST_KINDS = [
  'externalsecrets',
  'flux',
  'stores',
  'leafclusters',
] as const;

/** @public */
export type ObjectListKind = (typeof OBJECT_LIST_KINDS)[number];

/** The item type of each object list. @public */
export interface ObjectListItems {
  externalsecrets: ExternalSecretStatus;
  flux: FluxObjectStatus;
  stores: StoreStatus;
  leafclusters: LeafClusterStatus;
}

/**
 * One page of a cluster's list (`GET /clusters/:name/objects`, or scoped to an entity with
 * `GET /entities/:namespace/:kind/:name/objects?cluster=`). Sorted by namespace, kind, name.
 *
 * @public
 */
export interface ObjectPage<K extends ObjectListKind = ObjectListKind> {
  cluster: string;
  kind: K;
  /** Matching entries in all pages (after `q` and `health`). */
  total: number;
  offset: number;
  limit: number;
  items: Array<ObjectListItems[K]>;
  /** The cluster could not be read: the page is empty or shows the last cached state. */
  error?: ClusterError;
}
