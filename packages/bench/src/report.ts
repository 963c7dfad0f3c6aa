/*
 * The results table (markdown, as docs/benchmarks.md shows it) and the goals.
 */
import type { CrdsResults } from './status/crdsBench';
import fs from 'node:fs';
import os from 'node:os';
import type { FaultResults } from './faults/faultBench';
import type {
  FleetSizeResults,
  FleetSizeRun,
} from './fleetSize/fleetSizeBench';
import type { PrResults, PrVariant } from './pr/prBench';
import type { MemoryRun, Series, StatusResults } from './status/statusBench';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  os: string;
  loadAverage: number[];
}

export function machine(): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(
      fs.readFileSync('/proc/cpuinfo', 'utf8'),
    );
    if (m) cpuModel = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map(l => Math.round(l * 100) / 100),
  };
}

export interface Results {
  mode: 'smoke' | 'full' | 'custom';
  command: string;
  startedAt: string;
  durationS: number;
  machine: Machine;
  status?: StatusResults;
  pr?: PrResults;
  faults?: FaultResults;
  /** P4's fixed part with unrelated CRDs (`--only crds`). */
  crds?: CrdsResults;
  fleetSize?: FleetSizeResults;
  goals: Goal[];
  errors: string[];
}

export interface Goal {
  id: string;
  goal: string;
  actual: string;
  met: boolean | undefined;
}

