/*
 * Test harness: an in-process GitHub simulator, Backstage integrations that
 * point at it, and an OctokitFactory with the real @octokit/rest whose retry
 * waits are shrunk (1 ms per second of retry-after) so faults stay fast.
 */
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  allowFetchTo,
  GithubApiSim,
  startGithubApiSim,
} from '@golden-gitops/github-api-sim';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createOctokitFactory, OctokitFactory } from '../octokit';

const run = promisify(execFile);

export interface Harness {
  sim: GithubApiSim;
  integrations: ScmIntegrations;
  octokitFactory: OctokitFactory;
  /** Warnings the factory logged (retries). */
  warnings: string[];
  repoUrl(fullName: string): string;
  /**
   * Creates `<owner>/<prefix><n>` (a new n each call) holding `files`, opens an Octokit for it through the factory
   * and resets the request counters, so a test counts only its own requests.
   */
  newRepo(
    prefix: string,
    files: Record<string, string>,
  ): Promise<{
    fullName: string;
    headSha: string;
    octokit: Awaited<ReturnType<OctokitFactory>>['octokit'];
    owner: string;
    repo: string;
  }>;
  /** Clones `ref` of a repository into a temporary folder (removed by stop()). */
  clone(fullName: string, ref: string): Promise<string>;
  /** Write requests (POST/PATCH/PUT/DELETE, not the GraphQL queries) the simulator saw since the last reset. */
  writes(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const sim = await startGithubApiSim();
  const restoreFetch = allowFetchTo(sim.url);
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        github: [
          { host: sim.host, apiBaseUrl: sim.apiBaseUrl, token: sim.adminToken },
        ],
      },
    }),
  );
  const warnings: string[] = [];
  const octokitFactory = createOctokitFactory({
    integrations,
    retryAfterBaseValueMs: 1,
    paceWrites: false,
    logger: { warn: m => warnings.push(m) },
  });
  const clones: string[] = [];
  let repoCounter = 0;
  const repoUrl = (fullName: string) => {
    const [owner, repo] = fullName.split('/');
    return `${sim.host}?owner=${owner}&repo=${repo}`;
  };
  return {
    sim,
    integrations,
    octokitFactory,
    warnings,
    repoUrl,
    async newRepo(prefix, files) {
      repoCounter += 1;
      const fullName = `acme/${prefix}${repoCounter}`;
      const { headSha } = await sim.createRepo(fullName, { files });
      const { octokit, owner, repo } = await octokitFactory({
        repoUrl: repoUrl(fullName),
      });
      sim.resetCounters();
      return { fullName, headSha, octokit, owner, repo };
    },
    async clone(fullName, ref) {
      const dir = await mkdtemp(
        path.join(os.tmpdir(), 'gitops-secrets-clone-'),
      );
      clones.push(dir);
      await run('git', [
        'clone',
        '--quiet',
        '--branch',
        ref,
        sim.repoDir(fullName),
        dir,
      ]);
      return dir;
    },
    writes() {
      const out: Record<string, number> = {};
      for (const [key, n] of Object.entries(sim.counters().byEndpoint)) {
        // POST /graphql is a query (the simulator serves no mutations).
        if (/^(POST|PATCH|PUT|DELETE) /.test(key) && key !== 'POST /graphql')
          out[key] = n;
      }
      return out;
    },
    async stop() {
      restoreFetch();
      await sim.stop();
      await Promise.all(
        clones.map(dir => rm(dir, { recursive: true, force: true })),
      );
    },
  };
}

/** A mock ActionContext whose logger output is captured as text (to check nothing secret is logged). */
export function mockContext<T extends Record<string, any>>(
  input: T,
  opts: { isDryRun?: boolean } = {},
) {
  const logs: string[] = [];
  const outputs: Record<string, unknown> = {};
  const record = (level: string) => (message: unknown, meta?: unknown) => {
    logs.push(
      `${level} ${String(message)}${meta ? ` ${JSON.stringify(meta)}` : ''}`,
    );
  };
  const base = createMockActionContext({ input: input as any });
  const ctx = {
    ...base,
    isDryRun: opts.isDryRun,
    logger: {
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
      debug: record('debug'),
      child: () => ctx.logger,
    } as any,
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
  };
  return { ctx: ctx as typeof base, logs, outputs };
}
