/*
 * The HTTP front: authentication, faults, counters and rate-limit headers around the route handlers.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApiError, notFound } from './errors';
import { counterKey, HandlerContext, HandlerResult, Router } from './router';
import { gitDataRoutes } from './routes/gitData';
import { graphqlRoutes } from './routes/graphql';
import { pullRoutes } from './routes/pulls';
import { repoRoutes } from './routes/repos';
import { userRoutes } from './routes/users';
import { webRoutes } from './web/routes';
import { resolveCommitish } from './routes/common';
import { writeInitialCommit } from './seed';
import {
  Identity,
  META_FILE,
  Permission,
  RepoHandle,
  SimState,
  splitFullName,
} from './state';
import type {
  CreateRepoOptions,
  GithubApiSim,
  GithubApiSimOptions,
  PullRequest,
} from './types';

const MAX_BODY_BYTES = 100 * 1024 * 1024;
const RANK: Record<Permission, number> = { read: 0, write: 1, admin: 2 };

function buildRouter(): Router {
  return new Router().add(
    ...userRoutes,
    ...gitDataRoutes,
    ...repoRoutes,
    ...pullRoutes,
    ...graphqlRoutes,
    ...webRoutes,
  );
}

/** GitHub Enterprise serves REST under /api/v3 and GraphQL at /api/graphql; github.com at the root. Accept both. */
function apiPath(pathname: string): string {
  if (pathname === '/api/graphql') return '/graphql';
  if (pathname === '/api/v3' || pathname.startsWith('/api/v3/'))
    return pathname.slice('/api/v3'.length) || '/';
  return pathname;
}

function tokenFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (/^basic$/i.test(scheme)) {
    // git over HTTP sends `user:token`; the token may also be the user part.
    const [user, pass] = Buffer.from(value, 'base64')
      .toString('utf8')
      .split(':', 2);
    return pass || user;
  }
  return value || scheme;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, result: HandlerResult) {
  const status = result.status ?? 200;
  const headers: Record<string, string> = {
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    ...result.headers,
  };
  if (status === 204 || result.body === undefined) {
    res.writeHead(status, headers).end();
  } else if (Buffer.isBuffer(result.body)) {
    res
      .writeHead(status, {
        'content-type': 'application/vnd.github.raw; charset=utf-8',
        ...headers,
      })
      .end(result.body);
  } else {
    const payload = JSON.stringify(result.body);
    res
      .writeHead(status, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(payload),
      })
      .end(payload);
  }
}

function errorResult(
  error: ApiError,
  extraHeaders: Record<string, string>,
): HandlerResult {
  return {
    status: error.status,
    body: error.body(),
    headers: { ...extraHeaders, ...error.opts.headers },
  };
}

