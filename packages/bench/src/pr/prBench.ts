/*
 * P3: one 30-file change proposed as a pull request, through our PR machinery (`publishPullRequest`, as every
 * gitops:secrets action uses it) and through Backstage's `publish:github:pull-request`, on the GitHub simulator.
 * The simulator's request counters give the request count; wall time is measured around the whole call.
 */
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createPublishGithubPullRequestAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { GithubApiSim, startGithubApiSim } from '@golden-gitops/github-api-sim';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import yaml from 'yaml';
import { externalSecret } from '../fleet/generate';
import { median } from '../util/stats';
import { ourGithub, ourSecretsActions } from './ours';

export const REPO = 'bench/fleet';

export interface PrRun {
  requests: number;
  writes: number;
  wallMs: number;
  byEndpoint: Record<string, number>;
  outcome?: string;
}

export interface PrVariant {
  label: string;
  /** Simulated per-request latency of the GitHub API (ms). */
  latencyMs: number;
  runs: PrRun[];
  requests: number;
  writes: number;
  medianWallMs: number;
}

export interface PrResults {
  files: number;
  seedFiles: number;
  variants: {
    ours: PrVariant[];
    oursUnpaced: PrVariant[];
    anchor: PrVariant[];
  };
  bootstrap?: {
    files: number;
    requests: number;
    writes: number;
    wallMs: number;
    byEndpoint: Record<string, number>;
  };
  errors: string[];
}

/** The 30 files: ExternalSecrets of one app, as an "add app secrets" change would write them. */
export function changeFiles(n: number, tag: string): Record<string, string> {
  const now = new Date('2026-11-01T12:00:00Z');
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const es = externalSecret('payments', i, now, `-${tag}`);
    delete (es as { status?: unknown }).status;
    files[`clusters/bench/apps/payments/secrets/${es.metadata.name}.yaml`] =
      yaml.stringify(es);
  }
  return files;
}

/** A fleet repository with some history-free bulk: `count` files under clusters/. */
function seedFiles(count: number): Record<string, string> {
  const files: Record<string, string> = {
    'README.md': '# fleet\n',
    // What `flux bootstrap --path=clusters/bench` commits: the bootstrap action refuses a path nothing applies.
    'clusters/bench/flux-system/gotk-sync.yaml': [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: GitRepository',
      'metadata: { name: flux-system, namespace: flux-system }',
      'spec: { interval: 1m0s, ref: { branch: main }, url: ssh://git@github.com/bench/fleet }',
      '---',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata: { name: flux-system, namespace: flux-system }',
      'spec: { interval: 10m0s, path: ./clusters/bench, prune: true, sourceRef: { kind: GitRepository, name: flux-system } }',
      '',
    ].join('\n'),
  };
  for (let i = 0; i < count; i++) {
    files[
      `clusters/cluster-${String(i % 20).padStart(2, '0')}/apps/app-${i}.yaml`
    ] = yaml.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `app-${i}`, namespace: 'apps' },
      data: { index: String(i) },
    });
  }
  return files;
}

const silentLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

/** The scaffolder ActionContext both actions get (what createMockActionContext provides, without jest). */
function actionContext(input: Record<string, unknown>, workspacePath: string) {
  const outputs: Record<string, unknown> = {};
  return {
    input,
    workspacePath,
    logger: silentLogger,
    logStream: new PassThrough(),
    output: (key: string, value: unknown) => {
      outputs[key] = value;
    },
    createTemporaryDirectory: () =>
      mkdtemp(path.join(os.tmpdir(), 'bench-tmp-')),
    checkpoint: async ({ fn }: { fn: () => Promise<any> }) => fn(),
    getInitiatorCredentials: async () => ({
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: 'user:default/bench' },
    }),
    task: { id: 'bench-task' },
    step: { id: 'bench-step', name: 'bench' },
    isDryRun: false,
    outputs,
  };
}

function writesOf(byEndpoint: Record<string, number>) {
  return (
    Object.entries(byEndpoint)
      // GraphQL queries are POSTs but read (our client sends no mutations).
      .filter(
        ([k]) => /^(POST|PATCH|PUT|DELETE) /.test(k) && k !== 'POST /graphql',
      )
      .reduce((n, [, v]) => n + v, 0)
  );
}

async function measure(
  sim: GithubApiSim,
  fn: () => Promise<string | undefined>,
): Promise<PrRun> {
  sim.resetCounters();
  const t0 = performance.now();
  const outcome = await fn();
  const wallMs = performance.now() - t0;
  const { total, byEndpoint } = sim.counters();
  return {
    requests: total,
    writes: writesOf(byEndpoint),
    wallMs,
    byEndpoint,
    outcome,
  };
}

function variant(label: string, latencyMs: number, runs: PrRun[]): PrVariant {
  return {
    label,
    latencyMs,
    runs,
    requests: median(runs.map(r => r.requests)),
    writes: median(runs.map(r => r.writes)),
    medianWallMs: median(runs.map(r => r.wallMs)),
  };
}

