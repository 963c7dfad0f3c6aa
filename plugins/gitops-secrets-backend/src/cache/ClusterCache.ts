import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  ClusterError,
  ClusterErrorType,
  ClusterStatus,
  SlimObject,
  SummarizeClusterInput,
  SummaryScope,
  WatchedKind,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  WATCHED_KINDS,
  limitClusterStatus,
  summarizeCluster,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type { ClusterDetails, GitopsSecretsSettings } from '../config/clusters';
import { DEFAULTS } from '../config/clusters';
import type {
  KubeClient,
  KubeClientFactory,
  ReadOptions,
} from '../kube/KubeClient';
import { KubeRequestError } from '../kube/KubeClient';
import { CrdTracker } from './CrdTracker';
import type { Discovery } from './discovery';
import { discover } from './discovery';
import { FailingObjectEvents } from './events';
import { StringPool } from './intern';
import { abortableSleep, jittered, KindReflector } from './KindReflector';
import { ConcurrencyLimit } from './limit';

export interface ClusterCacheDeps {
  clientFactory: KubeClientFactory;
  logger: LoggerService;
  settings: Pick<
    GitopsSecretsSettings,
    'pageSize' | 'backoffInitialMs' | 'backoffMaxMs' | 'summaryTtlMs'
  > &
    Partial<Pick<GitopsSecretsSettings, 'maxConcurrentLists'>>;
  /** Server-side watch timeout in seconds (default 300). */
  watchTimeoutSeconds?: number;
  now?: () => number;
}

/** Error types by how much they say about the cluster: the first present wins. */
const ERROR_PRIORITY: ClusterErrorType[] = [
  'NOT_CONFIGURED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'UNREACHABLE',
  'TIMEOUT',
  'UNSUPPORTED_API',
  'UNKNOWN',
];

const CRD_KIND = WATCHED_KINDS.find(
  k => k.kind === 'CustomResourceDefinition',
)!;

/** Members cut from the JSON text of other kinds before it is parsed (slimming drops them anyway). */
export const OBJECT_READ: ReadOptions = {
  omitKeys: new Set(['managedFields']),
};

/** Cut summaries kept per cluster (per scope and limit: the cluster itself and each Component asking). */
const MAX_SUMMARIES = 64;
/** Whole summaries kept per cluster, for paging through lists. */
const MAX_FULL_SUMMARIES = 2;

