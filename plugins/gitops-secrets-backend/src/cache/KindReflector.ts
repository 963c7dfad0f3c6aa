import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  SlimObject,
  WatchedKind,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { slimObject } from '@golden-gitops/plugin-gitops-secrets-common';
import type { KubeClient, ReadOptions, WatchEvent } from '../kube/KubeClient';
import { KubeRequestError } from '../kube/KubeClient';
import type { StringPool } from './intern';
import type { ConcurrencyLimit } from './limit';

export interface ReflectorOptions {
  client: KubeClient;
  kind: WatchedKind;
  /** The served version to read. */
  version: string;
  /** Items per list page; a function is asked before each page (what a page costs may show only once read). */
  pageSize: number | (() => number);
  /** How list pages and watch events are read (members cut before parsing, e.g. CRD schemas). */
  read?: ReadOptions;
  /** How watch events are read, when not as lists are (a different Accept: one object per event). */
  watchRead?: ReadOptions;
  /**
   * Keep slim objects (default true). False: objects only go to `onRaw`, whose owner keeps what it needs (the
   * CRD tracker reads names here and fetches the few CRDs it needs in full).
   */
  keepObjects?: boolean;
  /**
   * Shared by the kinds of one cluster: each list request (page) waits for a
   * slot. The request's timeout starts when it is sent, not while it waits.
   */
  listLimit?: ConcurrencyLimit;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Server-side end of each watch (the API server closes it; we resume from the last resourceVersion). */
  watchTimeoutSeconds: number;
  /** Extra silence tolerated past watchTimeoutSeconds before a watch is deemed dead. */
  requestTimeoutMs: number;
  pool: StringPool;
  logger: LoggerService;
  /** Anything changed: objects, connection state or error. */
  onChange(): void;
  /** The kind is no longer served (404): the cluster should rediscover. */
  onGone(): void;
  /** Every raw object seen, before slimming (the CRD watch uses it to notice CRDs coming and going). */
  onRaw?(type: 'LISTED' | 'ADDED' | 'MODIFIED' | 'DELETED', raw: any): void;
  /** Called after each complete list with what it saw. */
  onListed?(): void;
  /**
   * A watch open this long counts as healthy: the backoff starts again from `backoffInitialMs` (default
   * {@link HEALTHY_WATCH_MS}). A watch that ends sooner, or a 410 right after a list, keeps backing off.
   */
  healthyWatchMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Source of jitter in [0, 1) (tests make it fixed). */
  random?: () => number;
}

/** Waits `ms`, or less when the signal aborts (never rejects). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A watch open at least this long resets the backoff; one that ends sooner is resumed only after a backoff. */
export const HEALTHY_WATCH_MS = 10_000;

/** Backoff delays are cut by up to this fraction at random, so the watches of many kinds and backends spread out. */
export const BACKOFF_JITTER = 0.2;

/** `ms` less up to {@link BACKOFF_JITTER} of it: never more than the configured backoff, never in lock-step. */
export function jittered(
  ms: number,
  random: () => number = Math.random,
): number {
  return Math.round(ms * (1 - BACKOFF_JITTER * random()));
}

/**
 * List, then watch from the list's resourceVersion, for one kind on one
 * cluster, keeping only slim objects. As client-node's ListWatch: a watch that
 * ends is resumed from the last resourceVersion; 410 Gone (as an HTTP status
 * or a watch ERROR event) relists; failures back off exponentially. Unlike it,
 * raw objects are dropped as soon as they are slimmed.
 */
export class KindReflector {
  readonly kind: WatchedKind;
  readonly version: string;
  /** namespace ('' for cluster-scoped) → name → object. */
  private store = new Map<string, Map<string, SlimObject>>();
  private count = 0;
  private resourceVersion = '';
  private readonly abort = new AbortController();
  private running = false;
  private backoffMs: number;
  private expired = false;
  private loggedError?: string;

  /** A list has completed at least once: the store is meaningful. */
  hasSynced = false;
  /** A list or watch attempt has finished, successfully or not. */
  attempted = false;
  /** The last attempt failed, and nothing has succeeded since. */
  lastError?: KubeRequestError;
  /** A watch is open now. */
  connected = false;
  /** When the store was last known current (a list done, or a watch open until then): ms epoch. */
  lastCurrentAt?: number;
  lists = 0;

  constructor(private readonly o: ReflectorOptions) {
    this.kind = o.kind;
    this.version = o.version;
    this.backoffMs = o.backoffInitialMs;
  }

  get size(): number {
    return this.count;
  }

