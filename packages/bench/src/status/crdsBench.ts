/*
 * P4's fixed part and CRDs (issue 17, "CRDs by name"): fresh backends on fleets holding only the fixture's objects
 * (what P4 calls the fixed cost), with and without `unrelatedCrds` synthetic unrelated CRDs per cluster, each against
 * a simulator answering metadata-only requests (what the backend asks for CRDs) and one that does not
 * (`metadataUnsupported`: full CRDs, read as before CRDs were read by name — every CRD in full, schemas cut).
 * Per variant: RSS and heap after GC before the first request and once synced, and the bytes the fleet sent
 * (all requests, and CRD requests), per cluster.
 */
import { Child } from '../util/child';
import { runSequential, timedRequest } from '../util/http';
import {
  fleetCounters,
  resetFleetCounters,
  simAdmin,
  SimClusterInfo,
} from '../util/simAdmin';
import type { FleetSize } from '../fleet/generate';
import type { MemSample, StatusBenchOptions } from './statusBench';
import { startBackend, waitForSync } from './statusBench';

export interface CrdsBenchOptions
  extends Pick<
    StatusBenchOptions,
    | 'clusterTimeoutMs'
    | 'requestTimeoutMs'
    | 'syncTimeoutMs'
    | 'configOverride'
    | 'verbose'
    | 'log'
  > {
  clusters: number;
  /** Synthetic unrelated CRDs per cluster in the crowded variants. */
  unrelatedCrds: number;
  /** Approximate OpenAPI schema size of each synthetic CRD. */
  schemaBytes: number;
}

export interface CrdsRun {
  label: string;
  clusters: number;
  unrelatedCrds: number;
  metadataAnswers: boolean;
  before: MemSample;
  after: MemSample;
  rssGrowthMb: number;
  heapGrowthMb: number;
  /** Body bytes the fleet sent to the backend, per cluster: everything, and CRD requests. */
  bytesPerCluster: number;
  crdBytesPerCluster: number;
  crdGetsPerCluster: number;
  crdListsPerCluster: number;
  syncMs: number;
  synced: boolean;
}

export interface CrdsResults {
  runs: CrdsRun[];
  errors: string[];
}

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

async function run(
  fleet: Child,
  variant: { label: string; unrelatedCrds: number; metadataAnswers: boolean },
  opts: CrdsBenchOptions,
  errors: string[],
): Promise<CrdsRun> {
  const key = `crds-${variant.unrelatedCrds}-${variant.metadataAnswers}`;
  const size: FleetSize = {
    clusters: opts.clusters,
    externalSecrets: 0,
    kustomizations: 0,
    helmReleases: 0,
    teams: 1,
  };
  const ready = await fleet.request<{
    type: string;
    clusters: SimClusterInfo[];
  }>({ type: 'start', fleet: key, size, blackholed: [] }, 'ready', 300_000);
  const clusters = ready.clusters;
  try {
    if (variant.unrelatedCrds) {
      await fleet.request(
        {
          type: 'syntheticCrds',
          fleet: key,
          count: variant.unrelatedCrds,
          schemaBytes: opts.schemaBytes,
        },
        'done',
        900_000,
      );
    }
    if (!variant.metadataAnswers) {
      await Promise.all(
        clusters.map(c => simAdmin.setFaults(c, { metadataUnsupported: true })),
      );
    }
    await resetFleetCounters(clusters);
    const b = await startBackend(clusters, opts, ['ours', 'anchor']);
    try {
      const before = await b.mem();
      const t0 = performance.now();
      await timedRequest({ ...b.req.ours, timeoutMs: opts.requestTimeoutMs });
      const sync = await waitForSync(
        b.req.ours.url,
        clusters.map(c => c.name),
        0,
        opts,
      );
      const syncMs = performance.now() - t0;
      if (!sync.synced) errors.push(`${variant.label}: ours never synced`);
      // Some requests in steady state, as in P4, before reading memory.
      await runSequential(
        { ...b.req.ours, timeoutMs: opts.requestTimeoutMs },
        10,
      );
      const after = await b.mem();
      const counters = await fleetCounters(clusters);
      let bytes = 0;
      let crdBytes = 0;
      let crdGets = 0;
      let crdLists = 0;
      for (const c of counters.perCluster) {
        bytes += c.bytes;
        for (const [k, n] of Object.entries(c.bytesByPath))
          if (k.includes(CRD_PATH)) crdBytes += n;
        for (const [k, n] of Object.entries(c.byPath)) {
          if (k.startsWith(`get ${CRD_PATH}/`)) crdGets += n;
          if (k === `list ${CRD_PATH}`) crdLists += n;
        }
      }
      const mb = (n: number) => n / 2 ** 20;
      const strip = ({ type: _t, id: _i, ...m }: any): MemSample => m;
      const n = clusters.length;
      const result: CrdsRun = {
        ...variant,
        clusters: n,
        before: strip(before),
        after: strip(after),
        rssGrowthMb: mb(after.rss - before.rss),
        heapGrowthMb: mb(after.heapUsed - before.heapUsed),
        bytesPerCluster: bytes / n,
        crdBytesPerCluster: crdBytes / n,
        crdGetsPerCluster: crdGets / n,
        crdListsPerCluster: crdLists / n,
        syncMs,
        synced: sync.synced,
      };
      opts.log(
        `${variant.label}: RSS +${result.rssGrowthMb.toFixed(1)} MB (${(
          result.rssGrowthMb / n
        ).toFixed(2)} per cluster), heap +${result.heapGrowthMb.toFixed(
          1,
        )} MB; ${(result.bytesPerCluster / 1024).toFixed(
          0,
        )} KiB read per cluster, of it CRDs ${(
          result.crdBytesPerCluster / 1024
        ).toFixed(0)} KiB`,
      );
      return result;
    } finally {
      await b.backend.stop();
    }
  } finally {
    await fleet.request({ type: 'stopFleet', fleet: key }, 'done', 120_000);
  }
}