export async function startGithubApiSim(
  opts: GithubApiSimOptions = {},
): Promise<GithubApiSim> {
  const ownsDir = !opts.reposDir;
  const reposDir = opts.reposDir
    ? path.resolve(opts.reposDir)
    : await mkdtemp(path.join(os.tmpdir(), 'github-api-sim-'));
  await mkdir(reposDir, { recursive: true });
  const sim = new SimState(reposDir);
  const adminToken = sim.newAdminToken();
  sim.tokens.set(adminToken, {
    login: 'sim-admin',
    repos: '*',
    permission: 'admin',
  });
  for (const [token, grant] of Object.entries(opts.tokens ?? {}))
    sim.tokens.set(token, grant);
  const router = buildRouter();

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rawPath = apiPath(url.pathname);
    const rawBody = await readBody(req);
    if (sim.faults.latencyMs)
      await new Promise(resolve => setTimeout(resolve, sim.faults.latencyMs));

    const match = router.match(method, rawPath);
    sim.count(
      'route' in match
        ? counterKey(method, match.route)
        : `${method} ${rawPath}`,
    );

    let identity: Identity = {};
    const token = tokenFromHeader(req.headers.authorization);
    if (token !== undefined) {
      const grant = sim.tokens.get(token);
      if (!grant) {
        send(res, errorResult(new ApiError(401, 'Bad credentials'), {}));
        return;
      }
      identity = { token, grant };
    }
    const rateHeaders = sim.rateLimitHeaders(
      identity,
      rawPath === '/graphql' ? 'graphql' : 'core',
      req.socket.remoteAddress ?? '',
    );
    const fail = (error: ApiError) =>
      send(res, errorResult(error, rateHeaders));

    const fault = sim.takeRequestFault(method);
    if (fault) {
      fail(fault);
      return;
    }
    if (!('route' in match)) {
      opts.onUnmatchedRoute?.(method, rawPath);
      fail(notFound());
      return;
    }
    const { route, params } = match;

    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        fail(new ApiError(400, 'Problems parsing JSON'));
        return;
      }
    }

    const ctx: HandlerContext = {
      sim,
      method,
      params,
      query: url.searchParams,
      body,
      identity,
      headers: req.headers,
      // Only meaningful on /repos/{owner}/{repo} routes, where they are set below.
      repo: undefined as unknown as RepoHandle,
      permission: 'read',
    };
    const needed = route.access?.level ?? 'read';
    if (route.template.startsWith('/repos/{owner}/{repo}')) {
      const repo = await sim.findRepo(params.owner, params.repo);
      const permission = repo && sim.permissionOn(identity, repo);
      if (!repo || !permission) {
        fail(notFound());
        return;
      }
      if (RANK[permission] < RANK[needed]) {
        if (!identity.grant) {
          fail(new ApiError(401, 'Requires authentication'));
        } else {
          fail(
            new ApiError(
              403,
              'Resource not accessible by personal access token',
              {
                headers: {
                  'x-accepted-github-permissions': `${
                    route.access?.scope ?? 'contents'
                  }=${needed}`,
                },
              },
            ),
          );
        }
        return;
      }
      ctx.repo = repo;
      ctx.permission = permission;
    }

    const run = () => route.handler(ctx);
    const result =
      needed !== 'read' && ctx.repo
        ? await ctx.repo.git.exclusive(run)
        : await run();
    send(res, { ...result, headers: { ...rateHeaders, ...result.headers } });
  }

  const server = http.createServer((req, res) => {
    if (opts.onRequest)
      res.on('finish', () =>
        opts.onRequest?.(req.method ?? 'GET', req.url ?? '/', res.statusCode),
      );
    handle(req, res).catch(error => {
      if (error instanceof ApiError) {
        send(res, errorResult(error, {}));
        return;
      }
      // A bug in the simulator, not a simulated fault: say so loudly.
      console.error(`github-api-sim: ${req.method} ${req.url} failed:`, error);
      if (!res.headersSent)
        send(res, errorResult(new ApiError(500, 'Server Error'), {}));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.listenHost ?? '127.0.0.1', () =>
      resolve(),
    );
  });
  const address = server.address() as AddressInfo;
  const hostName =
    address.family === 'IPv6' ? `[${address.address}]` : address.address;
  sim.url = `http://${hostName === '0.0.0.0' ? '127.0.0.1' : hostName}:${
    address.port
  }`;

  async function requireRepo(fullName: string): Promise<RepoHandle> {
    const { owner, name } = splitFullName(fullName);
    const repo = await sim.findRepo(owner, name);
    if (!repo) throw new Error(`No repository ${fullName} in ${reposDir}`);
    return repo;
  }

  return {
    url: sim.url,
    apiBaseUrl: `${sim.url}/api/v3`,
    host: sim.host,
    adminToken,
    async createRepo(fullName: string, repoOpts: CreateRepoOptions = {}) {
      const { owner, name } = splitFullName(fullName);
      const defaultBranch = repoOpts.defaultBranch ?? 'main';
      const repo = await sim.createRepo(owner, name, {
        defaultBranch,
        private: repoOpts.private ?? false,
      });
      // Like GitHub's auto_init: a README unless the caller says exactly which files (an empty record: no commit).
      const files = repoOpts.files ?? { 'README.md': `# ${name}\n` };
      if (Object.keys(files).length === 0) return { headSha: '' };
      const seed = Object.entries(files).map(([p, content]) => ({
        path: p.replace(/^\/+/, ''),
        content: Buffer.from(content, 'utf8'),
        mode: '100644' as const,
      }));
      const headSha = await repo.git.exclusive(() =>
        writeInitialCommit(repo, defaultBranch, seed, 'Initial commit\n'),
      );
      return { headSha };
    },
    repoDir(fullName: string) {
      const { owner, name } = splitFullName(fullName);
      return sim.repoDir(owner, name);
    },
    addToken(token, grant) {
      sim.tokens.set(token, grant);
    },
    setFaults(faults) {
      // A copy: the countdowns are ours to decrement.
      sim.faults = structuredClone(faults);
    },
    counters: () => sim.snapshotCounters(),
    resetCounters: () => sim.resetCounters(),
    async readFile(fullName, ref, filePath) {
      const repo = await requireRepo(fullName);
      const commit = await resolveCommitish(repo, ref);
      if (!commit) return undefined;
      const entry = await repo.git.entryAt(
        commit,
        filePath.replace(/^\/+/, ''),
      );
      if (!entry || entry.type !== 'blob') return undefined;
      return (await repo.git.readBlob(entry.sha))?.toString('utf8');
    },
    listPulls(fullName): PullRequest[] {
      const { owner, name } = splitFullName(fullName);
      const loaded = sim.loadedRepo(owner, name);
      if (loaded) return structuredClone(loaded.meta.pulls);
      // Not touched through the API yet: read what an earlier process persisted.
      try {
        const meta = JSON.parse(
          readFileSync(path.join(sim.repoDir(owner, name), META_FILE), 'utf8'),
        );
        return meta.pulls ?? [];
      } catch {
        return [];
      }
    },
    async protectBranch(fullName, pattern) {
      const repo = await requireRepo(fullName);
      await repo.git.exclusive(async () => {
        repo.meta.protectedBranches = [
          ...(repo.meta.protectedBranches ?? []),
          pattern,
        ];
        await repo.saveMeta();
      });
    },
    async listRefs(fullName) {
      const repo = await requireRepo(fullName);
      const refs = await repo.git.listRefs('refs/');
      return Object.fromEntries(
        refs
          .map(r => [r.ref, r.sha] as const)
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    },
    async stop() {
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      sim.close();
      if (ownsDir) await rm(reposDir, { recursive: true, force: true });
    },
  };
}