function errorType(err: KubeRequestError): ClusterErrorType {
  switch (err.failure) {
    case 'config':
      return 'NOT_CONFIGURED';
    case 'timeout':
      return 'TIMEOUT';
    case 'network':
      return 'UNREACHABLE';
    case 'http':
      if (err.status === 401) return 'UNAUTHORIZED';
      if (err.status === 403) return 'FORBIDDEN';
      return 'UNKNOWN';
    default:
      return 'UNKNOWN';
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

interface CachedSummary {
  generation: number;
  at: number;
  status: ClusterStatus;
}

/**
 * Everything the backend knows about one cluster: what it serves, and one
 * list+watch per served kind. Started on first use, stopped when idle.
 * Answers come from memory; nothing here lists per request.
 */
export class ClusterCache {
  readonly name: string;
  readonly timeoutMs: number;
  /** Bumped on every change; summaries are cached against it. */
  generation = 0;
  lastUsed = 0;

  private client?: KubeClient;
  /** List requests in flight on this cluster, shared by its kinds; new per start. */
  private listLimit?: ConcurrencyLimit;
  private configError?: KubeRequestError;
  private discovery?: Discovery;
  private discoveryError?: KubeRequestError;
  private discovering?: Promise<void>;
  private rediscoverRequested = false;
  /** Per watched kind: its list+watch (for CRDs, the tracker reading the needed ones by name). */
  private readonly reflectors = new Map<string, KindReflector | CrdTracker>();
  private readonly pool = new StringPool();
  private abort = new AbortController();
  private started = false;
  private waiters: Array<() => void> = [];
  private objectsCache?: { generation: number; objects: SlimObject[] };
  /** Answers cut to a limit, per scope and limit. */
  private readonly summaries = new Map<string, CachedSummary>();
  /** Whole answers, per scope: few, as they grow with the cluster. */
  private readonly fullSummaries = new Map<string, CachedSummary>();
  private backoffMs: number;
  /** Events of failing objects, read on demand (never watched). */
  readonly failingEvents: FailingObjectEvents;

  constructor(
    readonly details: ClusterDetails,
    private readonly deps: ClusterCacheDeps,
  ) {
    this.name = details.name;
    this.timeoutMs = details.timeoutMs;
    this.backoffMs = deps.settings.backoffInitialMs;
    this.failingEvents = new FailingObjectEvents({
      ttlMs: deps.settings.summaryTtlMs,
      logger: deps.logger,
      cluster: details.name,
      now: deps.now,
    });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  get isStarted(): boolean {
    return this.started;
  }

  touch(): void {
    this.lastUsed = this.now();
  }

  /** Start discovery and the watches; idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.abort = new AbortController();
    this.touch();
    this.listLimit = new ConcurrencyLimit(
      this.deps.settings.maxConcurrentLists ?? DEFAULTS.maxConcurrentLists,
    );
    try {
      this.client = this.deps.clientFactory(this.details);
      this.configError = undefined;
    } catch (e) {
      this.configError =
        e instanceof KubeRequestError
          ? e
          : new KubeRequestError(
              'config',
              'The cluster configuration cannot be used',
            );
      this.deps.logger.warn(
        `gitops-secrets: cluster ${this.name} is not usable: ${this.configError.message}`,
      );
      this.changed();
      return;
    }
    this.deps.logger.info(
      `gitops-secrets: starting watches on cluster ${this.name}`,
    );
    this.rediscover();
  }

  /** Stop every watch and forget the objects (the next start lists again). */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.abort.abort();
    for (const r of this.reflectors.values()) r.stop();
    this.reflectors.clear();
    // After the aborts: requests still in flight end as cancelled, then the connections close.
    this.client?.close?.();
    this.client = undefined;
    this.listLimit = undefined;
    this.discovery = undefined;
    this.discoveryError = undefined;
    this.discovering = undefined;
    this.summaries.clear();
    this.fullSummaries.clear();
    this.objectsCache = undefined;
    this.failingEvents.clear();
    this.changed();
  }

  /**
   * Read the Events of failing ESO and Flux objects whose Events are older than the summary's TTL, so the
   * next summary names providers' errors. Never rejects; a change invalidates the cached summaries.
   */
  async refreshEvents(): Promise<void> {
    if (!this.client || !this.discovery) return;
    const changed = await this.failingEvents.refresh(
      this.client,
      this.objects(),
      this.abort.signal,
    );
    if (changed) this.changed();
  }

  /** Something changed: invalidate summaries and wake waiters that can now answer. */
  private changed(): void {
    this.generation++;
    if (this.waiters.length && this.settled()) {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  /** Every part has an outcome: a first list, or a failure to report. */
  settled(): boolean {
    if (this.configError) return true;
    if (!this.discovery) return Boolean(this.discoveryError);
    for (const r of this.reflectors.values()) if (!r.attempted) return false;
    return true;
  }

  /** Wait until settled, at most `timeoutMs`. Never rejects. */
  whenSettled(timeoutMs: number = this.timeoutMs): Promise<boolean> {
    if (this.settled()) return Promise.resolve(true);
    return new Promise(resolve => {
      const state: { done: boolean; timer?: NodeJS.Timeout } = { done: false };
      const waiter = () => {
        if (state.done) return;
        state.done = true;
        clearTimeout(state.timer);
        resolve(true);
      };
      state.timer = setTimeout(() => {
        if (state.done) return;
        state.done = true;
        this.waiters = this.waiters.filter(w => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Run discovery (again), coalescing requests that arrive while one runs. */
  private rediscover(): void {
    if (!this.started || !this.client) return;
    if (this.discovering) {
      this.rediscoverRequested = true;
      return;
    }
    const signal = this.abort.signal;
    const client = this.client;
    const run = (async () => {
      while (!signal.aborted) {
        this.rediscoverRequested = false;
        try {
          const d = await discover(client, signal);
          if (signal.aborted) return;
          this.discovery = d;
          this.discoveryError = undefined;
          this.backoffMs = this.deps.settings.backoffInitialMs;
          this.reconcileReflectors(d);
          this.changed();
          if (!this.rediscoverRequested) return;
        } catch (e) {
          if (signal.aborted) return;
          const err =
            e instanceof KubeRequestError
              ? e
              : new KubeRequestError('malformed', 'API discovery failed');
          if (this.discoveryError?.message !== err.message) {
            this.deps.logger.warn(
              `gitops-secrets: API discovery on cluster ${this.name} failed, retrying with backoff: ${err.message}`,
            );
          }
          this.discoveryError = err;
          this.changed();
          await abortableSleep(jittered(this.backoffMs), signal);
          this.backoffMs = Math.min(
            this.backoffMs * 2,
            this.deps.settings.backoffMaxMs,
          );
        }
      }
    })();
    this.discovering = run;
    run.finally(() => {
      // A loop of an earlier start must not clear the current one.
      if (this.discovering === run) this.discovering = undefined;
    });
  }

  /** Start a reflector per served kind; stop those no longer served or served in another version. */
  private reconcileReflectors(d: Discovery): void {
    for (const kind of WATCHED_KINDS) {
      const version = d.served[kind.key];
      const have = this.reflectors.get(kind.key);
      if (have && have.version === version) continue;
      if (have) {
        have.stop();
        this.reflectors.delete(kind.key);
      }
      if (version)
        this.reflectors.set(kind.key, this.makeReflector(kind, version));
    }
    for (const r of this.reflectors.values()) r.start();
  }

  private makeReflector(
    kind: WatchedKind,
    version: string,
  ): KindReflector | CrdTracker {
    const common = {
      client: this.client!,
      kind,
      version,
      listLimit: this.listLimit,
      pageSize: this.deps.settings.pageSize,
      backoffInitialMs: this.deps.settings.backoffInitialMs,
      backoffMaxMs: this.deps.settings.backoffMaxMs,
      watchTimeoutSeconds: this.deps.watchTimeoutSeconds ?? 300,
      requestTimeoutMs: this.timeoutMs,
      pool: this.pool,
      logger: this.deps.logger,
      now: this.deps.now,
      onChange: () => this.changed(),
      onGone: () => this.rediscover(),
    };
    if (kind === CRD_KIND) {
      // CRDs by name: a metadata-only watch of all of them, the needed ones read in full. It tells when a
      // watched kind starts or stops being served (ESO installed after the fact, a CRD upgraded to a new
      // version): then discovery runs again.
      return new CrdTracker({
        ...common,
        onServedChange: () => this.rediscover(),
      });
    }
    return new KindReflector({ ...common, read: OBJECT_READ });
  }

  /** The cluster-level error to report now, if any. `timedOut`: the caller gave up waiting. */
  currentError(timedOut = false): ClusterError | undefined {
    if (this.configError) {
      return { type: 'NOT_CONFIGURED', message: this.configError.message };
    }
    if (this.discoveryError && !this.discovery) {
      return this.describe([
        { err: this.discoveryError, what: 'API discovery' },
      ]);
    }
    const failing: Array<{ err: KubeRequestError; what: string }> = [];
    if (this.discoveryError) {
      failing.push({ err: this.discoveryError, what: 'API discovery' });
    }
    for (const r of this.reflectors.values()) {
      if (r.lastError) failing.push({ err: r.lastError, what: r.kind.key });
    }
    if (failing.length) return this.describe(failing);
    if (timedOut || !this.settled()) {
      return {
        type: 'TIMEOUT',
        message: `The cluster did not answer within ${formatMs(
          this.timeoutMs,
        )}; still trying in the background.`,
      };
    }
    return undefined;
  }

  /** One error for several failures: the most telling type, naming what failed. Never upstream text. */
  private describe(
    failing: Array<{ err: KubeRequestError; what: string }>,
  ): ClusterError {
    const typed = failing.map(f => ({ ...f, type: errorType(f.err) }));
    const type =
      ERROR_PRIORITY.find(t => typed.some(f => f.type === t)) ?? 'UNKNOWN';
    const mine = typed.filter(f => f.type === type);
    const whats = mine.map(f => f.what);
    const list =
      whats.length > 4
        ? `${whats.slice(0, 4).join(', ')} and ${whats.length - 4} more`
        : whats.join(', ');
    const err = mine[0].err;
    let message: string;
    switch (type) {
      case 'UNAUTHORIZED':
        message = `The API server rejected the backend's credentials (HTTP 401) reading ${list}.`;
        break;
      case 'FORBIDDEN':
        message = `The backend's identity may not list/watch ${list} (HTTP 403).`;
        break;
      case 'UNREACHABLE':
        message = `Cannot reach the API server (${err.message}).`;
        break;
      case 'TIMEOUT':
        message = `The API server did not answer within ${formatMs(
          this.timeoutMs,
        )} (reading ${list}).`;
        break;
      default:
        message =
          err.failure === 'http'
            ? `The API server answered HTTP ${err.status} reading ${list}.`
            : `Reading ${list} failed: ${err.message}.`;
    }
    const stale = this.staleness();
    if (stale !== undefined && stale > 0) {
      message += ` Showing what was cached ${Math.round(stale)} s ago.`;
    }
    return { type, message };
  }

  /** Seconds since the cache was last known current; 0 while every watch is open. */
  staleness(): number | undefined {
    let oldest: number | undefined;
    let any = false;
    for (const r of this.reflectors.values()) {
      if (!r.hasSynced) continue;
      any = true;
      if (r.connected) continue;
      const at = r.lastCurrentAt ?? 0;
      if (oldest === undefined || at < oldest) oldest = at;
    }
    if (!any) return undefined;
    return oldest === undefined ? 0 : Math.max(0, (this.now() - oldest) / 1000);
  }

  /**
   * Whether the cache can answer for one watched kind: `unknown` before discovery, `absent` when the cluster
   * serves no version we read, `failing` while its list/watch has no current list, `listed` otherwise.
   */
  kindState(key: string): 'unknown' | 'absent' | 'failing' | 'listed' {
    if (!this.discovery) return 'unknown';
    if (!this.discovery.served[key]) return 'absent';
    const r = this.reflectors.get(key);
    if (!r || !r.hasSynced || r.lastError) return 'failing';
    return 'listed';
  }

  /** All cached objects (an array rebuilt only when something changed). */
  objects(): SlimObject[] {
    if (this.objectsCache?.generation === this.generation) {
      return this.objectsCache.objects;
    }
    const objects: SlimObject[] = [];
    for (const r of this.reflectors.values()) {
      for (const o of r.objects()) objects.push(o);
    }
    this.objectsCache = { generation: this.generation, objects };
    return objects;
  }

  /**
   * What a summary of this cluster is computed from (all but the time and the scope), for another
   * replica to answer from (src/replicas). `timedOut`: report the cluster as not answering yet.
   */
  summaryInputs(
    timedOut = false,
  ): Omit<SummarizeClusterInput, 'now' | 'scope'> {
    const cacheAge = this.staleness();
    return {
      cluster: this.name,
      objects: this.objects(),
      servedVersions: this.discovery?.served ?? {},
      unsupported: this.discovery?.unsupported ?? [],
      error: this.currentError(timedOut),
      cacheAgeSeconds:
        cacheAge === undefined ? undefined : Math.floor(cacheAge),
      events: this.failingEvents.current(),
    };
  }

  /** Counts for tests and diagnostics. */
  stats(): {
    objects: number;
    watches: number;
    lists: number;
    internedStrings: number;
  } {
    let objects = 0;
    let watches = 0;
    let lists = 0;
    for (const r of this.reflectors.values()) {
      objects += r.size;
      if (r.connected) watches++;
      lists += r.lists;
    }
    return { objects, watches, lists, internedStrings: this.pool.size };
  }

  /** Drop cached summaries older than summaryTtlMs (called by the fleet's housekeeping). */
  sweep(): void {
    const now = this.now();
    const ttl = this.deps.settings.summaryTtlMs;
    for (const cache of [this.summaries, this.fullSummaries]) {
      for (const [key, entry] of cache) {
        if (now - entry.at >= ttl) cache.delete(key);
      }
    }
  }

  private fresh(entry: CachedSummary | undefined, now: number): boolean {
    return (
      !!entry &&
      entry.generation === this.generation &&
      now - entry.at < this.deps.settings.summaryTtlMs
    );
  }

  private remember(
    cache: Map<string, CachedSummary>,
    key: string,
    status: ClusterStatus,
    now: number,
    max: number,
  ): void {
    cache.delete(key);
    cache.set(key, { generation: this.generation, at: now, status });
    while (cache.size > max) cache.delete(cache.keys().next().value!);
  }

  /**
   * The status of the cluster, or of a Component's part of it, with each list
   * cut to `limit` entries (all when absent). Cached per scope and limit until
   * something changes on the cluster or `summaryTtlMs` passes (time alone can
   * make an ExternalSecret stale). Cut answers are small and many may be kept;
   * full ones (for paging) can be large, so only a couple are.
   */
  summary(
    scope: SummaryScope | undefined,
    opts: { timedOut?: boolean; limit?: number } = {},
  ): ClusterStatus {
    const scopeKey = scope
      ? JSON.stringify([scope.namespaces ?? [], scope.kubernetesId ?? ''])
      : '*';
    const now = this.now();
    const limitKey = `${scopeKey}|${opts.limit ?? 'all'}`;
    if (!opts.timedOut) {
      const hit =
        opts.limit === undefined
          ? this.fullSummaries.get(scopeKey)
          : this.summaries.get(limitKey);
      if (hit && this.fresh(hit, now)) return hit.status;
    }
    let full = opts.timedOut ? undefined : this.fullSummaries.get(scopeKey);
    if (!full || !this.fresh(full, now)) {
      const error = this.currentError(opts.timedOut);
      const cacheAge = this.staleness();
      const status = summarizeCluster({
        cluster: this.name,
        objects: this.objects(),
        servedVersions: this.discovery?.served ?? {},
        unsupported: this.discovery?.unsupported ?? [],
        error,
        now: new Date(now),
        scope,
        cacheAgeSeconds:
          cacheAge === undefined ? undefined : Math.floor(cacheAge),
        events: this.failingEvents.current(),
      });
      if (opts.timedOut) {
        return opts.limit === undefined
          ? status
          : limitClusterStatus(status, opts.limit);
      }
      full = { generation: this.generation, at: now, status };
      // Whole answers are kept only for paging; a cut answer does not keep its (large) source alive.
      if (opts.limit === undefined) {
        this.remember(
          this.fullSummaries,
          scopeKey,
          status,
          now,
          MAX_FULL_SUMMARIES,
        );
      }
    }
    if (opts.limit === undefined) return full.status;
    const cut = limitClusterStatus(full.status, opts.limit);
    this.remember(this.summaries, limitKey, cut, now, MAX_SUMMARIES);
    return cut;
  }
}
