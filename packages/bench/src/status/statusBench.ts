/*
 * P1 (latency), P2 (API load) and P4 (memory): the simulated fleet in one child process, one Backstage backend with
 * our plugin and Backstage's Kubernetes backend in another, the load driver here.
 *
 *  1. Fleet up, the last cluster black-holed. Backend up.
 *  2. Ours: first request (cold: the cache starts; the black hole costs at most our timeout), then until the answer
 *     is complete (every reachable cluster with the entity's objects). Counters reset; sequential and 20-concurrent
 *     requests; counters again (P2).
 *  3. The anchor with the black hole: requests capped at `anchorCapMs` (it has no timeout of its own).
 *  4. The black hole lifted, so the anchor can answer at all: both plugins measured again, sequential and
 *     20-concurrent, anchor counters per request (P2).
 *  5. P4: fresh backends, RSS after GC before the first request and once the cache has synced — on the fleet topped
 *     up until the kinds we watch hold `memoryObjects` objects, and on a fleet of as many clusters with almost no
 *     objects, which tells the fixed cost (watch connections, code warmed up) from the cost per cached object.
 */
import { Child } from '../util/child';
import {
  runConcurrent,
  runSequential,
  Sample,
  timedRequest,
} from '../util/http';
import {
  fleetCounters,
  resetFleetCounters,
  simAdmin,
  SimClusterInfo,
  SimCounters,
} from '../util/simAdmin';
import { LatencyStats, latencyStats } from '../util/stats';
import {
  entityShare,
  externalSecret,
  FleetSize,
  teamName,
} from '../fleet/generate';
import { inspectAnchor, inspectOurs, OursView } from './inspect';
import { backendConfig, catalogEntities, requests } from './setup';
import { countObjects } from './countObjects';

export interface StatusBenchOptions {
  size: FleetSize;
  sequential: number;
  concurrentTotal: number;
  concurrency: number;
  /** Our per-cluster timeout (config), which caps what the black hole may cost. */
  clusterTimeoutMs: number;
  /** How long the driver waits for one anchor request to a fleet with a black hole. */
  anchorCapMs: number;
  anchorBlackholeRequests: number;
  /** Requests' own timeout. */
  requestTimeoutMs: number;
  /** How long to wait for our cache to hold the whole fleet. */
  syncTimeoutMs: number;
  /** P4: objects our cache should hold (0: skip P4). */
  memoryObjects: number;
  /**
   * Memory runs: how long to wait for V8 to give back the pages it freed before reading RSS the second time
   * (0: read once). The first read is the peak.
   */
  settleMs?: number;
  /** Deep-merged into the backend's config (experiments, e.g. `gitopsSecrets.cache.pageSize`). */
  configOverride?: Record<string, unknown>;
  verbose: boolean;
  log: (line: string) => void;
}

export interface Series {
  stats: LatencyStats;
  /** Requests without an answer (HTTP error, timeout). */
  errors: number;
  firstError?: string;
  /** Answers that missed a cluster or carried per-cluster errors. */
  incomplete: number;
  firstProblem?: string;
  meanBytes: number;
  wallMs?: number;
}

export interface LoadCounters {
  requests: number;
  lists: number;
  watches: number;
  gets: number;
  discovery: number;
  total: number;
  openWatches: number;
  /** Open watches per reachable cluster (min..max). */
  openWatchesPerCluster: { min: number; max: number };
  listsPerRequest: number;
  watchesOpenedPerRequest: number;
  apiRequestsPerRequest: number;
}

export interface SyncResult {
  synced: boolean;
  ms: number;
  view?: OursView;
  countMismatch?: string;
  /** [ms since the wait began, clusters answering] at each poll where the number changed. */
  timeline: Array<[number, number]>;
}