  get path(): string {
    const k = this.kind;
    const ns = k.namespace
      ? `/namespaces/${encodeURIComponent(k.namespace)}`
      : '';
    const prefix = k.group ? `/apis/${k.group}` : '/api';
    return `${prefix}/${this.version}${ns}/${k.plural}`;
  }

  *objects(): Iterable<SlimObject> {
    for (const byName of this.store.values()) yield* byName.values();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.run().catch(e =>
      this.o.logger.error(
        `gitops-secrets: watch loop for ${
          this.kind.key
        } stopped unexpectedly: ${String((e as Error)?.message ?? e)}`,
      ),
    );
  }

  stop(): void {
    this.abort.abort();
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private sleep(ms: number): Promise<void> {
    return (this.o.sleep ?? abortableSleep)(ms, this.abort.signal);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const healthyMs = this.o.healthyWatchMs ?? HEALTHY_WATCH_MS;
    while (!signal.aborted) {
      let openedAt: number | undefined;
      try {
        if (!this.resourceVersion) await this.list();
        // Spread reconnects of many watches (as client-go does): timeout in [T, 2T).
        const timeoutSeconds = Math.floor(
          this.o.watchTimeoutSeconds * (1 + Math.random()),
        );
        const { ended } = await this.o.client.watch(
          this.path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: 'true',
            timeoutSeconds: String(timeoutSeconds),
            labelSelector: this.kind.labelSelector,
          },
          ev => this.onEvent(ev),
          signal,
          // Silent past the moment the server should have closed it: the connection is dead.
          timeoutSeconds * 1000 + this.o.requestTimeoutMs,
          this.o.watchRead ?? this.o.read,
        );
        openedAt = this.now();
        this.markCurrent(true);
        await ended;
        const healthy = this.resetIfHealthy(openedAt, healthyMs);
        if (this.expired) {
          // 410 Gone as a watch ERROR event: list again, after a backoff unless the watch had been healthy
          // (a 410 on every watch must not turn into a list storm).
          this.markDisconnected();
          this.expired = false;
          this.resourceVersion = '';
          if (!healthy) await this.sleep(this.nextBackoff());
          continue;
        }
        if (!healthy) {
          // The server keeps closing watches early: resume from the same resourceVersion, but do not spin.
          this.markDisconnected();
          await this.sleep(this.nextBackoff());
        }
        // A watch that ran its course resumes at once from the same resourceVersion: the cache stays current,
        // so this is no change to report (it would invalidate every kept answer every few minutes per kind).
      } catch (e) {
        if (signal.aborted) break;
        this.markDisconnected();
        this.resetIfHealthy(openedAt, healthyMs);
        const err =
          e instanceof KubeRequestError
            ? e
            : new KubeRequestError(
                'malformed',
                `could not read ${this.kind.key}: the answer was not what Kubernetes sends`,
              );
        if (err.status === 410) {
          // Too old resourceVersion (or an expired continue token): list again, after a backoff.
          this.resourceVersion = '';
          await this.sleep(this.nextBackoff());
          continue;
        }
        if (err.failure === 'malformed') this.resourceVersion = '';
        if (err.status === 404) this.o.onGone();
        this.fail(err);
        await this.sleep(this.nextBackoff());
      }
    }
    this.connected = false;
  }

  /** A watch that has been current for `healthyMs` ends the backoff: the next failure starts from the beginning. */
  private resetIfHealthy(openedAt: number | undefined, healthyMs: number) {
    if (openedAt === undefined || this.now() - openedAt < healthyMs) {
      return false;
    }
    this.backoffMs = this.o.backoffInitialMs;
    return true;
  }

