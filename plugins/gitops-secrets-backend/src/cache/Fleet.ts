import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ClusterDetails, GitopsSecretsSettings } from '../config/clusters';
import type { KubeClientFactory } from '../kube/KubeClient';
import { KubeConfigClient } from '../kube/KubeClient';
import { ClusterCache } from './ClusterCache';

export interface FleetOptions {
  settings: GitopsSecretsSettings;
  logger: LoggerService;
  /** How clients are made; tests and embedders may replace it. */
  clientFactory?: KubeClientFactory;
  watchTimeoutSeconds?: number;
  now?: () => number;
}

/** Whether two descriptions reach the same cluster the same way (then its cache is kept). */
function sameCluster(a: ClusterDetails, b: ClusterDetails): boolean {
  if (a.fingerprint !== undefined || b.fingerprint !== undefined) {
    return a.fingerprint === b.fingerprint && a.timeoutMs === b.timeoutMs;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The caches of every configured cluster. A cluster's cache starts when it is
 * first asked about and stops after `idleTimeoutMs` without being asked.
 */
export class Fleet {
  private readonly caches = new Map<string, ClusterCache>();
  private reaper?: NodeJS.Timeout;
  private readonly idleTimeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: FleetOptions) {
    this.idleTimeoutMs = options.settings.idleTimeoutMs;
    this.now = options.now ?? Date.now;
    for (const details of options.settings.clusters) {
      this.caches.set(details.name, this.makeCache(details));
    }
  }

  private makeCache(details: ClusterDetails): ClusterCache {
    return new ClusterCache(details, {
      clientFactory:
        this.options.clientFactory ?? (d => KubeConfigClient.fromCluster(d)),
      logger: this.options.logger.child({ cluster: details.name }),
      settings: this.options.settings,
      watchTimeoutSeconds: this.options.watchTimeoutSeconds,
      now: this.options.now,
    });
  }

  /**
   * Make the fleet read exactly these clusters (a cluster source refreshed): new ones get a cache
   * (started on first use), removed ones are stopped, and one whose URL, CA or auth changed
   * (another `fingerprint`) gets a new cache. Unchanged clusters keep their cache and watches.
   */
  setClusters(clusters: ClusterDetails[]): {
    added: string[];
    removed: string[];
    replaced: string[];
  } {
    const added: string[] = [];
    const removed: string[] = [];
    const replaced: string[] = [];
    const wanted = new Map(clusters.map(c => [c.name, c]));
    for (const [name, cache] of this.caches) {
      if (!wanted.has(name)) {
        cache.stop();
        this.caches.delete(name);
        removed.push(name);
      }
    }
    for (const details of clusters) {
      const current = this.caches.get(details.name);
      if (current && sameCluster(current.details, details)) continue;
      if (current) {
        current.stop();
        replaced.push(details.name);
      } else {
        added.push(details.name);
      }
      this.caches.set(details.name, this.makeCache(details));
    }
    // Configuration order: a re-added or replaced cluster goes back to its place.
    const order = clusters.map(c => c.name);
    const sorted = [...this.caches.entries()].sort(
      ([a], [b]) => order.indexOf(a) - order.indexOf(b),
    );
    this.caches.clear();
    for (const [name, cache] of sorted) this.caches.set(name, cache);
    return { added, removed, replaced };
  }

  /** Configured cluster names, in configuration order. */
  names(): string[] {
    return [...this.caches.keys()];
  }

  has(name: string): boolean {
    return this.caches.has(name);
  }

  /** The cache of a cluster, started and marked as used; undefined when not configured. */
  acquire(name: string): ClusterCache | undefined {
    const cache = this.caches.get(name);
    if (!cache) return undefined;
    cache.touch();
    cache.start();
    this.ensureReaper();
    return cache;
  }

  /** The cache without starting it (diagnostics, tests). */
  peek(name: string): ClusterCache | undefined {
    return this.caches.get(name);
  }

  /** Stop the caches nobody asked about for idleTimeoutMs. Returns the names stopped. */
  reap(): string[] {
    const stopped: string[] = [];
    const now = this.now();
    for (const cache of this.caches.values()) {
      cache.sweep();
      if (cache.isStarted && now - cache.lastUsed >= this.idleTimeoutMs) {
        this.options.logger.info(
          `gitops-secrets: stopping watches on cluster ${
            cache.name
          } (unused for ${Math.round((now - cache.lastUsed) / 1000)} s)`,
        );
        cache.stop();
        stopped.push(cache.name);
      }
    }
    if (![...this.caches.values()].some(c => c.isStarted)) this.stopReaper();
    return stopped;
  }

  private ensureReaper(): void {
    if (this.reaper) return;
    // Often enough to drop expired summaries soon, and to stop idle caches within half their idle time.
    const every = Math.max(
      1_000,
      Math.min(
        60_000,
        this.idleTimeoutMs / 2,
        this.options.settings.summaryTtlMs,
      ),
    );
    this.reaper = setInterval(() => this.reap(), every);
    // Never keep the process alive for housekeeping.
    this.reaper.unref();
  }

  private stopReaper(): void {
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = undefined;
  }

  /** Stop everything (backend shutdown). */
  stop(): void {
    this.stopReaper();
    for (const cache of this.caches.values()) cache.stop();
  }
}
