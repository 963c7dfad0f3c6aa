/*
 * P6 fleet size: many simulated clusters with a few hundred objects each, our backend alone (no anchor), fresh.
 *
 *  1. A fleet of `clusters` clusters holding only the fixture's objects: RSS after GC before the first request and
 *     once every cluster answers — the growth divided by the clusters is the fixed cost of a cluster (its session or
 *     connections, watches, reflectors, discovery), with the few fixture objects in it.
 *  2. The same number of clusters with `objectsPerCluster` objects of the watched kinds: the time from the first
 *     request until every cluster answers with the entity's objects (the whole fleet cached), and RSS again.
 * Connections, HTTP/2 sessions and open watches are read from the simulators' counters while synced.
 */
import { Child } from '../util/child';
import { timedRequest } from '../util/http';
import { fleetCounters, SimClusterInfo } from '../util/simAdmin';
import { entityShare, FleetSize } from '../fleet/generate';
import { countObjects } from '../status/countObjects';
import {
  SettledGrowth,
  startBackend,
  StatusBenchOptions,
  waitForSync,
  watchPaths,
} from '../status/statusBench';

export interface FleetSizeOptions {
  clusters: number;
  /** Objects of the three generated kinds per cluster (ExternalSecrets, Kustomizations, HelmReleases). */
  objectsPerCluster: number;
  clusterTimeoutMs: number;
  requestTimeoutMs: number;
  syncTimeoutMs: number;
  /** How long to wait for V8 to give back freed pages before the settled read (0: read once). */
  settleMs: number;
  verbose: boolean;
  log: (line: string) => void;
}

export interface FleetSizeRun extends SettledGrowth {
  clusters: number;
  /** Objects in the kinds we watch, over the fleet (counted on the simulators). */
  objects: number;
  seedMs: number;
  /** From the first request until every cluster answered with the entity's objects. */
  syncMs: number;
  synced: boolean;
  timeline: Array<[number, number]>;
  /** Clusters not answering at the end of the wait, by the error our answer gave for them. */
  notAnswering: Record<string, number>;
  openWatches: number;
  openConnections: number;
  openH2Sessions: number;
}

export interface FleetSizeResults {
  clusters: number;
  objectsPerCluster: number;
  /** Fixture objects only: the fixed cost. */
  small?: FleetSizeRun;
  /** `objectsPerCluster` on every cluster: the time to cache the fleet. */
  full?: FleetSizeRun;
  /** small's RSS growth per cluster. */
  fixedRssPerClusterMb?: number;
  errors: string[];
}

/** How `objectsPerCluster` splits over the generated kinds (as the status fleet: mostly ExternalSecrets). */
export function p6Size(clusters: number, objectsPerCluster: number): FleetSize {
  const kustomizations = Math.round(objectsPerCluster * 0.2);
  const helmReleases = Math.round(objectsPerCluster * 0.08);
  return {
    clusters,
    externalSecrets: objectsPerCluster - kustomizations - helmReleases,
    kustomizations,
    helmReleases,
    teams: 5,
  };
}

async function run(
  fleet: Child,
  key: string,
  size: FleetSize,
  opts: FleetSizeOptions,
  errors: string[],
  label: string,
): Promise<FleetSizeRun> {
  const ready = await fleet.request<{
    type: string;
    clusters: SimClusterInfo[];
    seedMs: number;
  }>({ type: 'start', fleet: key, size, blackholed: [] }, 'ready', 900_000);
  const clusters = ready.clusters;
  opts.log(
    `P6 (${label}): ${clusters.length} clusters seeded in ${(
      ready.seedMs / 1000
    ).toFixed(1)} s`,
  );
  const statusOpts = {
    clusterTimeoutMs: opts.clusterTimeoutMs,
    requestTimeoutMs: opts.requestTimeoutMs,
    syncTimeoutMs: opts.syncTimeoutMs,
    verbose: opts.verbose,
    log: opts.log,
  } as StatusBenchOptions;
  const b = await startBackend(clusters, statusOpts, ['ours']);
  try {
    const before = await b.settledMem(opts.settleMs);
    const t0 = performance.now();
    await timedRequest({ ...b.req.ours, timeoutMs: opts.requestTimeoutMs });
    const sync = await waitForSync(
      b.req.ours.url,
      clusters.map(c => c.name),
      // A fleet without generated objects gives the entity none (the fixture's are in other namespaces).
      size.externalSecrets > 0 ? entityShare(size).externalSecrets : 0,
      statusOpts,
    );
    const syncMs = performance.now() - t0;
    if (!sync.synced)
      errors.push(
        `P6 (${label}): ours never held the fleet within ${opts.syncTimeoutMs} ms`,
      );
    const counters = await fleetCounters(clusters);
    const g = await b.growth(before, opts.settleMs);
    const counted = await countObjects(
      clusters,
      watchPaths(counters.perCluster),
    );
    const mb = (n: number) => n / 2 ** 20;
    opts.log(
      `P6 (${label}): ${counted.total} objects cached in ${(
        syncMs / 1000
      ).toFixed(1)} s; RSS ${mb(before.rss).toFixed(0)} → ${mb(
        g.peak.rss,
      ).toFixed(0)} MB (peak) → ${mb(g.after.rss).toFixed(0)} MB (settled in ${(
        g.settleWaitMs / 1000
      ).toFixed(0)} s); ${
        counters.sum.openConnections - clusters.length
      } connections, ${counters.sum.openH2Sessions} h2 sessions, ${
        counters.sum.openWatches
      } watches`,
    );
    return {
      clusters: clusters.length,
      objects: counted.total,
      seedMs: ready.seedMs,
      ...g,
      syncMs,
      synced: sync.synced,
      timeline: sync.timeline,
      notAnswering: Object.values(sync.view?.errors ?? {}).reduce(
        (n, type) => ({ ...n, [type]: (n[type] ?? 0) + 1 }),
        {} as Record<string, number>,
      ),
      openWatches: counters.sum.openWatches,
      // Less the counters request's own connection to each cluster.
      openConnections: counters.sum.openConnections - clusters.length,
      openH2Sessions: counters.sum.openH2Sessions,
    };
  } finally {
    await b.backend.stop();
    await fleet.request({ type: 'stopFleet', fleet: key }, 'done', 120_000);
  }
}

export async function runFleetSizeBench(
  opts: FleetSizeOptions,
): Promise<FleetSizeResults> {
  const errors: string[] = [];
  const fleet = new Child('fleet', 'fleet/fleetProcess', {
    verbose: opts.verbose,
  });
  const results: FleetSizeResults = {
    clusters: opts.clusters,
    objectsPerCluster: opts.objectsPerCluster,
    errors,
  };
  try {
    const none: FleetSize = {
      clusters: opts.clusters,
      externalSecrets: 0,
      kustomizations: 0,
      helmReleases: 0,
      teams: 1,
    };
    try {
      results.small = await run(
        fleet,
        'p6-small',
        none,
        opts,
        errors,
        'fixed cost',
      );
      results.fixedRssPerClusterMb =
        results.small.rssGrowthMb / results.small.clusters;
    } catch (error) {
      errors.push(`P6 (fixed cost): ${(error as Error).message}`);
    }
    try {
      results.full = await run(
        fleet,
        'p6-full',
        p6Size(opts.clusters, opts.objectsPerCluster),
        opts,
        errors,
        'full',
      );
    } catch (error) {
      errors.push(`P6 (full): ${(error as Error).message}`);
    }
    return results;
  } finally {
    await fleet.stop();
  }
}