export interface MemSample {
  rss: number;
  /** Linux only: anonymous and file-backed parts of rss. */
  rssAnon?: number;
  rssFile?: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** RSS growth from before the first request: right after the sync (the peak) and once V8 gave back freed pages. */
export interface SettledGrowth {
  before: MemSample;
  /** Right after the sync, after a full GC: includes the emptied heap pages V8 still holds. */
  peak: MemSample;
  /** Once RSS settled (see the backend process's `settle`): what the cache costs to hold. */
  after: MemSample;
  peakRssGrowthMb: number;
  /** Settled growth: the figure the goals are judged on. */
  rssGrowthMb: number;
  heapGrowthMb: number;
  /** How long the settled read waited, and how much RSS fell meanwhile. */
  settleWaitMs: number;
  settleFellMb: number;
}

export interface MemoryRun extends SettledGrowth {
  clusters: number;
  objects: number;
  objectsByKind: Record<string, number>;
  /** Watches open on the fleet before the first request (a cache started eagerly would show here). */
  baselineOpenWatches: number;
  syncMs: number;
  synced: boolean;
}

export interface StatusResults {
  size: FleetSize;
  fleet: { seedMs: number; objects: number; rssMb: number };
  backendStartMs: number;
  clusterTimeoutMs: number;
  blackholed: string;
  /** Paths our plugin watches (one watch each per cluster). */
  watchedKinds: string[];
  ours: {
    coldMs: number;
    coldView?: OursView;
    syncMs?: number;
    synced: boolean;
    syncTimeline: Array<[number, number]>;
    /** Simulator counters from the first request until the cache held the fleet. */
    warmup?: {
      lists: number;
      watches: number;
      discovery: number;
      gets: number;
      total: number;
    };
    blackholeErrorType?: string;
    sequential: Series;
    concurrent: Series;
    sequentialAllUp?: Series;
    concurrentAllUp?: Series;
    /** The card's summary of the same entity, all clusters up, sequential. */
    cardAllUp?: Series;
    /** How long after the black hole was lifted our answer had that cluster back. */
    recoveryMs?: number;
    counters: LoadCounters;
  };
  anchor: {
    blackhole: {
      requests: number;
      answered: number;
      capMs: number;
      samples: Sample[];
    };
    sequentialAllUp?: Series;
    concurrentAllUp?: Series;
    counters?: LoadCounters;
  };
  memory?: {
    /** The fleet topped up to the target: what the goal is about. */
    full: MemoryRun;
    /** Same number of clusters, almost no objects: the fixed cost. */
    small?: MemoryRun;
    /** full − small: what the cached objects themselves cost. */
    perObjects?: {
      objects: number;
      rssMb: number;
      heapMb: number;
      bytesPerObject: number;
    };
  };
  errors: string[];
  warnings: string[];
}

function series(samples: Sample[], wallMs?: number): Series {
  const ok = samples.filter(s => s.status === 200);
  const bad = samples.filter(s => s.status !== 200);
  const incomplete = ok.filter(s => s.problem);
  return {
    stats: latencyStats(ok.map(s => s.ms)),
    errors: bad.length,
    firstError: bad[0] ? bad[0].error ?? `HTTP ${bad[0].status}` : undefined,
    incomplete: incomplete.length,
    firstProblem: incomplete[0]?.problem,
    meanBytes: ok.length ? ok.reduce((n, s) => n + s.bytes, 0) / ok.length : 0,
    wallMs,
  };
}

function loadCounters(
  requestsMade: number,
  reachable: SimClusterInfo[],
  counters: { sum: Record<string, number>; perCluster: SimCounters[] },
  all: SimClusterInfo[],
): LoadCounters {
  const perCluster = reachable.map(
    c => counters.perCluster[all.indexOf(c)].openWatches,
  );
  const { sum } = counters;
  return {
    requests: requestsMade,
    lists: sum.list,
    watches: sum.watch,
    gets: sum.get,
    discovery: sum.discovery,
    total: sum.total,
    openWatches: sum.openWatches,
    openWatchesPerCluster: {
      min: Math.min(...perCluster),
      max: Math.max(...perCluster),
    },
    listsPerRequest: sum.list / requestsMade,
    watchesOpenedPerRequest: sum.watch / requestsMade,
    apiRequestsPerRequest: sum.total / requestsMade,
  };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; anything else in `override` replaces. */
export function mergeConfig(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? mergeConfig(b, v) : v;
  }
  return out;
}

/** Our answer is complete when every cluster in `expect` is reachable. */
function oursCheck(expect: string[]) {
  return (text: string) => {
    const view = inspectOurs(text);
    const missing = expect.filter(c => !view.reachable.includes(c));
    return missing.length
      ? `${missing.length} cluster(s) not answered (${missing[0]}: ${
          view.errors[missing[0]] ?? 'absent'
        })`
      : undefined;
  };
}

/** The anchor's answer is complete when every cluster in `expect` is there without errors. */
function anchorCheck(expect: string[]) {
  return (text: string) => {
    const view = inspectAnchor(text);
    const missing = expect.filter(c => view.resources[c] === undefined);
    const failing = expect.filter(c => view.errors[c]);
    if (missing.length)
      return `${missing.length} cluster(s) missing (${missing[0]})`;
    return failing.length
      ? `${failing.length} cluster(s) with errors (${
          view.firstError ?? failing[0]
        })`
      : undefined;
  };
}

export async function startBackend(
  clusters: SimClusterInfo[],
  opts: Pick<
    StatusBenchOptions,
    'verbose' | 'clusterTimeoutMs' | 'configOverride'
  >,
  features: Array<'ours' | 'anchor'>,
) {
  const backend = new Child('backend', 'backend/backendProcess', {
    execArgv: ['--expose-gc', '--max-old-space-size=4096'],
    verbose: opts.verbose,
    env: { LOG_LEVEL: opts.verbose ? 'info' : 'warn' },
  });
  const entities = catalogEntities(clusters);
  const ready = await backend.request<{
    type: string;
    port: number;
    startMs: number;
  }>(
    {
      type: 'start',
      config: mergeConfig(
        backendConfig(clusters, { clusterTimeoutMs: opts.clusterTimeoutMs }),
        opts.configOverride ?? {},
      ),
      entities,
      features,
    },
    'ready',
    120_000,
  );
  const mem = () =>
    backend.request<MemSample & { type: string; [key: string]: unknown }>(
      { type: 'mem' },
      'mem',
      60_000,
    );
  const strip = ({ type: _t, id: _i, ...m }: any): MemSample => m;
  /** Memory once RSS settled (at most `settleMs` from now): the baseline, free of the backend's own start-up garbage. */
  const settledMem = async (settleMs: number): Promise<MemSample> => {
    if (settleMs > 0) {
      await backend.request(
        { type: 'settle', maxMs: settleMs },
        'settled',
        settleMs + 60_000,
      );
    }
    return strip(await mem());
  };
  /** The growth since `before`: read now (the peak), then again once RSS settled (at most `settleMs` later). */
  const growth = async (
    before: MemSample,
    settleMs: number,
  ): Promise<SettledGrowth> => {
    const peak = strip(await mem());
    let settled = { waitedMs: 0, fellMb: 0 };
    let after = peak;
    if (settleMs > 0) {
      settled = await backend.request<{
        type: string;
        waitedMs: number;
        fellMb: number;
      }>({ type: 'settle', maxMs: settleMs }, 'settled', settleMs + 60_000);
      after = strip(await mem());
    }
    const mb = (n: number) => n / 2 ** 20;
    return {
      before: strip(before),
      peak,
      after,
      peakRssGrowthMb: mb(peak.rss - before.rss),
      rssGrowthMb: mb(after.rss - before.rss),
      heapGrowthMb: mb(after.heapUsed - before.heapUsed),
      settleWaitMs: settled.waitedMs,
      settleFellMb: settled.fellMb,
    };
  };
  return {
    backend,
    port: ready.port,
    startMs: ready.startMs,
    mem,
    settledMem,
    growth,
    req: requests(`http://localhost:${ready.port}`, entities),
  };
}

/** Asks ours until every cluster in `expectReachable` answers with the entity's ExternalSecrets. */
export async function waitForSync(
  url: string,
  expectReachable: string[],
  expectedEs: number,
  opts: Pick<StatusBenchOptions, 'syncTimeoutMs' | 'requestTimeoutMs'>,
): Promise<SyncResult> {
  const t0 = performance.now();
  const timeline: Array<[number, number]> = [];
  let view: OursView | undefined;
  while (performance.now() - t0 < opts.syncTimeoutMs) {
    const s = await timedRequest({ url, timeoutMs: opts.requestTimeoutMs });
    if (s.status === 200 && s.text) {
      const current = inspectOurs(s.text);
      view = current;
      const elapsed = Math.round(performance.now() - t0);
      if (timeline.at(-1)?.[1] !== current.reachable.length) {
        timeline.push([elapsed, current.reachable.length]);
      }
      const missing = expectReachable.filter(
        c => !current.reachable.includes(c),
      );
      if (!missing.length) {
        const wrong = expectReachable.filter(
          c => current.externalSecrets[c] !== expectedEs,
        );
        if (!wrong.length) return { synced: true, ms: elapsed, view, timeline };
        // Reachable but not all objects yet: the initial list is still arriving, or the counts differ for good.
        if (elapsed > opts.syncTimeoutMs / 2) {
          return {
            synced: true,
            ms: elapsed,
            view,
            timeline,
            countMismatch: `${wrong[0]} shows ${
              current.externalSecrets[wrong[0]]
            } ExternalSecrets of the entity, expected ${expectedEs}`,
          };
        }
      }
    }
    await sleep(100);
  }
  return { synced: false, ms: performance.now() - t0, view, timeline };
}

/** Watch paths our plugin opened on any cluster. */
export function watchPaths(perCluster: SimCounters[]): string[] {
  const paths = new Set<string>();
  for (const c of perCluster) {
    for (const k of Object.keys(c.byPath))
      if (k.startsWith('watch ')) paths.add(k.slice('watch '.length));
  }
  return [...paths].sort();
}

export async function runStatusBench(
  opts: StatusBenchOptions,
): Promise<StatusResults> {
  const { size, log } = opts;
  const errors: string[] = [];
  const warnings: string[] = [];
  const fleet = new Child('fleet', 'fleet/fleetProcess', {
    verbose: opts.verbose,
  });
  const children: Child[] = [fleet];
  try {
    const blackholedIdx = size.clusters - 1;
    const ready = await fleet.request<{
      type: string;
      clusters: SimClusterInfo[];
      seedMs: number;
      objects: number;
      rssMb: number;
    }>({ type: 'start', size, blackholed: [blackholedIdx] }, 'ready', 600_000);
    const clusters = ready.clusters;
    const names = clusters.map(c => c.name);
    const blackholed = clusters[blackholedIdx];
    const reachable = clusters.filter(c => c !== blackholed);
    const reachableNames = reachable.map(c => c.name);
    const expectedEs = entityShare(size).externalSecrets;
    log(
      `fleet: ${clusters.length} clusters, ${
        ready.objects
      } objects seeded in ${(ready.seedMs / 1000).toFixed(1)} s; ${
        blackholed.name
      } black-holed`,
    );

    const b1 = await startBackend(clusters, opts, ['ours', 'anchor']);
    children.push(b1.backend);
    log(`backend up in ${(b1.startMs / 1000).toFixed(1)} s on port ${b1.port}`);
    await resetFleetCounters(clusters);
    const oursSpec = { ...b1.req.ours, timeoutMs: opts.requestTimeoutMs };
    const anchorSpec = { ...b1.req.anchor, timeoutMs: opts.requestTimeoutMs };

    // 2. Ours, cold then synced.
    const cold = await timedRequest(oursSpec);
    let coldView: OursView | undefined;
    if (cold.status !== 200) {
      errors.push(
        `ours: first request answered ${
          cold.error ?? `HTTP ${cold.status}: ${cold.text?.slice(0, 300)}`
        }`,
      );
    } else {
      coldView = inspectOurs(cold.text!);
    }
    log(
      `ours cold: ${cold.ms.toFixed(0)} ms (HTTP ${cold.status}${
        coldView
          ? `, ${coldView.reachable.length}/${clusters.length} clusters answering`
          : ''
      })`,
    );
    if (cold.status === 200 && cold.ms > opts.clusterTimeoutMs + 1000) {
      warnings.push(
        `ours: the first request took ${cold.ms.toFixed(0)} ms, more than the ${
          opts.clusterTimeoutMs
        } ms cluster timeout`,
      );
    }
    // When ours does not answer at all there is nothing to wait for; the anchor is still measured.
    const oursWorks = cold.status === 200;
    const sync: SyncResult = oursWorks
      ? await waitForSync(b1.req.ours.url, reachableNames, expectedEs, opts)
      : { synced: false, ms: 0, timeline: [] };
    if (oursWorks && !sync.synced) {
      errors.push(
        `ours: the cache never held the whole fleet within ${
          opts.syncTimeoutMs
        } ms (last answer: ${JSON.stringify(
          sync.view && {
            reachable: sync.view.reachable.length,
            errors: sync.view.errors,
          },
        )})`,
      );
    }
    if (sync.countMismatch) warnings.push(`ours: ${sync.countMismatch}`);
    log(
      `ours synced after ${(sync.ms / 1000).toFixed(
        1,
      )} s more (clusters answering over time: ${JSON.stringify(
        sync.timeline,
      )})`,
    );
    const blackholeErrorType = sync.view?.errors[blackholed.name];
    if (sync.view && !blackholeErrorType) {
      errors.push(
        `ours: no error reported for the black-holed ${blackholed.name}`,
      );
    }
    const warm = await fleetCounters(clusters);
    const watchedKinds = watchPaths(warm.perCluster);

    // P1 + P2, ours with the black hole.
    await resetFleetCounters(clusters);
    const oursRuns = oursWorks ? 1 : 0;
    const oursBh = { ...oursSpec, check: oursCheck(reachableNames) };
    const seqOurs = await runSequential(oursBh, opts.sequential * oursRuns);
    const concOurs = await runConcurrent(
      oursBh,
      opts.concurrentTotal * oursRuns,
      opts.concurrency,
    );
    const oursCounters = loadCounters(
      opts.sequential + opts.concurrentTotal,
      reachable,
      await fleetCounters(clusters),
      clusters,
    );
    log(
      `ours: seq p95 ${latencyStats(seqOurs.map(s => s.ms)).p95.toFixed(
        1,
      )} ms, ${opts.concurrency}-conc p95 ${latencyStats(
        concOurs.samples.map(s => s.ms),
      ).p95.toFixed(1)} ms; lists/request ${
        oursCounters.listsPerRequest
      }, open watches ${oursCounters.openWatches}`,
    );

    // 3. The anchor with the black hole.
    const anchorBh: Sample[] = [];
    for (let i = 0; i < opts.anchorBlackholeRequests; i++) {
      const { text: _t, ...s } = await timedRequest({
        ...b1.req.anchor,
        timeoutMs: opts.anchorCapMs,
      });
      anchorBh.push(s);
    }
    log(
      `anchor with the black hole: ${
        anchorBh.filter(s => s.status === 200).length
      }/${anchorBh.length} answered within ${opts.anchorCapMs} ms`,
    );

    // 4. All clusters answering.
    await simAdmin.setFaults(blackholed, {});
    const allUp: SyncResult = oursWorks
      ? await waitForSync(b1.req.ours.url, names, expectedEs, {
          ...opts,
          syncTimeoutMs: Math.max(opts.syncTimeoutMs, 60_000),
        })
      : { synced: false, ms: 0, timeline: [] };
    if (oursWorks && !allUp.synced) {
      warnings.push(
        `ours: ${blackholed.name} not back in the answer ${allUp.ms.toFixed(
          0,
        )} ms after its black hole was lifted`,
      );
    }
    log(
      `black hole lifted; ours has ${blackholed.name} back after ${(
        allUp.ms / 1000
      ).toFixed(1)} s`,
    );

    const anchorWarm = await timedRequest(anchorSpec);
    if (anchorWarm.status !== 200) {
      errors.push(
        `anchor: answered ${
          anchorWarm.error ??
          `HTTP ${anchorWarm.status}: ${anchorWarm.text?.slice(0, 300)}`
        }`,
      );
    }
    await resetFleetCounters(clusters);
    const anchorUp = { ...anchorSpec, check: anchorCheck(names) };
    const seqAnchor = await runSequential(anchorUp, opts.sequential);
    const concAnchor = await runConcurrent(
      anchorUp,
      opts.concurrentTotal,
      opts.concurrency,
    );
    const anchorCounters = loadCounters(
      opts.sequential + opts.concurrentTotal,
      clusters,
      await fleetCounters(clusters),
      clusters,
    );
    log(
      `anchor: seq p95 ${latencyStats(seqAnchor.map(s => s.ms)).p95.toFixed(
        1,
      )} ms, ${opts.concurrency}-conc p95 ${latencyStats(
        concAnchor.samples.map(s => s.ms),
      ).p95.toFixed(1)} ms; lists/request ${anchorCounters.listsPerRequest}`,
    );
    const oursUp = { ...oursSpec, check: oursCheck(names) };
    const seqOursUp = await runSequential(oursUp, opts.sequential * oursRuns);
    const concOursUp = await runConcurrent(
      oursUp,
      opts.concurrentTotal * oursRuns,
      opts.concurrency,
    );
    log(
      `ours, all up: seq p95 ${latencyStats(
        seqOursUp.map(s => s.ms),
      ).p95.toFixed(1)} ms, ${opts.concurrency}-conc p95 ${latencyStats(
        concOursUp.samples.map(s => s.ms),
      ).p95.toFixed(1)} ms`,
    );
    const cardUp = {
      url: b1.req.card.url,
      method: b1.req.card.method,
      timeoutMs: opts.requestTimeoutMs,
      check: oursCheck(names),
    };
    const seqCard = await runSequential(cardUp, opts.sequential * oursRuns);
    log(
      `ours, card summary: seq p95 ${latencyStats(
        seqCard.map(s => s.ms),
      ).p95.toFixed(1)} ms, ${(
        seqCard.reduce((n, s) => n + s.bytes, 0) /
        Math.max(1, seqCard.length) /
        1024
      ).toFixed(1)} KiB`,
    );
    await b1.backend.stop();
    children.pop();

    const results: StatusResults = {
      size,
      fleet: {
        seedMs: ready.seedMs,
        objects: ready.objects,
        rssMb: ready.rssMb,
      },
      backendStartMs: b1.startMs,
      clusterTimeoutMs: opts.clusterTimeoutMs,
      blackholed: blackholed.name,
      watchedKinds,
      ours: {
        coldMs: cold.ms,
        coldView,
        syncMs: sync.ms,
        synced: sync.synced,
        syncTimeline: sync.timeline,
        warmup: {
          lists: warm.sum.list,
          watches: warm.sum.watch,
          discovery: warm.sum.discovery,
          gets: warm.sum.get,
          total: warm.sum.total,
        },
        blackholeErrorType,
        sequential: series(seqOurs),
        concurrent: series(concOurs.samples, concOurs.wallMs),
        sequentialAllUp: series(seqOursUp),
        cardAllUp: series(seqCard),
        concurrentAllUp: series(concOursUp.samples, concOursUp.wallMs),
        recoveryMs: allUp.synced ? allUp.ms : undefined,
        counters: oursCounters,
      },
      anchor: {
        blackhole: {
          requests: anchorBh.length,
          answered: anchorBh.filter(s => s.status === 200).length,
          capMs: opts.anchorCapMs,
          samples: anchorBh,
        },
        sequentialAllUp: series(seqAnchor),
        concurrentAllUp: series(concAnchor.samples, concAnchor.wallMs),
        counters: anchorCounters,
      },
      errors,
      warnings,
    };
    const all: Array<[string, Series, boolean]> = [
      ['ours sequential', results.ours.sequential, true],
      ['ours concurrent', results.ours.concurrent, true],
      ['ours sequential (all up)', results.ours.sequentialAllUp!, true],
      ['ours concurrent (all up)', results.ours.concurrentAllUp!, true],
      ['anchor sequential', results.anchor.sequentialAllUp!, false],
      ['anchor concurrent', results.anchor.concurrentAllUp!, false],
    ];
    for (const [name, s, isOurs] of all) {
      if (s.errors)
        errors.push(
          `${name}: ${s.errors} failed requests (first: ${s.firstError})`,
        );
      if (s.incomplete) {
        // An incomplete answer of ours is a broken scenario; the anchor's is a figure worth reporting.
        (isOurs ? errors : warnings).push(
          `${name}: ${s.incomplete} of ${s.stats.n} answers incomplete (first: ${s.firstProblem})`,
        );
      }
    }

    // 5. P4 on fresh backends.
    if (opts.memoryObjects > 0 && watchedKinds.length) {
      results.memory = await memoryBench(
        clusters,
        watchedKinds,
        expectedEs,
        fleet,
        opts,
        children,
        errors,
      );
    } else if (opts.memoryObjects > 0) {
      errors.push('P4: skipped, ours opened no watch');
    }
    return results;
  } finally {
    for (const c of children.reverse()) await c.stop();
  }
}

async function memoryRun(
  clusters: SimClusterInfo[],
  watchedKinds: string[],
  expectedEs: number,
  opts: StatusBenchOptions,
  children: Child[],
  errors: string[],
  label: string,
): Promise<MemoryRun> {
  const counted = await countObjects(clusters, watchedKinds);
  const b = await startBackend(clusters, opts, ['ours', 'anchor']);
  children.push(b.backend);
  try {
    const baselineOpenWatches = (await fleetCounters(clusters)).sum.openWatches;
    const before = await b.settledMem(opts.settleMs ?? 0);
    const t0 = performance.now();
    await timedRequest({ ...b.req.ours, timeoutMs: opts.requestTimeoutMs });
    const sync = await waitForSync(
      b.req.ours.url,
      clusters.map(c => c.name),
      expectedEs,
      opts,
    );
    const syncMs = performance.now() - t0;
    if (!sync.synced)
      errors.push(
        `P4 (${label}): ours never synced within ${opts.syncTimeoutMs} ms`,
      );
    // Some requests in steady state, as a portal would make them, before reading memory.
    await runSequential(
      { ...b.req.ours, timeoutMs: opts.requestTimeoutMs },
      10,
    );
    const g = await b.growth(before, opts.settleMs ?? 0);
    const mb = (n: number) => n / 2 ** 20;
    opts.log(
      `P4 (${label}): ${counted.total} objects; RSS ${mb(before.rss).toFixed(
        0,
      )} → ${mb(g.peak.rss).toFixed(0)} MB (peak) → ${mb(g.after.rss).toFixed(
        0,
      )} MB (settled in ${(g.settleWaitMs / 1000).toFixed(0)} s), heap ${mb(
        before.heapUsed,
      ).toFixed(0)} → ${mb(g.after.heapUsed).toFixed(0)} MB`,
    );
    return {
      clusters: clusters.length,
      objects: counted.total,
      objectsByKind: counted.byKind,
      baselineOpenWatches,
      ...g,
      syncMs,
      synced: sync.synced,
    };
  } finally {
    await b.backend.stop();
    children.splice(children.indexOf(b.backend), 1);
  }
}

async function memoryBench(
  clusters: SimClusterInfo[],
  watchedKinds: string[],
  expectedEs: number,
  fleet: Child,
  opts: StatusBenchOptions,
  children: Child[],
  errors: string[],
): Promise<StatusResults['memory']> {
  // The fixed cost: as many clusters with only the fixture's objects (and none of the entity's).
  const smallSize: FleetSize = {
    clusters: clusters.length,
    externalSecrets: 0,
    kustomizations: 0,
    helmReleases: 0,
    teams: 1,
  };
  let small: MemoryRun | undefined;
  try {
    const smallFleet = await fleet.request<{
      type: string;
      clusters: SimClusterInfo[];
    }>(
      { type: 'start', fleet: 'small', size: smallSize, blackholed: [] },
      'ready',
      300_000,
    );
    small = await memoryRun(
      smallFleet.clusters,
      watchedKinds,
      0,
      opts,
      children,
      errors,
      'fixed cost',
    );
    await fleet.request({ type: 'stopFleet', fleet: 'small' }, 'done', 60_000);
  } catch (error) {
    errors.push(`P4 (fixed cost): ${(error as Error).message}`);
  }

  // Top the fleet up with ExternalSecrets outside the entity's namespace until the watched kinds hold the target.
  const counted = await countObjects(clusters, watchedKinds);
  const missing = opts.memoryObjects - counted.total;
  if (missing > 0) {
    const per = Math.ceil(missing / clusters.length);
    const now = new Date();
    for (const c of clusters) {
      const objects = Array.from({ length: per }, (_, n) =>
        externalSecret(
          teamName(1 + (n % Math.max(1, opts.size.teams - 1))),
          n,
          now,
          '-p4',
        ),
      );
      await fleet.request(
        { type: 'upsert', cluster: c.name, objects },
        'done',
        300_000,
      );
    }
  }
  const full = await memoryRun(
    clusters,
    watchedKinds,
    expectedEs,
    opts,
    children,
    errors,
    'full',
  );
  const perObjects = small && {
    objects: full.objects - small.objects,
    rssMb: full.rssGrowthMb - small.rssGrowthMb,
    heapMb: full.heapGrowthMb - small.heapGrowthMb,
    bytesPerObject:
      (full.after.heapUsed -
        full.before.heapUsed -
        (small.after.heapUsed - small.before.heapUsed)) /
      Math.max(1, full.objects - small.objects),
  };
  return { full, small, perObjects };
}