export async function runPrBench(opts: {
  files: number;
  runs: number;
  latencies: number[];
  seedFileCount: number;
  log: (line: string) => void;
}): Promise<PrResults> {
  const { createOctokitFactory, openGitopsRepo, publishPullRequest } =
    ourGithub();
  const sim = await startGithubApiSim();
  const errors: string[] = [];
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-pr-'));
  try {
    await sim.createRepo(REPO, { files: seedFiles(opts.seedFileCount) });
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [
            {
              host: sim.host,
              apiBaseUrl: sim.apiBaseUrl,
              token: sim.adminToken,
            },
          ],
        },
      }),
    );
    const repoUrl = `${sim.host}?owner=bench&repo=fleet`;
    // Production defaults: writes paced one second apart, as GitHub asks of content-creating integrations.
    const pacedFactory = createOctokitFactory({ integrations });
    const unpacedFactory = createOctokitFactory({
      integrations,
      paceWrites: false,
    });
    const anchorAction = createPublishGithubPullRequestAction({ integrations });

    let seq = 0;
    const ours = (factory: typeof pacedFactory) => async () => {
      const tag = `o${++seq}`;
      const files = changeFiles(opts.files, tag);
      const { octokit, owner, repo } = await factory({ repoUrl });
      const branchName = `bench/ours-${tag}`;
      // As the actions do: the branch name is known before the repository is read.
      const gitops = await openGitopsRepo(octokit, { owner, repo, branchName });
      const ctx = actionContext({}, work);
      const result = await publishPullRequest(ctx as any, octokit, gitops, {
        branchName,
        title: `Add ${opts.files} ExternalSecrets (${tag})`,
        description: 'Benchmark change',
        commitMessage: `Add ${opts.files} ExternalSecrets`,
        files: Object.entries(files).map(([p, content]) => ({
          path: p,
          content,
        })),
      });
      if (result.outcome !== 'created')
        throw new Error(`ours: outcome ${result.outcome}, expected created`);
      return result.outcome;
    };
    const anchor = async () => {
      const tag = `a${++seq}`;
      const workspace = path.join(work, tag);
      for (const [p, content] of Object.entries(changeFiles(opts.files, tag))) {
        await mkdir(path.dirname(path.join(workspace, p)), { recursive: true });
        await writeFile(path.join(workspace, p), content);
      }
      const ctx = actionContext(
        {
          repoUrl,
          branchName: `bench/anchor-${tag}`,
          title: `Add ${opts.files} ExternalSecrets (${tag})`,
          description: 'Benchmark change',
          commitMessage: `Add ${opts.files} ExternalSecrets`,
        },
        workspace,
      );
      await anchorAction.handler(ctx as any);
      if (typeof ctx.outputs.pullRequestNumber !== 'number') {
        throw new Error('anchor: no pullRequestNumber output');
      }
      return 'created';
    };

    const results: PrResults['variants'] = {
      ours: [],
      oursUnpaced: [],
      anchor: [],
    };
    for (const latencyMs of opts.latencies) {
      sim.setFaults(latencyMs ? { latencyMs } : {});
      const runs = {
        ours: [] as PrRun[],
        oursUnpaced: [] as PrRun[],
        anchor: [] as PrRun[],
      };
      for (let i = 0; i < opts.runs; i++) {
        // Interleaved, so drift in machine load hits all three alike.
        for (const [key, fn] of [
          ['ours', ours(pacedFactory)],
          ['oursUnpaced', ours(unpacedFactory)],
          ['anchor', anchor],
        ] as const) {
          try {
            runs[key].push(await measure(sim, fn));
          } catch (error) {
            errors.push(
              `P3 ${key} (latency ${latencyMs} ms): ${
                (error as Error).message
              }`,
            );
          }
        }
      }
      const suffix = latencyMs ? `, ${latencyMs} ms per request` : '';
      results.ours.push(
        variant(`ours (writes paced 1 s${suffix})`, latencyMs, runs.ours),
      );
      results.oursUnpaced.push(
        variant(`ours (pacing off${suffix})`, latencyMs, runs.oursUnpaced),
      );
      results.anchor.push(
        variant(`publish:github:pull-request${suffix}`, latencyMs, runs.anchor),
      );
      opts.log(
        `P3 latency ${latencyMs} ms: ours ${
          results.ours.at(-1)!.requests
        } req / ${results.ours
          .at(-1)!
          .medianWallMs.toFixed(0)} ms, unpaced ${results.oursUnpaced
          .at(-1)!
          .medianWallMs.toFixed(0)} ms, anchor ${
          results.anchor.at(-1)!.requests
        } req / ${results.anchor.at(-1)!.medianWallMs.toFixed(0)} ms`,
      );
    }
    sim.setFaults({});

    // The real action end to end: gitops:secrets:bootstrap with a store and ten ExternalSecrets.
    let bootstrap: PrResults['bootstrap'];
    try {
      const action = ourSecretsActions().createBootstrapAction({
        integrations,
      });
      const ctx = actionContext(
        {
          repoUrl,
          clusterPath: 'clusters/bench',
          store: {
            name: 'aws-secrets-manager',
            provider: {
              type: 'aws',
              service: 'SecretsManager',
              region: 'eu-west-1',
              auth: { type: 'secretRef', secretName: 'aws-credentials' },
            },
          },
          externalSecrets: Array.from({ length: 10 }, (_, i) => ({
            name: `app-secret-${i}`,
            namespace: 'payments',
            data: [
              {
                secretKey: 'password',
                remoteRef: { key: `/payments/app-${i}`, property: 'password' },
              },
            ],
          })),
        },
        work,
      );
      const run = await measure(sim, async () => {
        await action.handler(ctx as any);
        return String(
          ctx.outputs.outcome ?? ctx.outputs.pullRequestNumber ?? '',
        );
      });
      const changed = ctx.outputs.changedFiles;
      bootstrap = {
        files: Array.isArray(changed) ? changed.length : NaN,
        requests: run.requests,
        writes: run.writes,
        wallMs: run.wallMs,
        byEndpoint: run.byEndpoint,
      };
    } catch (error) {
      errors.push(`P3 gitops:secrets:bootstrap: ${(error as Error).message}`);
    }
    return {
      files: opts.files,
      seedFiles: opts.seedFileCount + 2,
      variants: results,
      bootstrap,
      errors,
    };
  } finally {
    await sim.stop();
    await rm(work, { recursive: true, force: true });
  }
}