function ms(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (v >= 100) return v.toFixed(0);
  return v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function yesNo(met: boolean | undefined) {
  if (met === undefined) return 'n/a';
  return met ? 'yes' : '**no**';
}
const triple = (s?: Series) =>
  s && s.stats.n
    ? `${ms(s.stats.p50)} / ${ms(s.stats.p95)} / ${ms(s.stats.p99)}`
    : '—';
const ratio = (a?: number, b?: number) =>
  a === undefined || b === undefined || !b || Number.isNaN(a) || Number.isNaN(b)
    ? '—'
    : (a / b).toFixed(a / b < 0.01 ? 4 : 3);
const times = (a?: number, b?: number) =>
  a === undefined || b === undefined || !a || Number.isNaN(a) || Number.isNaN(b)
    ? ''
    : ` (${(b / a).toFixed(0)}× faster)`;

export function goals(
  r: Pick<Results, 'status' | 'pr' | 'faults' | 'fleetSize'>,
): Goal[] {
  const out: Goal[] = [];
  const s = r.status;
  if (s) {
    const seq = s.ours.sequentialAllUp?.stats.p95;
    const conc = s.ours.concurrentAllUp?.stats.p95;
    const aSeq = s.anchor.sequentialAllUp?.stats.p95;
    const aConc = s.anchor.concurrentAllUp?.stats.p95;
    const rs = seq !== undefined && aSeq ? seq / aSeq : NaN;
    const rc = conc !== undefined && aConc ? conc / aConc : NaN;
    out.push({
      id: 'P1',
      goal: 'p95 ≤ 1/10 of the anchor’s (sequential and 20-concurrent)',
      actual: `ours/anchor p95: sequential ${ratio(
        seq,
        aSeq,
      )}, concurrent ${ratio(conc, aConc)}; with the black hole ours p95 ${ms(
        s.ours.sequential.stats.p95,
      )} / ${ms(s.ours.concurrent.stats.p95)} ms, the anchor answered ${
        s.anchor.blackhole.answered
      }/${s.anchor.blackhole.requests} within ${(
        s.anchor.blackhole.capMs / 1000
      ).toFixed(0)} s`,
      met:
        Number.isNaN(rs) || Number.isNaN(rc)
          ? undefined
          : rs <= 0.1 && rc <= 0.1,
    });
    out.push({
      id: 'P1b',
      goal: `the black-holed cluster costs at most its timeout (${s.clusterTimeoutMs} ms)`,
      actual: `first request (cache cold) ${ms(
        s.ours.coldMs,
      )} ms; steady state p99 ${ms(s.ours.sequential.stats.p99)} ms; ${
        s.blackholed
      } reported as ${s.ours.blackholeErrorType ?? 'nothing'}`,
      met: !s.ours.coldView
        ? undefined
        : s.ours.coldMs <= s.clusterTimeoutMs + 1000 &&
          !!s.ours.blackholeErrorType,
    });
    const card = s.ours.cardAllUp;
    if (card) {
      const kib = card.meanBytes / 1024;
      out.push({
        id: 'P1c',
        goal: 'the card’s answer for the P1 entity ≤ 64 KiB',
        actual: `${kib.toFixed(1)} KiB (the whole status answer: ${(
          (s.ours.sequentialAllUp?.meanBytes ?? 0) / 1024
        ).toFixed(0)} KiB); card request p95 ${ms(card.stats.p95)} ms`,
        met: card.stats.n ? kib <= 64 : undefined,
      });
    }
    const c = s.ours.counters;
    const kinds = s.watchedKinds.length;
    out.push({
      id: 'P2',
      goal: 'zero list calls per request; one watch per kind per cluster',
      actual: `${c.listsPerRequest} lists and ${
        c.watchesOpenedPerRequest
      } new watches per request; ${c.openWatchesPerCluster.min}–${
        c.openWatchesPerCluster.max
      } open watches per reachable cluster for ${kinds} watched kinds (anchor: ${ms(
        s.anchor.counters?.listsPerRequest,
      )} lists per request)`,
      met:
        kinds > 0 &&
        c.listsPerRequest === 0 &&
        c.watchesOpenedPerRequest === 0 &&
        c.openWatchesPerCluster.min === kinds &&
        c.openWatchesPerCluster.max === kinds,
    });
    if (s.memory) {
      const { full, perObjects } = s.memory;
      out.push({
        id: 'P4',
        goal: 'RSS growth ≤ 40 MB with 50,000 cached objects',
        actual: `${full.rssGrowthMb.toFixed(
          1,
        )} MB RSS settled (${full.heapGrowthMb.toFixed(
          1,
        )} MB heap; ${full.peakRssGrowthMb.toFixed(
          1,
        )} MB right after the sync) for ${full.objects} objects${
          perObjects
            ? `; of it ${(full.rssGrowthMb - perObjects.rssMb).toFixed(
                1,
              )} MB fixed (the same ${full.clusters} clusters with ${
                s.memory.small?.objects
              } objects) and ${perObjects.rssMb.toFixed(
                1,
              )} MB RSS / ${perObjects.heapMb.toFixed(
                1,
              )} MB heap for the objects (${perObjects.bytesPerObject.toFixed(
                0,
              )} B heap per object)`
            : ''
        }`,
        // Under the goal with fewer objects than asked says nothing.
        met:
          full.rssGrowthMb > 40 ? false : full.objects >= 50_000 || undefined,
      });
    }
  }
  const p = r.pr;
  if (p && p.variants.ours[0]) {
    const ours = p.variants.ours[0];
    out.push({
      id: 'P3',
      goal: '≤ 7 GitHub requests for a 30-file PR',
      actual: `${ours.requests} requests (${ours.writes} writes); anchor ${p.variants.anchor[0]?.requests} (${p.variants.anchor[0]?.writes} writes)`,
      met: ours.requests <= 7,
    });
  }
  for (const f of r.faults?.rates ?? []) {
    out.push({
      id: 'P5',
      goal: `API requests to one cluster in the first ${f.windowS} s of "${f.fault}" ≤ ${f.ceiling} (what the backoff allows for ${f.kinds} kinds, + 30 for discovery)`,
      actual: `${f.requests} requests (${f.requestsPerMinute.toFixed(
        0,
      )} per minute: ${f.listsPerMinute.toFixed(
        0,
      )} lists, ${f.watchesPerMinute.toFixed(0)} watches)`,
      met: f.met,
    });
  }
  const f = r.fleetSize;
  if (f?.small || f?.full) {
    // Goals are about 200 clusters × 250 objects; a smaller run says nothing about them.
    const fullSize = f.clusters >= 200 && f.objectsPerCluster >= 250;
    if (f.small && f.fixedRssPerClusterMb !== undefined) {
      out.push({
        id: 'P6',
        goal: 'fixed RSS per cluster ≤ 0.5 MB (200 clusters)',
        actual: `${f.fixedRssPerClusterMb.toFixed(
          2,
        )} MB per cluster settled (${(
          f.small.peakRssGrowthMb / f.small.clusters
        ).toFixed(2)} MB right after the sync; ${f.small.rssGrowthMb.toFixed(
          0,
        )} MB RSS for ${f.small.clusters} clusters with ${
          f.small.objects
        } fixture objects; ${f.small.openConnections} connections, ${
          f.small.openH2Sessions
        } HTTP/2 sessions, ${f.small.openWatches} watches)`,
        met: fullSize ? f.fixedRssPerClusterMb <= 0.5 : undefined,
      });
    }
    if (f.full) {
      out.push({
        id: 'P6',
        goal: 'whole fleet cached ≤ 30 s after the first request (200 clusters × 250 objects)',
        actual: `${(f.full.syncMs / 1000).toFixed(1)} s for ${
          f.full.clusters
        } clusters, ${f.full.objects} objects${
          f.full.synced ? '' : ' (never synced)'
        }; RSS growth ${f.full.rssGrowthMb.toFixed(0)} MB`,
        met: fullSize ? f.full.synced && f.full.syncMs <= 30_000 : undefined,
      });
    }
  }
  return out;
}

function prRows(p: PrResults): string[] {
  const rows: string[] = [];
  p.variants.anchor.forEach((anchor: PrVariant, i) => {
    const ours = p.variants.ours[i];
    const unpaced = p.variants.oursUnpaced[i];
    const lat = anchor.latencyMs
      ? `${anchor.latencyMs} ms per request`
      : 'simulator as is';
    rows.push(
      `| ${lat} | ${ours?.requests ?? '—'} (${ours?.writes ?? '—'} writes) | ${
        anchor.requests
      } (${anchor.writes} writes) | ${ratio(
        ours?.requests,
        anchor.requests,
      )} | ${ms(ours?.medianWallMs)} | ${ms(unpaced?.medianWallMs)} | ${ms(
        anchor.medianWallMs,
      )} | ${ratio(ours?.medianWallMs, anchor.medianWallMs)} / ${ratio(
        unpaced?.medianWallMs,
        anchor.medianWallMs,
      )} |`,
    );
  });
  return rows;
}

/** Answers that arrived but missed clusters (the anchor reports failed lists per cluster inside a 200). */
function incompleteNote(s: StatusResults): string {
  const parts: string[] = [];
  const add = (label: string, x?: Series) => {
    if (x?.incomplete)
      parts.push(
        `${label} ${x.incomplete} of ${x.stats.n} (${x.firstProblem})`,
      );
  };
  add('ours sequential', s.ours.sequential);
  add('ours concurrent', s.ours.concurrent);
  add('ours sequential, all up', s.ours.sequentialAllUp);
  add('ours concurrent, all up', s.ours.concurrentAllUp);
  add('anchor sequential', s.anchor.sequentialAllUp);
  add('anchor concurrent', s.anchor.concurrentAllUp);
  return parts.length
    ? `Incomplete answers (HTTP 200 but clusters missing or with errors): ${parts.join(
        '; ',
      )}.\n`
    : 'Every answer counted above was complete (all clusters expected to answer did, without errors).\n';
}

export function markdown(r: Results): string {
  const lines: string[] = [];
  const s = r.status;
  if (s) {
    const z = s.size;
    lines.push(
      `### P1 status reads — ${z.clusters} clusters × (${z.externalSecrets} ExternalSecrets + ${z.kustomizations} Kustomizations + ${z.helmReleases} HelmReleases), ${s.blackholed} black-holed`,
      '',
      `Latency in ms, p50 / p95 / p99, ${s.ours.sequential.stats.n} sequential and ${s.ours.concurrent.stats.n} requests 20 at a time. Ours: \`GET /api/gitops-secrets/entities/default/component/team-00/status\`; anchor: \`POST /api/kubernetes/services/team-00\` (Backstage's Kubernetes backend, the three kinds as customResources).`,
      '',
      '| fleet state | requests | ours | anchor | ratio ours/anchor (p95) |',
      '| --- | --- | --- | --- | --- |',
      `| one cluster black-holed | sequential | ${triple(
        s.ours.sequential,
      )} | no answer within ${(s.anchor.blackhole.capMs / 1000).toFixed(
        0,
      )} s (${s.anchor.blackhole.requests - s.anchor.blackhole.answered} of ${
        s.anchor.blackhole.requests
      } requests) | anchor never answers |`,
      `| one cluster black-holed | 20 concurrent | ${triple(
        s.ours.concurrent,
      )} | — (never answers) | anchor never answers |`,
      `| all clusters answering | sequential | ${triple(
        s.ours.sequentialAllUp,
      )} | ${triple(s.anchor.sequentialAllUp)} | ${ratio(
        s.ours.sequentialAllUp?.stats.p95,
        s.anchor.sequentialAllUp?.stats.p95,
      )}${times(
        s.ours.sequentialAllUp?.stats.p95,
        s.anchor.sequentialAllUp?.stats.p95,
      )} |`,
      `| all clusters answering | 20 concurrent | ${triple(
        s.ours.concurrentAllUp,
      )} | ${triple(s.anchor.concurrentAllUp)} | ${ratio(
        s.ours.concurrentAllUp?.stats.p95,
        s.anchor.concurrentAllUp?.stats.p95,
      )}${times(
        s.ours.concurrentAllUp?.stats.p95,
        s.anchor.concurrentAllUp?.stats.p95,
      )} |`,
      '',
      incompleteNote(s),
      `Ours, first request with a cold cache: ${ms(
        s.ours.coldMs,
      )} ms (per-cluster timeout ${s.clusterTimeoutMs} ms; ${
        s.blackholed
      } reported as \`${
        s.ours.blackholeErrorType ?? '—'
      }\`); whole fleet cached ${ms(
        s.ours.syncMs,
      )} ms later. Mean answer size: ours ${
        (s.ours.sequentialAllUp?.meanBytes ?? 0) / 1024 >= 1
          ? `${((s.ours.sequentialAllUp?.meanBytes ?? 0) / 1024).toFixed(
              0,
            )} KiB`
          : `${s.ours.sequentialAllUp?.meanBytes ?? 0} B`
      }, anchor ${((s.anchor.sequentialAllUp?.meanBytes ?? 0) / 1024).toFixed(
        0,
      )} KiB.`,
      '',
    );
    const c = s.ours.counters;
    const a = s.anchor.counters;
    lines.push(
      '### P2 API load — simulator counters per entity request, steady state',
      '',
      '| per entity request | ours | anchor |',
      '| --- | --- | --- |',
      `| list calls | ${ms(c.listsPerRequest)} | ${ms(a?.listsPerRequest)} |`,
      `| watches opened | ${ms(c.watchesOpenedPerRequest)} | ${ms(
        a?.watchesOpenedPerRequest,
      )} |`,
      `| all API requests | ${ms(c.apiRequestsPerRequest)} | ${ms(
        a?.apiRequestsPerRequest,
      )} |`,
      // The anchor runs in the same backend while our watches are open, so the open watches are ours; it opens none.
      `| open watches per reachable cluster (kinds watched: ${s.watchedKinds.length}) | ${c.openWatchesPerCluster.min}–${c.openWatchesPerCluster.max} | none (lists on every request) |`,
      '',
    );
    if (s.memory) {
      const mb = (n: number) => (n / 2 ** 20).toFixed(0);
      const row = (label: string, m?: MemoryRun) =>
        m
          ? `| ${label} | ${m.objects.toLocaleString('en-US')} | ${mb(
              m.before.rss,
            )} MB | ${mb(m.peak.rss)} MB | ${mb(
              m.after.rss,
            )} MB | ${m.rssGrowthMb.toFixed(1)} MB | ${
              m.before.rssAnon !== undefined && m.after.rssAnon !== undefined
                ? `${mb(m.after.rssAnon - m.before.rssAnon)} MB`
                : '—'
            } | ${m.heapGrowthMb.toFixed(1)} MB |`
          : `| ${label} | — | — | — | — | — | — | — |`;
      const po = s.memory.perObjects;
      lines.push(
        '### P4 memory — backend RSS after GC: before the first request, right after the sync (peak), and settled',
        '',
        'Settled: once V8 gave back the heap pages the first lists emptied (RSS fell and held for 6 s, at most 60 s after the sync; the "before" read settles the same way). Growth = settled − before.',
        '',
        '| fleet | objects cached | RSS before | RSS peak | RSS settled | RSS growth | of it anonymous | V8 heap growth |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        row(`${s.memory.full.clusters} clusters, topped up`, s.memory.full),
        row(
          `${s.memory.full.clusters} clusters, fixture objects only`,
          s.memory.small,
        ),
        po
          ? `| difference: the objects themselves | ${po.objects.toLocaleString(
              'en-US',
            )} | | | | ${po.rssMb.toFixed(1)} MB | | ${po.heapMb.toFixed(
              1,
            )} MB (${po.bytesPerObject.toFixed(0)} B per object) |`
          : '',
        '',
      );
    }
  }
  const p = r.pr;
  if (p) {
    lines.push(
      `### P3 pull request — ${p.files} new files into a repository of ${p.seedFiles} files`,
      '',
      'Requests counted by the GitHub simulator; wall time in ms, median of the runs. Ours: `publishPullRequest` (what every gitops:secrets action calls), with its production default of pacing writes 1 s apart (GitHub’s guidance for content-creating integrations) and with pacing off; anchor: `publish:github:pull-request` (throttling off, as shipped).',
      '',
      '| GitHub latency | ours: requests | anchor: requests | ratio | ours: wall (paced) | ours: wall (pacing off) | anchor: wall | ratio (paced / off) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...prRows(p),
      '',
    );
    if (p.bootstrap) {
      lines.push(
        `\`gitops:secrets:bootstrap\` end to end (store + 10 ExternalSecrets): ${
          p.bootstrap.files
        } files, ${p.bootstrap.requests} requests (${
          p.bootstrap.writes
        } writes), ${ms(p.bootstrap.wallMs)} ms.`,
        '',
      );
    }
  }
  const f = r.fleetSize;
  if (f && (f.small || f.full)) {
    const mb = (n: number) => (n / 2 ** 20).toFixed(0);
    const row = (label: string, m?: FleetSizeRun) =>
      m
        ? `| ${label} | ${m.clusters} | ${m.objects.toLocaleString(
            'en-US',
          )} | ${mb(m.before.rss)} MB | ${mb(m.peak.rss)} MB (${(
            m.peakRssGrowthMb / m.clusters
          ).toFixed(2)} MB per cluster) | ${mb(m.after.rss)} MB after ${(
            m.settleWaitMs / 1000
          ).toFixed(0)} s | ${m.rssGrowthMb.toFixed(1)} MB (${(
            m.rssGrowthMb / m.clusters
          ).toFixed(2)} MB per cluster) | ${(m.syncMs / 1000).toFixed(1)} s${
            m.synced ? '' : ' (not synced)'
          } | ${m.openConnections} / ${m.openH2Sessions} / ${m.openWatches} |`
        : `| ${label} | — | — | — | — | — | — | — | — |`;
    lines.push(
      `### P6 fleet size — ${f.clusters} clusters, our backend alone, RSS after GC before the first request, right after the fleet is cached (peak) and settled`,
      '',
      '| fleet | clusters | objects cached | RSS before | RSS peak | RSS settled | RSS growth (settled) | first request → fleet cached | connections / h2 sessions / watches open |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      row('fixture objects only (fixed cost)', f.small),
      row(`${f.objectsPerCluster} objects per cluster`, f.full),
      '',
    );
  }
  lines.push(
    '### Goals',
    '',
    '| | goal | measured | met |',
    '| --- | --- | --- | --- |',
  );
  for (const g of r.goals) {
    lines.push(`| ${g.id} | ${g.goal} | ${g.actual} | ${yesNo(g.met)} |`);
  }
  lines.push('');
  const mc = r.machine;
  lines.push(
    `Machine: ${mc.cpus} CPUs (${mc.cpuModel}), ${mc.memoryGb} GB RAM, Node ${
      mc.node
    }, ${mc.os}; load average at start ${mc.loadAverage.join(', ')}. Run: \`${
      r.command
    }\` (${r.mode}), ${r.durationS.toFixed(0)} s, ${r.startedAt}.`,
  );
  if (r.errors.length) {
    lines.push('', '### Scenario errors', '', ...r.errors.map(e => `- ${e}`));
  }
  const warnings = r.status?.warnings ?? [];
  if (warnings.length)
    lines.push('', '### Warnings', '', ...warnings.map(w => `- ${w}`));
  return lines.join('\n');
}
