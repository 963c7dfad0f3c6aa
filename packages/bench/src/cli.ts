/*
 * `npm run bench -- [--smoke] [options]`: runs the benchmarks, prints the results table, writes JSON.
 * Exits non-zero when a scenario breaks (a request fails, the cache never syncs, a PR is not opened), never because a
 * goal is missed: benchmarks print figures, they do not pass or fail on them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runFaultBench } from './faults/faultBench';
import { runFleetSizeBench } from './fleetSize/fleetSizeBench';
import { runPrBench } from './pr/prBench';
import { crdsMarkdown, runCrdsBench } from './status/crdsBench';
import { goals, machine, markdown, Results } from './report';
import { runStatusBench, StatusBenchOptions } from './status/statusBench';

// The package runs from its sources (bin/bench), so __dirname is packages/bench/src.
// eslint-disable-next-line no-restricted-syntax
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const USAGE = `Usage: npm run bench -- [options]

  --smoke                 tiny sizes (CI; about a minute)
  --only LIST             status (P1, P2, P4), pr (P3), faults (P5), fleet (P6), crds (P4's fixed part with
                          unrelated CRDs, with and without metadata answers; not in the default), comma separated
                          (default status,pr,faults,fleet)
  --clusters N            clusters in the fleet (full: 20)
  --external-secrets N    ExternalSecrets per cluster (full: 2000)
  --kustomizations N      Kustomizations per cluster (full: 200)
  --helm-releases N       HelmReleases per cluster (full: 50)
  --sequential N          sequential requests per plugin and fleet state (full: 100)
  --concurrent N          requests sent 20 at a time (full: 200)
  --memory-objects N      P4: cached objects (full: 50000; 0 skips P4)
  --unrelated-crds N      crds: synthetic unrelated CRDs per cluster (full: 500)
  --crd-schema-bytes N    crds: schema size of each (full: 20000)
  --timeout-ms N          our per-cluster timeout (full: 5000)
  --p6-clusters N         P6: clusters in the large fleet (full: 200)
  --p6-objects N          P6: objects per cluster of the watched kinds (full: 250)
  --config-json JSON      merged into the backend's config, e.g. '{"gitopsSecrets":{"cache":{"pageSize":100}}}'
  --anchor-cap-ms N       how long to wait for the anchor while a cluster is black-holed (full: 30000)
  --pr-runs N             P3 runs per variant (full: 5)
  --out FILE              JSON results (default .bench/results.json, smoke: .bench/results-smoke.json)
  --markdown FILE         also write the markdown table to FILE
  --update-docs           put the table into docs/benchmarks.md (between its bench:results markers)
  --verbose               show the children's logs
`;

/**
 * Memory goals are read once RSS settled: V8 gives back the heap pages a fleet's first lists emptied only when its
 * memory reducer runs (10–30 s after on a quiet backend); the read right after the sync is reported as the peak.
 */
const SETTLE_MS = 60_000;

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the results section of docs/benchmarks.md (between the markers) with this run's table. */
function updateDocs(table: string) {
  const file = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
  const doc = fs.readFileSync(file, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a)
    throw new Error(`${file} has no ${START} … ${END} section`);
  const updated = `${doc.slice(0, a + START.length)}\n\n${table}\n\n${doc.slice(
    b,
  )}`;
  // Formatted as the repository's prettier:check wants it (the root's prettier 2, its config).
  const prettier = require('prettier');
  const options = prettier.resolveConfig.sync(file) ?? {};
  fs.writeFileSync(
    file,
    prettier.format(updated, { ...options, filepath: file }),
  );
}

