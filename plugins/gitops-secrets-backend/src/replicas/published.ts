import type {
  ClusterError,
  SlimEvent,
  SlimObject,
  SummarizeClusterInput,
} from '@golden-gitops/plugin-gitops-secrets-common';

/**
 * What the replica owning a cluster publishes through Backstage's cache service, in two keys per cluster:
 * the small head, rewritten every heartbeat (it says the owner is alive and how current its watches are),
 * and the body, rewritten only when something changed on the cluster (at most once a second).
 */
export interface PublishedHead {
  /** The replica that wrote it. */
  owner: string;
  /** Names the body this head goes with. */
  version: string;
  /** Epoch ms on the owner's clock. */
  publishedAt: number;
  /** The owner's cache age when it published: 0 while its watches are open. */
  cacheAgeSeconds?: number;
  /** The owner's cluster-level error, if any. */
  error?: ClusterError;
  /** Written by an owner shutting down: its data stops being current now, not when the head gets old. */
  stopped?: boolean;
}

export interface PublishedBody {
  version: string;
  objects: SlimObject[];
  servedVersions: Record<string, string | null>;
  unsupported?: Array<{ kind: string; servedVersions: string[] }>;
  events?: SlimEvent[];
}

export const headKey = (cluster: string) => `replicas:head:${cluster}`;
export const bodyKey = (cluster: string) => `replicas:body:${cluster}`;

/** Kept long after the owner stops, so the others can still answer (marked stale) until a new owner publishes. */
export const PUBLISHED_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The inputs of a summary on a replica that does not own the cluster. While the owner publishes, its own
 * error and cache age are used (cache age 0 while its watches are open, as on the owner itself). When the
 * owner has been silent longer than `staleAfterMs`, the answer carries a TIMEOUT error and the age of the
 * data, so the card marks it stale and its health Unknown: old data is shown as old, never as current.
 */
export function remoteInputs(
  head: PublishedHead,
  body: PublishedBody,
  now: number,
  staleAfterMs: number,
): Omit<SummarizeClusterInput, 'cluster' | 'now' | 'scope'> {
  const silentMs = Math.max(0, now - head.publishedAt);
  const base = {
    objects: body.objects,
    servedVersions: body.servedVersions,
    unsupported: body.unsupported,
    events: body.events,
  };
  if (silentMs <= staleAfterMs && !head.stopped) {
    const ownerAge = head.cacheAgeSeconds;
    return {
      ...base,
      error: head.error,
      cacheAgeSeconds:
        ownerAge === undefined || ownerAge === 0
          ? ownerAge
          : ownerAge + Math.floor(silentMs / 1000),
    };
  }
  const age = Math.floor(silentMs / 1000) + (head.cacheAgeSeconds ?? 0);
  const before = head.error ? ` Before that: ${head.error.message}` : '';
  return {
    ...base,
    cacheAgeSeconds: age,
    error: {
      type: 'TIMEOUT',
      message: `${
        head.stopped
          ? `The backend replica watching this cluster stopped ${Math.floor(
              silentMs / 1000,
            )} s ago`
          : `The backend replica watching this cluster has not reported for ${Math.floor(
              silentMs / 1000,
            )} s (it may have stopped`
      }; another replica takes the cluster over${
        head.stopped ? '' : ')'
      }. Showing what was cached ${age} s ago.${before}`,
    },
  };
}
