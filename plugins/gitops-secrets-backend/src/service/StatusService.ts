import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  ClusterError,
  ClusterStatus,
  SlimObject,
  SummaryScope,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  findWatchedKind,
  summarizeCluster,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type { Fleet } from '../cache/Fleet';

/** What {@link StatusService.cachedObjects} answers. */
export interface CachedObjects {
  kinds: Record<string, 'unknown' | 'absent' | 'failing' | 'listed'>;
  objects: SlimObject[];
  error?: ClusterError;
}

/** Answers for clusters another backend replica watches (src/replicas), when replicas share the clusters. */
export interface RemoteStatusSource {
  answersRemotely(name: string): boolean;
  clusterStatus(
    name: string,
    timeoutMs: number,
    scope?: SummaryScope,
    limit?: number,
  ): Promise<ClusterStatus>;
  /** The published objects of `keys`' kinds (the template picker's), as {@link StatusService.cachedObjects}. */
  cachedObjects(
    name: string,
    keys: readonly string[],
    timeoutMs: number,
  ): Promise<CachedObjects>;
}

/**
 * Answers status questions from the caches. Each cluster is handled on its
 * own: it costs at most its timeout, and anything that goes wrong becomes an
 * error on that cluster's status, never a failed response.
 */
export class StatusService {
  constructor(
    private readonly fleet: Fleet,
    private readonly logger: LoggerService,
    private readonly now: () => number = Date.now,
    private readonly remote?: RemoteStatusSource,
  ) {}

  clusterNames(): string[] {
    return this.fleet.names();
  }

  isConfigured(name: string): boolean {
    return this.fleet.has(name);
  }

  /** A status that only reports an error (cluster not configured, or our own failure). */
  private errorStatus(cluster: string, error: ClusterError): ClusterStatus {
    return summarizeCluster({
      cluster,
      objects: [],
      servedVersions: {},
      error,
      now: new Date(this.now()),
    });
  }

  /**
   * The status of one cluster (or a scope of it), each list cut to `limit`
   * entries (all when absent). Never rejects.
   */
  async clusterStatus(
    name: string,
    scope?: SummaryScope,
    limit?: number,
  ): Promise<ClusterStatus> {
    if (this.remote?.answersRemotely(name)) {
      return this.remote.clusterStatus(
        name,
        this.fleet.peek(name)?.timeoutMs ?? 5_000,
        scope,
        limit,
      );
    }
    const cache = this.fleet.acquire(name);
    if (!cache) {
      return this.errorStatus(name, {
        type: 'NOT_CONFIGURED',
        message: `No cluster named '${name}' is configured in the gitops-secrets backend.`,
      });
    }
    try {
      const settled = await cache.whenSettled();
      if (settled)
        await this.eventsWithin(cache.refreshEvents(), cache.timeoutMs);
      return cache.summary(scope, { timedOut: !settled, limit });
    } catch (e) {
      this.logger.error(
        `gitops-secrets: summarising cluster ${name} failed: ${String(
          (e as Error)?.stack ?? e,
        )}`,
      );
      return this.errorStatus(name, {
        type: 'UNKNOWN',
        message:
          'The backend failed to summarise this cluster; see the backend logs.',
      });
    }
  }

  /**
   * The cached objects of some watched kinds (by key) on one cluster, for the pickers. `kinds` tells, per key,
   * whether the cluster serves the kind and the cache holds a current list of it; `error` is the cluster's
   * error, if any. Never rejects.
   */
  async cachedObjects(
    name: string,
    keys: readonly string[],
  ): Promise<CachedObjects> {
    if (this.remote?.answersRemotely(name)) {
      return this.remote.cachedObjects(
        name,
        keys,
        this.fleet.peek(name)?.timeoutMs ?? 5_000,
      );
    }
    const cache = this.fleet.acquire(name);
    if (!cache) {
      return {
        kinds: Object.fromEntries(keys.map(k => [k, 'unknown' as const])),
        objects: [],
        error: {
          type: 'NOT_CONFIGURED',
          message: `No cluster named '${name}' is configured in the gitops-secrets backend.`,
        },
      };
    }
    const settled = await cache.whenSettled();
    const wanted = new Set(keys);
    const error = cache.currentError(!settled);
    return {
      kinds: Object.fromEntries(keys.map(k => [k, cache.kindState(k)])),
      objects: cache
        .objects()
        .filter(o =>
          wanted.has(findWatchedKind(o.apiVersion, o.kind)?.key ?? ''),
        ),
      ...(error ? { error } : {}),
    };
  }

  /** Wait for the Events of failing objects at most `ms`; a slower read still lands in the next answer. */
  private async eventsWithin(read: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      read,
      new Promise<void>(resolve => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Several clusters at once; each settles or times out on its own. */
  async clusterStatuses(
    targets: Array<{ cluster: string; scope?: SummaryScope }>,
    limit?: number,
  ): Promise<ClusterStatus[]> {
    return Promise.all(
      targets.map(t => this.clusterStatus(t.cluster, t.scope, limit)),
    );
  }
}