function modeOf(customised: boolean, smoke: boolean): Results['mode'] {
  if (customised) return 'custom';
  return smoke ? 'smoke' : 'full';
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      clusters: { type: 'string' },
      'external-secrets': { type: 'string' },
      kustomizations: { type: 'string' },
      'helm-releases': { type: 'string' },
      sequential: { type: 'string' },
      concurrent: { type: 'string' },
      'memory-objects': { type: 'string' },
      'unrelated-crds': { type: 'string' },
      'crd-schema-bytes': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'p6-clusters': { type: 'string' },
      'p6-objects': { type: 'string' },
      'config-json': { type: 'string' },
      'anchor-cap-ms': { type: 'string' },
      'pr-runs': { type: 'string' },
      out: { type: 'string' },
      markdown: { type: 'string' },
      'update-docs': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const smoke = values.smoke!;
  const num = (v: string | undefined, full: number, small: number) => {
    if (v === undefined) return smoke ? small : full;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`expected a whole number, got ${JSON.stringify(v)}`);
    return n;
  };
  const only = new Set(
    (values.only ?? 'status,pr,faults,fleet').split(',').map(s => s.trim()),
  );
  for (const o of only) {
    if (!['status', 'pr', 'faults', 'fleet', 'crds'].includes(o))
      throw new Error(
        `--only: unknown ${JSON.stringify(
          o,
        )} (status, pr, faults, fleet, crds)`,
      );
  }
  const clusters = num(values.clusters, 20, 3);
  if (clusters < 2)
    throw new Error('--clusters: at least 2 (one is black-holed)');
  const customised = argv.some(
    a =>
      a.startsWith('--') &&
      ![
        '--smoke',
        '--verbose',
        '--out',
        '--markdown',
        '--update-docs',
      ].includes(a),
  );
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const started = new Date();
  const t0 = performance.now();
  const results: Results = {
    mode: modeOf(customised, smoke),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    startedAt: started.toISOString(),
    durationS: 0,
    machine: machine(),
    goals: [],
    errors: [],
  };

  if (only.has('pr')) {
    log('P3: pull requests on the GitHub simulator');
    try {
      results.pr = await runPrBench({
        files: 30,
        runs: num(values['pr-runs'], 5, 1),
        latencies: smoke ? [0] : [0, 100],
        seedFileCount: smoke ? 20 : 300,
        log,
      });
      results.errors.push(...results.pr.errors);
    } catch (error) {
      results.errors.push(`P3: ${(error as Error).stack ?? error}`);
    }
  }

  if (only.has('status')) {
    log('P1/P2/P4: status reads on the simulated fleet');
    const opts: StatusBenchOptions = {
      size: {
        clusters,
        externalSecrets: num(values['external-secrets'], 2000, 60),
        kustomizations: num(values.kustomizations, 200, 12),
        helmReleases: num(values['helm-releases'], 50, 6),
        teams: smoke ? 3 : 20,
      },
      sequential: num(values.sequential, 100, 20),
      concurrentTotal: num(values.concurrent, 200, 40),
      concurrency: 20,
      clusterTimeoutMs: num(values['timeout-ms'], 5000, 2000),
      anchorCapMs: num(values['anchor-cap-ms'], 30_000, 3000),
      anchorBlackholeRequests: smoke ? 1 : 2,
      requestTimeoutMs: smoke ? 30_000 : 120_000,
      syncTimeoutMs: smoke ? 30_000 : 180_000,
      memoryObjects: num(values['memory-objects'], 50_000, 1000),
      settleMs: smoke ? 0 : SETTLE_MS,
      configOverride: values['config-json']
        ? JSON.parse(values['config-json'])
        : undefined,
      verbose: values.verbose!,
      log,
    };
    try {
      results.status = await runStatusBench(opts);
      results.errors.push(...results.status.errors);
    } catch (error) {
      results.errors.push(`P1/P2/P4: ${(error as Error).stack ?? error}`);
    }
  }

  if (only.has('crds')) {
    log("P4's fixed part with unrelated CRDs (CRDs by name)");
    try {
      results.crds = await runCrdsBench({
        clusters,
        unrelatedCrds: num(values['unrelated-crds'], 500, 50),
        schemaBytes: num(values['crd-schema-bytes'], 20_000, 5_000),
        clusterTimeoutMs: num(values['timeout-ms'], 5000, 2000),
        requestTimeoutMs: smoke ? 30_000 : 120_000,
        syncTimeoutMs: smoke ? 30_000 : 180_000,
        configOverride: values['config-json']
          ? JSON.parse(values['config-json'])
          : undefined,
        verbose: values.verbose!,
        log,
      });
      results.errors.push(...results.crds.errors);
      process.stdout.write(`${crdsMarkdown(results.crds)}\n\n`);
    } catch (error) {
      results.errors.push(`crds: ${(error as Error).stack ?? error}`);
    }
  }

  if (only.has('faults')) {
    log('P5: API requests per cluster per minute under faults');
    try {
      results.faults = await runFaultBench({
        windowMs: smoke ? 10_000 : 60_000,
        log,
      });
      results.errors.push(...results.faults.errors);
    } catch (error) {
      results.errors.push(`P5: ${(error as Error).stack ?? error}`);
    }
  }

  if (only.has('fleet')) {
    log('P6: fleet size — fixed cost per cluster, time to cache the fleet');
    try {
      results.fleetSize = await runFleetSizeBench({
        clusters: num(values['p6-clusters'], 200, 5),
        objectsPerCluster: num(values['p6-objects'], 250, 20),
        clusterTimeoutMs: num(values['timeout-ms'], 5000, 2000),
        requestTimeoutMs: smoke ? 30_000 : 120_000,
        syncTimeoutMs: smoke ? 30_000 : 180_000,
        settleMs: smoke ? 0 : SETTLE_MS,
        verbose: values.verbose!,
        log,
      });
      results.errors.push(...results.fleetSize.errors);
    } catch (error) {
      results.errors.push(`P6: ${(error as Error).stack ?? error}`);
    }
  }

  results.durationS = (performance.now() - t0) / 1000;
  results.goals = goals(results);
  const table = markdown(results);
  process.stdout.write(`${table}\n`);

  // npm runs the script in packages/bench; paths given on the command line are relative to where npm was invoked.
  const invokedIn = process.env.INIT_CWD ?? process.cwd();
  const out = values.out
    ? path.resolve(invokedIn, values.out)
    : path.join(
        REPO_ROOT,
        '.bench',
        smoke ? 'results-smoke.json' : 'results.json',
      );
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  if (values.markdown)
    fs.writeFileSync(path.resolve(invokedIn, values.markdown), `${table}\n`);
  if (values['update-docs']) updateDocs(table);
  log(`results written to ${path.relative(process.cwd(), out) || out}`);
  if (results.errors.length) {
    log(
      `${results.errors.length} scenario error(s):\n${results.errors
        .map(e => `  - ${e}`)
        .join('\n')}`,
    );
    return 1;
  }
  return 0;
}
