import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  CacheService,
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type {
  ClusterStatus,
  SummaryScope,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  findWatchedKind,
  limitClusterStatus,
  summarizeCluster,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type { Fleet } from '../cache/Fleet';
import type { CachedObjects } from '../service/StatusService';
import type { PublishedBody, PublishedHead } from './published';
import { bodyKey, headKey, PUBLISHED_TTL_MS, remoteInputs } from './published';
import { assignClusters } from './rendezvous';
import { ReplicaStore } from './ReplicaStore';
import type { ReplicaSettings } from './settings';

/** What Backstage's cache service stores (JSON). */
type JsonValue = Parameters<CacheService['set']>[1];

/** Bodies are rewritten at most this often per cluster, however fast the cluster changes; the assignment is read as often. */
const PUBLISH_TICK_MS = 1_000;
/** A replica re-reads another replica's head at most this often per cluster. */
const REMOTE_REFRESH_MS = 1_000;
/** Summaries kept per remote cluster (per scope and limit). */
const MAX_REMOTE_SUMMARIES = 64;

export interface ReplicaSharingOptions {
  fleet: Fleet;
  database: DatabaseService;
  cache: CacheService;
  scheduler: SchedulerService;
  logger: LoggerService;
  settings: ReplicaSettings;
  summaryTtlMs: number;
  /** Another replica's cluster not asked about for this long is forgotten here (`cache.idleTimeout`). */
  idleTimeoutMs: number;
  /** Default: host name, process id and a random part, new per start (logged; names the replica in the database). */
  replicaId?: string;
  now?: () => number;
}

interface Remote {
  head?: PublishedHead;
  body?: PublishedBody;
  fetchedAt: number;
  lastUsed: number;
  fetching?: Promise<void>;
  summaries: Map<string, { at: number; status: ClusterStatus }>;
}

/**
 * Several backend replicas sharing the clusters: each cluster is watched by one replica (its owner), which
 * publishes what the others need to answer through Backstage's cache service.
 *
 * - Each replica writes a heartbeat to the plugin's database every `heartbeatMs` and reads the assignment.
 * - A global task of Backstage's scheduler (run by one replica at a time, locked in the database) assigns
 *   the clusters to the live replicas by rendezvous hashing, so a replica joining or leaving moves only
 *   its share of clusters.
 * - The owner keeps its clusters watched (they are not stopped when idle), and publishes each cluster's
 *   objects when they change (at most once a second) and a small head every heartbeat.
 * - The others answer from the published data; when its owner stops publishing, answers say so and how old
 *   the data is, until the new owner has listed the cluster and published.
 */
export class ReplicaSharing {
  readonly replicaId: string;
  private readonly now: () => number;
  private store?: ReplicaStore;
  /** Clusters this replica owns, with the time it took them over. */
  private readonly owned = new Map<string, number>();
  /** Per owned cluster: what was last published. */
  private readonly published = new Map<
    string,
    { generation: number; at: number; version: string }
  >();
  private readonly remotes = new Map<string, Remote>();
  /** The head last published per owned cluster, rewritten as stopped on shutdown. */
  private readonly lastHeads = new Map<string, PublishedHead>();
  private publishCounter = 0;
  private timers: NodeJS.Timeout[] = [];
  private publishing?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: ReplicaSharingOptions) {
    this.replicaId =
      options.replicaId ??
      `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.now = options.now ?? Date.now;
  }

  /**
   * Tables, first heartbeat, the assignment task and the timers. Never rejects: when the database cannot be
   * reached it logs why and tries again every heartbeat (meanwhile this replica watches nothing and answers
   * every cluster from what the others publish).
   */
  async start(): Promise<void> {
    try {
      await this.startOnce();
    } catch (e) {
      if (this.stopped) return;
      this.options.logger.error(
        `gitops-secrets: cannot share clusters with other replicas yet (database: ${String(
          (e as Error)?.message ?? e,
        )}); retrying in ${this.options.settings.heartbeatMs} ms`,
      );
      const retry = setTimeout(
        () => void this.start(),
        this.options.settings.heartbeatMs,
      );
      retry.unref();
      this.timers.push(retry);
    }
  }

  private async startOnce(): Promise<void> {
    const { settings, scheduler, logger } = this.options;
    const store = new ReplicaStore(await this.options.database.getClient());
    await store.ensureTables();
    this.store = store;
    await this.beat();
    await scheduler.scheduleTask({
      id: 'gitops-secrets-assign-clusters',
      scope: 'global',
      frequency: { milliseconds: settings.heartbeatMs },
      timeout: { milliseconds: Math.max(30_000, 3 * settings.heartbeatMs) },
      fn: () => this.assign(),
    });
    this.timers.push(
      setInterval(() => void this.beat(), settings.heartbeatMs),
      setInterval(
        () => void this.followAssignment().then(() => this.publishTick()),
        PUBLISH_TICK_MS,
      ),
    );
    for (const t of this.timers) t.unref();
    logger.info(
      `gitops-secrets: sharing clusters with other replicas as ${this.replicaId}`,
    );
  }

  /** Stop publishing and leave: the heartbeat is removed so the others take the clusters over at the next assignment. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    // The others mark these clusters stale at once, rather than when the heads get old (after a publication
    // in flight, which would overwrite it).
    await this.publishing;
    await Promise.all(
      [...this.lastHeads].map(([name, head]) =>
        this.options.cache
          .set(
            headKey(name),
            JSON.parse(
              JSON.stringify({
                ...head,
                publishedAt: this.now(),
                stopped: true,
              }),
            ) as JsonValue,
            { ttl: PUBLISHED_TTL_MS },
          )
          .catch(() => undefined),
      ),
    );
    this.lastHeads.clear();
    await this.store?.remove(this.replicaId).catch(() => undefined);
  }

  /** The clusters this replica watches now. */
  ownedClusters(): string[] {
    return [...this.owned.keys()];
  }

  /** Whether a configured cluster is answered from another replica's published data. */
  answersRemotely(name: string): boolean {
    return this.options.fleet.has(name) && !this.owned.has(name);
  }

  /** Assign the clusters to the live replicas (the scheduler's global task). */
  async assign(): Promise<void> {
    if (!this.store || this.stopped) return;
    const now = this.now();
    const { deadAfterMs } = this.options.settings;
    // The replica running the task is alive, whatever its last heartbeat says.
    await this.store.heartbeat(this.replicaId, now);
    const live = await this.store.liveReplicas(
      now - deadAfterMs,
      now - 100 * deadAfterMs,
    );
    if (!live.length) return;
    const moved = await this.store.setOwners(
      assignClusters(this.options.fleet.names(), live),
      now,
    );
    if (moved.length) {
      this.options.logger.info(
        `gitops-secrets: assigned ${moved.length} cluster(s) to ${
          live.length
        } replica(s): ${moved.slice(0, 10).join(', ')}${
          moved.length > 10 ? ', …' : ''
        }`,
      );
    }
  }

  /** Heartbeat, then take up the clusters assigned here and drop the others. */
  async beat(): Promise<void> {
    if (!this.store || this.stopped) return;
    try {
      await this.store.heartbeat(this.replicaId, this.now());
    } catch (e) {
      this.options.logger.warn(
        `gitops-secrets: replica heartbeat failed: ${String(
          (e as Error)?.message ?? e,
        )}`,
      );
      return;
    }
    await this.followAssignment();
  }

  /**
   * Read the assignment; start the clusters assigned here, stop the others. Run every second (one small query),
   * so a cluster moved by the assignment task is picked up at once rather than at the next heartbeat.
   */
  async followAssignment(): Promise<void> {
    if (!this.store || this.stopped) return;
    const { fleet, logger } = this.options;
    let owners: Map<string, string>;
    try {
      owners = await this.store.owners();
    } catch (e) {
      // Keep watching what we own: if the database is back soon, nothing moved.
      logger.warn(
        `gitops-secrets: reading the cluster assignment failed: ${String(
          (e as Error)?.message ?? e,
        )}`,
      );
      return;
    }
    for (const name of fleet.names()) {
      const mine = owners.get(name) === this.replicaId;
      if (mine) {
        if (!this.owned.has(name)) {
          this.owned.set(name, this.now());
          logger.info(`gitops-secrets: this replica now watches ${name}`);
        }
        // Started if needed and marked used, so the idle reaper leaves owned clusters watched.
        fleet.acquire(name);
      } else if (this.owned.has(name)) {
        this.owned.delete(name);
        this.published.delete(name);
        this.lastHeads.delete(name);
        fleet.peek(name)?.stop();
        logger.info(
          `gitops-secrets: cluster ${name} moved to replica ${
            owners.get(name) ?? '(none yet)'
          }`,
        );
      }
    }
    for (const name of this.owned.keys()) {
      if (!fleet.has(name)) this.owned.delete(name);
    }
    // Other replicas' clusters nobody asked about lately: not kept here (a copy of the fleet per replica otherwise).
    for (const [name, remote] of this.remotes) {
      if (
        this.owned.has(name) ||
        this.now() - remote.lastUsed >= this.options.idleTimeoutMs
      ) {
        this.remotes.delete(name);
      }
    }
  }

  /** Publish every owned cluster that changed, and the heads of the others once per heartbeat. */
  async publishTick(): Promise<void> {
    if (this.publishing || this.stopped) return;
    this.publishing = Promise.all(
      [...this.owned].map(([name, since]) =>
        this.publishCluster(name, since).catch(e =>
          this.options.logger.warn(
            `gitops-secrets: publishing cluster ${name} failed: ${String(
              (e as Error)?.message ?? e,
            )}`,
          ),
        ),
      ),
    ).then(() => undefined);
    try {
      await this.publishing;
    } finally {
      this.publishing = undefined;
    }
  }

  private async publishCluster(name: string, since: number): Promise<void> {
    const cache = this.options.fleet.peek(name);
    if (!cache?.isStarted) return;
    const now = this.now();
    const settled = cache.settled();
    // A cluster still listing is published once it has an outcome, or as not answering after its timeout.
    if (!settled && now - since < cache.timeoutMs) return;
    const last = this.published.get(name);
    if (
      last &&
      last.generation === cache.generation &&
      now - last.at < this.options.settings.heartbeatMs
    ) {
      return;
    }
    if (settled) await cache.refreshEvents();
    const inputs = cache.summaryInputs(!settled);
    let version = last?.version;
    if (!last || last.generation !== cache.generation || !version) {
      version = `${this.replicaId}:${++this.publishCounter}`;
      const body: PublishedBody = {
        version,
        objects: inputs.objects,
        servedVersions: inputs.servedVersions,
        unsupported: inputs.unsupported,
        events: inputs.events,
      };
      await this.options.cache.set(
        bodyKey(name),
        body as unknown as JsonValue,
        { ttl: PUBLISHED_TTL_MS },
      );
    }
    const head: PublishedHead = {
      owner: this.replicaId,
      version,
      publishedAt: now,
      cacheAgeSeconds: inputs.cacheAgeSeconds,
      error: inputs.error,
    };
    await this.options.cache.set(
      headKey(name),
      JSON.parse(JSON.stringify(head)) as JsonValue,
      { ttl: PUBLISHED_TTL_MS },
    );
    if (this.owned.has(name)) this.lastHeads.set(name, head);
    this.published.set(name, {
      generation: cache.generation,
      at: now,
      version,
    });
  }

  /** Read the head (at most once a second) and, when it names a new body, the body. */
  private async refreshRemote(name: string, remote: Remote): Promise<void> {
    const head = await this.options.cache.get<JsonValue>(headKey(name));
    remote.fetchedAt = this.now();
    if (!head) return;
    const h = head as unknown as PublishedHead;
    if (remote.body?.version !== h.version) {
      const body = (await this.options.cache.get<JsonValue>(
        bodyKey(name),
      )) as unknown as PublishedBody | undefined;
      // A body newer or older than the head (a write in between) is used at the next read.
      if (!body || body.version !== h.version) return;
      remote.body = body;
      remote.summaries.clear();
    }
    if (
      remote.head?.publishedAt !== h.publishedAt ||
      remote.head?.version !== h.version
    ) {
      remote.head = h;
      remote.summaries.clear();
    }
  }

  private async remoteState(name: string, waitMs: number): Promise<Remote> {
    let remote = this.remotes.get(name);
    if (!remote) {
      remote = { fetchedAt: 0, lastUsed: 0, summaries: new Map() };
      this.remotes.set(name, remote);
    }
    remote.lastUsed = this.now();
    const deadline = this.now() + waitMs;
    for (;;) {
      if (this.now() - remote.fetchedAt >= REMOTE_REFRESH_MS) {
        const r = remote;
        r.fetching ??= this.refreshRemote(name, r).finally(() => {
          r.fetching = undefined;
        });
        await r.fetching;
      }
      if ((remote.head && remote.body) || this.now() >= deadline) return remote;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
  }

  /**
   * The objects of `keys`' kinds as the owner published them, for the template picker. Only while the owner
   * reports: old data is "unknown" here (the picker then reads the repository), as on the owner itself, where a
   * kind whose watch is down is not served from the cache either. Never rejects.
   */
  async cachedObjects(
    name: string,
    keys: readonly string[],
    timeoutMs: number,
  ): Promise<CachedObjects> {
    const unknown = (message: string): CachedObjects => ({
      kinds: Object.fromEntries(keys.map(k => [k, 'unknown' as const])),
      objects: [],
      error: { type: 'TIMEOUT', message },
    });
    let remote: Remote;
    try {
      remote = await this.remoteState(name, timeoutMs);
    } catch {
      return unknown(
        "The backend could not read this cluster's objects from the shared cache.",
      );
    }
    const { head, body } = remote;
    if (!head || !body)
      return unknown('No backend replica has reported this cluster yet.');
    const inputs = remoteInputs(
      head,
      body,
      this.now(),
      this.options.settings.staleAfterMs,
    );
    if (inputs.error?.type === 'TIMEOUT') return unknown(inputs.error.message);
    const wanted = new Set(keys);
    return {
      kinds: Object.fromEntries(
        keys.map(k => [k, body.servedVersions[k] ? 'listed' : 'absent']),
      ),
      objects: body.objects.filter(o =>
        wanted.has(findWatchedKind(o.apiVersion, o.kind)?.key ?? ''),
      ),
      ...(inputs.error ? { error: inputs.error } : {}),
    };
  }

  /** The status of a cluster another replica owns, from what it published. Never rejects. */
  async clusterStatus(
    name: string,
    timeoutMs: number,
    scope?: SummaryScope,
    limit?: number,
  ): Promise<ClusterStatus> {
    const now = () => new Date(this.now());
    let remote: Remote;
    try {
      remote = await this.remoteState(name, timeoutMs);
    } catch (e) {
      this.options.logger.warn(
        `gitops-secrets: reading the published status of ${name} failed: ${String(
          (e as Error)?.message ?? e,
        )}`,
      );
      return summarizeCluster({
        cluster: name,
        objects: [],
        servedVersions: {},
        error: {
          type: 'UNKNOWN',
          message:
            "The backend could not read this cluster's status from the shared cache; see the backend logs.",
        },
        now: now(),
      });
    }
    const { head, body } = remote;
    if (!head || !body) {
      return summarizeCluster({
        cluster: name,
        objects: [],
        servedVersions: {},
        error: {
          type: 'TIMEOUT',
          message:
            'No backend replica has reported this cluster yet (it is being assigned or listed); still trying in the background.',
        },
        now: now(),
      });
    }
    const inputs = remoteInputs(
      head,
      body,
      this.now(),
      this.options.settings.staleAfterMs,
    );
    const scopeKey = scope
      ? JSON.stringify([scope.namespaces ?? [], scope.kubernetesId ?? ''])
      : '*';
    const key = `${scopeKey}|${limit ?? 'all'}|${
      inputs.cacheAgeSeconds ?? ''
    }|${inputs.error?.message ?? ''}`;
    const hit = remote.summaries.get(key);
    if (hit && this.now() - hit.at < this.options.summaryTtlMs) {
      return hit.status;
    }
    const full = summarizeCluster({
      cluster: name,
      ...inputs,
      now: now(),
      scope,
    });
    const status = limit === undefined ? full : limitClusterStatus(full, limit);
    remote.summaries.set(key, { at: this.now(), status });
    while (remote.summaries.size > MAX_REMOTE_SUMMARIES) {
      remote.summaries.delete(remote.summaries.keys().next().value!);
    }
    return status;
  }
}