  /** The delay before the next attempt (jittered), doubling the backoff up to its maximum. */
  private nextBackoff(): number {
    const ms = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.o.backoffMaxMs);
    return jittered(ms, this.o.random);
  }

  private fail(err: KubeRequestError): void {
    this.attempted = true;
    this.lastError = err;
    const text = `${err.failure}:${err.status ?? ''}:${err.message}`;
    if (this.loggedError !== text) {
      // Once per distinct failure, not once per retry.
      this.loggedError = text;
      this.o.logger.warn(
        `gitops-secrets: reading ${this.kind.key} failed, retrying with backoff: ${err.message}`,
      );
    }
    this.o.onChange();
  }

  private markCurrent(connected: boolean): void {
    const changed =
      !this.attempted ||
      this.lastError !== undefined ||
      this.connected !== connected;
    this.attempted = true;
    this.lastError = undefined;
    this.connected = connected;
    this.lastCurrentAt = this.now();
    if (this.loggedError) {
      this.o.logger.info(`gitops-secrets: reading ${this.kind.key} recovered`);
      this.loggedError = undefined;
    }
    if (changed) this.o.onChange();
  }

  private markDisconnected(): void {
    if (this.connected) {
      this.connected = false;
      this.lastCurrentAt = this.now();
    }
  }

  /** Keep an object: right kind, has a name, passes the kind's name filter. */
  private accept(raw: any): boolean {
    const name = raw?.metadata?.name;
    if (typeof name !== 'string' || !name) return false;
    const suffix = this.kind.nameSuffix;
    return !suffix || name.endsWith(suffix);
  }

  private slim(raw: any): SlimObject {
    // List items of built-in kinds come without apiVersion/kind.
    const obj = slimObject({
      ...raw,
      apiVersion: `${this.kind.group ? `${this.kind.group}/` : ''}${
        this.version
      }`,
      kind: this.kind.kind,
    });
    return this.o.pool.internObject(obj);
  }

  private put(
    store: Map<string, Map<string, SlimObject>>,
    obj: SlimObject,
  ): boolean {
    const ns = obj.metadata.namespace ?? '';
    let byName = store.get(ns);
    if (!byName) {
      byName = new Map();
      store.set(ns, byName);
    }
    const isNew = !byName.has(obj.metadata.name);
    byName.set(obj.metadata.name, obj);
    return isNew;
  }

  private async list(): Promise<void> {
    const signal = this.abort.signal;
    const next = new Map<string, Map<string, SlimObject>>();
    let count = 0;
    let cont: string | undefined;
    let rv = '';
    const keep = this.o.keepObjects !== false;
    const take = (raw: unknown) => {
      this.o.onRaw?.('LISTED', raw);
      if (!keep || !this.accept(raw)) return;
      if (this.put(next, this.slim(raw))) count++;
    };
    do {
      const pageSize = this.o.pageSize;
      const query = {
        limit: String(typeof pageSize === 'function' ? pageSize() : pageSize),
        continue: cont,
        labelSelector: this.kind.labelSelector,
      };
      const client = this.o.client;
      // Streamed when the client can: each item slimmed as it arrives, the raw page never held whole.
      const get = client.getList
        ? () => client.getList!(this.path, query, take, signal, this.o.read)
        : () => client.getJson(this.path, query, signal, this.o.read);
      const page = (await (this.o.listLimit
        ? this.o.listLimit.run(get, signal)
        : get())) as any;
      if (!page || (!client.getList && !Array.isArray(page.items))) {
        throw new KubeRequestError(
          'malformed',
          `list ${this.path} did not answer a list`,
        );
      }
      if (!client.getList) for (const raw of page.items) take(raw);
      cont =
        typeof page.metadata?.continue === 'string' && page.metadata.continue
          ? page.metadata.continue
          : undefined;
      rv = String(page.metadata?.resourceVersion ?? '');
    } while (cont);
    this.store = next;
    this.count = count;
    this.resourceVersion = rv;
    this.hasSynced = true;
    this.lists++;
    this.o.onListed?.();
    this.markCurrent(false);
    this.o.onChange();
  }

  private onEvent(ev: WatchEvent): void {
    const obj = ev?.object as any;
    const rv = obj?.metadata?.resourceVersion;
    switch (ev?.type) {
      case 'ERROR': {
        const code = Number(obj?.code);
        if (code === 410) {
          // The stream ends after this; the loop relists.
          this.expired = true;
          return;
        }
        throw new KubeRequestError(
          'http',
          `watch ${this.path} reported error ${
            Number.isFinite(code) ? code : 'without a code'
          }`,
          Number.isFinite(code) ? code : undefined,
        );
      }
      case 'BOOKMARK':
        break;
      case 'ADDED':
      case 'MODIFIED': {
        this.o.onRaw?.(ev.type, obj);
        if (this.o.keepObjects === false) break;
        if (!this.accept(obj)) {
          this.o.logger.debug?.(
            `gitops-secrets: ignored a ${this.kind.key} event without a name`,
          );
          break;
        }
        if (this.put(this.store, this.slim(obj))) this.count++;
        this.o.onChange();
        break;
      }
      case 'DELETED': {
        this.o.onRaw?.('DELETED', obj);
        const name = obj?.metadata?.name;
        const byName = this.store.get(obj?.metadata?.namespace ?? '');
        if (typeof name === 'string' && byName?.delete(name)) {
          this.count--;
          if (!byName.size) this.store.delete(obj?.metadata?.namespace ?? '');
          this.o.onChange();
        }
        break;
      }
      default:
        throw new KubeRequestError(
          'malformed',
          `watch ${this.path} sent an event of unknown type`,
        );
    }
    if (typeof rv === 'string' && rv) this.resourceVersion = rv;
  }
}
