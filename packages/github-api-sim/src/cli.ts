/*
 * `github-api-sim serve --repos DIR [--port N] [--token T[=login:permission[:owner/a,owner/b]]]... [--seed owner/name=DIR]...`
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readSeedDirectory, writeInitialCommit } from './seed';
import { startGithubApiSim } from './server';
import { SimState, splitFullName } from './state';
import type { TokenGrant } from './types';

export const USAGE = `Usage: github-api-sim serve --repos DIR [options]

Serves every bare repository DIR/<owner>/<name>.git as owner/name, REST under /api/v3 (GitHub Enterprise style).

Options:
  --repos DIR              directory of <owner>/<name>.git bare repositories (created if missing)
  --port N                 port to listen on (default 0: any free port)
  --listen ADDR            address to bind (default 127.0.0.1)
  --token SPEC             accept a token; SPEC is TOKEN (admin on every repository) or
                           TOKEN=LOGIN:PERMISSION[:OWNER/NAME,...] with PERMISSION read|write|admin; repeatable
  --admin-token-file FILE  write the generated admin token to FILE (mode 0600) instead of passing one
  --seed OWNER/NAME=DIR    create OWNER/NAME whose default branch holds the files of DIR, unless it exists; repeatable
  --default-branch NAME    default branch of seeded repositories (default main)
  --private                make seeded repositories private
  --log-requests           log every request's method, path and status to stderr
`;

export interface ServeOptions {
  reposDir: string;
  port: number;
  listenHost: string;
  tokens: Record<string, TokenGrant>;
  adminTokenFile?: string;
  seeds: Array<{ fullName: string; dir: string }>;
  defaultBranch: string;
  private: boolean;
  logRequests: boolean;
}

export function parseTokenSpec(spec: string): [string, TokenGrant] {
  const eq = spec.indexOf('=');
  if (eq === -1)
    return [spec, { login: 'admin', repos: '*', permission: 'admin' }];
  const token = spec.slice(0, eq);
  const [login, permission, repos] = spec.slice(eq + 1).split(':');
  if (!token || !login || !['read', 'write', 'admin'].includes(permission)) {
    throw new Error(
      `Invalid --token '${spec.slice(
        0,
        Math.min(eq, 4),
      )}…': expected TOKEN=LOGIN:read|write|admin[:OWNER/NAME,...]`,
    );
  }
  return [
    token,
    {
      login,
      permission: permission as TokenGrant['permission'],
      repos: repos ? repos.split(',').filter(Boolean) : '*',
    },
  ];
}

export function parseServeArgs(args: string[]): ServeOptions {
  const opts: ServeOptions = {
    reposDir: '',
    port: 0,
    listenHost: '127.0.0.1',
    tokens: {},
    seeds: [],
    defaultBranch: 'main',
    private: false,
    logRequests: false,
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--repos':
        opts.reposDir = path.resolve(value());
        break;
      case '--port':
        opts.port = Number(value());
        if (!Number.isInteger(opts.port) || opts.port < 0)
          throw new Error('--port must be a non-negative integer');
        break;
      case '--listen':
        opts.listenHost = value();
        break;
      case '--token': {
        const [token, grant] = parseTokenSpec(value());
        opts.tokens[token] = grant;
        break;
      }
      case '--admin-token-file':
        opts.adminTokenFile = path.resolve(value());
        break;
      case '--seed': {
        const spec = value();
        const eq = spec.indexOf('=');
        if (eq === -1)
          throw new Error(`--seed expects OWNER/NAME=DIR, got '${spec}'`);
        splitFullName(spec.slice(0, eq));
        opts.seeds.push({
          fullName: spec.slice(0, eq),
          dir: path.resolve(spec.slice(eq + 1)),
        });
        break;
      }
      case '--default-branch':
        opts.defaultBranch = value();
        break;
      case '--private':
        opts.private = true;
        break;
      case '--log-requests':
        opts.logRequests = true;
        break;
      default:
        throw new Error(`Unknown option ${flag}\n\n${USAGE}`);
    }
  }
  if (!opts.reposDir) throw new Error(`--repos is required\n\n${USAGE}`);
  return opts;
}

/** Creates each seed repository that does not exist yet. Returns what happened, one line per seed. */
export async function seedRepositories(opts: ServeOptions): Promise<string[]> {
  const state = new SimState(opts.reposDir);
  const report: string[] = [];
  for (const seed of opts.seeds) {
    const { owner, name } = splitFullName(seed.fullName);
    if (await state.findRepo(owner, name)) {
      report.push(`${seed.fullName}: exists, not seeded`);
      continue;
    }
    const files = await readSeedDirectory(seed.dir);
    const repo = await state.createRepo(owner, name, {
      defaultBranch: opts.defaultBranch,
      private: opts.private,
    });
    if (files.length > 0) {
      await writeInitialCommit(
        repo,
        opts.defaultBranch,
        files,
        `Seed from ${path.basename(seed.dir)}\n`,
      );
    }
    report.push(
      `${seed.fullName}: seeded ${files.length} files from ${seed.dir}`,
    );
  }
  state.close();
  return report;
}

export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command !== 'serve') {
    process.stderr.write(USAGE);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  const opts = parseServeArgs(rest);
  for (const line of await seedRepositories(opts))
    console.log(`github-api-sim: ${line}`);
  const sim = await startGithubApiSim({
    reposDir: opts.reposDir,
    port: opts.port,
    listenHost: opts.listenHost,
    tokens: opts.tokens,
    onUnmatchedRoute: (method, route) =>
      console.warn(`github-api-sim: 404 no route for ${method} ${route}`),
    onRequest: opts.logRequests
      ? (method, route, status) =>
          console.error(`github-api-sim: ${method} ${route} → ${status}`)
      : undefined,
  });
  if (opts.adminTokenFile)
    await writeFile(opts.adminTokenFile, `${sim.adminToken}\n`, {
      mode: 0o600,
    });
  console.log(`github-api-sim: serving ${opts.reposDir} at ${sim.url}`);
  console.log(`github-api-sim: apiBaseUrl ${sim.apiBaseUrl}  host ${sim.host}`);
  if (Object.keys(opts.tokens).length === 0 && !opts.adminTokenFile) {
    console.log(
      'github-api-sim: no --token given: only anonymous reads of public repositories will work',
    );
  }
  const shutdown = () => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return undefined;
}