export async function runCrdsBench(
  opts: CrdsBenchOptions,
): Promise<CrdsResults> {
  const errors: string[] = [];
  const fleet = new Child('fleet', 'fleet/fleetProcess', {
    verbose: opts.verbose,
  });
  const runs: CrdsRun[] = [];
  const variants = [
    { label: 'fixture objects', unrelatedCrds: 0, metadataAnswers: true },
    {
      label: 'fixture objects, no metadata answers',
      unrelatedCrds: 0,
      metadataAnswers: false,
    },
    {
      label: `+ ${opts.unrelatedCrds} unrelated CRDs`,
      unrelatedCrds: opts.unrelatedCrds,
      metadataAnswers: true,
    },
    {
      label: `+ ${opts.unrelatedCrds} unrelated CRDs, no metadata answers`,
      unrelatedCrds: opts.unrelatedCrds,
      metadataAnswers: false,
    },
  ];
  try {
    for (const v of variants) {
      try {
        runs.push(await run(fleet, v, opts, errors));
      } catch (error) {
        errors.push(`${v.label}: ${(error as Error).stack ?? error}`);
      }
    }
  } finally {
    await fleet.stop();
  }
  return { runs, errors };
}

/** The runs as a markdown table. */
export function crdsMarkdown(r: CrdsResults): string {
  const mb = (n: number) => (n / 2 ** 20).toFixed(0);
  const rows = r.runs.map(
    x =>
      `| ${x.label} | ${x.metadataAnswers ? 'yes' : 'no'} | ${mb(
        x.before.rss,
      )} → ${mb(x.after.rss)} | ${x.rssGrowthMb.toFixed(1)} | ${(
        x.rssGrowthMb / x.clusters
      ).toFixed(2)} | ${x.heapGrowthMb.toFixed(1)} | ${(
        x.bytesPerCluster / 1024
      ).toFixed(0)} | ${(x.crdBytesPerCluster / 1024).toFixed(
        0,
      )} | ${x.crdListsPerCluster.toFixed(0)} / ${x.crdGetsPerCluster.toFixed(
        0,
      )} |`,
  );
  return [
    `| ${
      r.runs[0]?.clusters ?? '?'
    } clusters | metadata answers | RSS MB before → after | RSS growth MB | per cluster MB | heap growth MB | KiB read per cluster | of it CRDs KiB | CRD lists / gets per cluster |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
