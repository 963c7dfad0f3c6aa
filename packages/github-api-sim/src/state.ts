/*
 * Everything the simulator knows besides git objects: repositories on disk, their pull requests (persisted next to
 * the bare repository so a restarted CLI keeps them), tokens, faults and counters.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from './errors';
import { GitRepo } from './git';
import type {
  GithubFaults,
  PullRequest,
  RequestCounters,
  TokenGrant,
} from './types';

export type Permission = TokenGrant['permission'];

export interface IssueComment {
  id: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface RepoMeta {
  private: boolean;
  nextNumber: number;
  pulls: PullRequest[];
  labels: Record<string, { color: string; description: string | null }>;
  comments: Record<string, IssueComment[]>;
  nextCommentId: number;
  /** Branch protection rules: branch name patterns (`*` matches within a segment, `**` across), as GitHub's rules. */
  protectedBranches?: string[];
}

const SERVER_ERROR_MESSAGES: Record<number, string> = {
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export const META_FILE = 'github-api-sim.json';
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export function isValidName(name: string): boolean {
  return (
    NAME_PATTERN.test(name) &&
    name !== '.' &&
    name !== '..' &&
    !name.endsWith('.git')
  );
}

export function splitFullName(fullName: string): {
  owner: string;
  name: string;
} {
  const [owner, name, ...rest] = fullName.split('/');
  if (
    !owner ||
    !name ||
    rest.length ||
    !isValidName(owner) ||
    !isValidName(name)
  ) {
    throw new Error(
      `Invalid repository name '${fullName}', expected owner/name`,
    );
  }
  return { owner, name };
}

/** Stable small integer for GitHub's numeric ids. */
export function stableId(key: string): number {
  return parseInt(createHash('sha1').update(key).digest('hex').slice(0, 7), 16);
}

export function nodeId(prefix: string, key: string): string {
  return `${prefix}_${createHash('sha1')
    .update(key)
    .digest('base64url')
    .slice(0, 16)}`;
}

export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** GitHub's branch-rule patterns (fnmatch): `*` within one path segment, `**` across segments. */
export function branchPatternRegExp(pattern: string): RegExp {
  const source = pattern
    .split('**')
    .map(part =>
      part
        .split('*')
        .map(text => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${source}$`);
}

export class RepoHandle {
  constructor(
    readonly owner: string,
    readonly name: string,
    readonly git: GitRepo,
    public meta: RepoMeta,
  ) {}

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** The pattern of the branch protection rule covering `branch`, or undefined when it is not protected. */
  protectionRuleFor(branch: string): string | undefined {
    return (this.meta.protectedBranches ?? []).find(pattern =>
      branchPatternRegExp(pattern).test(branch),
    );
  }

  get id(): number {
    return stableId(`repo:${this.fullName}`);
  }

  /** Serialised through the repository's write queue by callers; written atomically. */
  async saveMeta(): Promise<void> {
    const file = path.join(this.git.dir, META_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(this.meta, null, 2)}\n`);
    await rename(tmp, file);
  }
}

interface RateWindow {
  resetAt: number;
  used: number;
}

export interface Identity {
  /** Undefined for anonymous requests. */
  token?: string;
  grant?: TokenGrant;
}

export class SimState {
  url = '';
  readonly tokens = new Map<string, TokenGrant>();
  faults: GithubFaults = {};
  private counters: RequestCounters = { total: 0, byEndpoint: {} };
  private readonly repos = new Map<string, RepoHandle>();
  private readonly rateWindows = new Map<string, RateWindow>();

  constructor(readonly reposDir: string) {}

  get host(): string {
    return this.url.replace(/^https?:\/\//, '');
  }

  repoDir(owner: string, name: string): string {
    return path.join(this.reposDir, owner, `${name}.git`);
  }

  /** Stops every repository's background git reader. */
  close(): void {
    for (const repo of this.repos.values()) repo.git.close();
  }

  /** The repository if it was already loaded in this process. */
  loadedRepo(owner: string, name: string): RepoHandle | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** The repository, loading it from disk on first use (bare repos may be created behind our back); undefined if absent. */
  async findRepo(owner: string, name: string): Promise<RepoHandle | undefined> {
    if (!isValidName(owner) || !isValidName(name)) return undefined;
    const key = `${owner}/${name}`.toLowerCase();
    const cached = this.repos.get(key);
    if (cached) return cached;
    const dir = this.repoDir(owner, name);
    try {
      await stat(path.join(dir, 'HEAD'));
    } catch {
      return undefined;
    }
    let meta: RepoMeta = {
      private: false,
      nextNumber: 1,
      pulls: [],
      labels: {},
      comments: {},
      nextCommentId: 1,
    };
    try {
      meta = {
        ...meta,
        ...JSON.parse(await readFile(path.join(dir, META_FILE), 'utf8')),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // Another request may have loaded it while we read the disk.
    const raced = this.repos.get(key);
    if (raced) return raced;
    const handle = new RepoHandle(owner, name, new GitRepo(dir), meta);
    this.repos.set(key, handle);
    return handle;
  }

  async createRepo(
    owner: string,
    name: string,
    opts: { defaultBranch: string; private: boolean },
  ): Promise<RepoHandle> {
    const dir = this.repoDir(owner, name);
    try {
      await stat(dir);
      throw new Error(`Repository ${owner}/${name} already exists at ${dir}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(path.dirname(dir), { recursive: true });
    const git = await GitRepo.initBare(dir, opts.defaultBranch);
    const handle = new RepoHandle(owner, name, git, {
      private: opts.private,
      nextNumber: 1,
      pulls: [],
      labels: {},
      comments: {},
      nextCommentId: 1,
    });
    await handle.saveMeta();
    this.repos.set(`${owner}/${name}`.toLowerCase(), handle);
    return handle;
  }

  /** Effective permission of `identity` on `repo`, or undefined when the repository must look absent. */
  permissionOn(identity: Identity, repo: RepoHandle): Permission | undefined {
    const grant = identity.grant;
    if (grant) {
      const covered =
        grant.repos === '*' ||
        grant.repos.some(r => r.toLowerCase() === repo.fullName.toLowerCase());
      if (covered) return grant.permission;
    }
    return repo.meta.private ? undefined : 'read';
  }

  newAdminToken(): string {
    return `ghp_sim${randomBytes(18).toString('hex')}`;
  }

  // --- counters -------------------------------------------------------------------------------------------------

  count(endpoint: string): void {
    this.counters.total += 1;
    this.counters.byEndpoint[endpoint] =
      (this.counters.byEndpoint[endpoint] ?? 0) + 1;
  }

  snapshotCounters(): RequestCounters {
    return {
      total: this.counters.total,
      byEndpoint: { ...this.counters.byEndpoint },
    };
  }

  resetCounters(): void {
    this.counters = { total: 0, byEndpoint: {} };
  }

  // --- primary rate limit (reported, not enforced) --------------------------------------------------------------

  rateLimitHeaders(
    identity: Identity,
    resource: 'core' | 'graphql',
    remoteAddress: string,
  ): Record<string, string> {
    const limit = identity.token ? 5000 : 60;
    const key = `${resource}:${identity.token ?? `anon:${remoteAddress}`}`;
    const now = Math.floor(Date.now() / 1000);
    let window = this.rateWindows.get(key);
    if (!window || window.resetAt <= now) {
      window = { resetAt: now + 3600, used: 0 };
      this.rateWindows.set(key, window);
    }
    window.used += 1;
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - window.used)),
      'x-ratelimit-used': String(window.used),
      'x-ratelimit-reset': String(window.resetAt),
      'x-ratelimit-resource': resource,
    };
  }

  // --- faults ---------------------------------------------------------------------------------------------------

  /** Consumes one injected 5xx or secondary rate limit matching `method`, if any. */
  takeRequestFault(method: string): ApiError | undefined {
    const serverErrors = this.faults.serverErrors;
    if (
      serverErrors &&
      serverErrors.times > 0 &&
      (!serverErrors.methods || serverErrors.methods.includes(method))
    ) {
      serverErrors.times -= 1;
      const status = serverErrors.status ?? 502;
      return new ApiError(status, SERVER_ERROR_MESSAGES[status]);
    }
    const secondary = this.faults.secondaryRateLimit;
    const limitedMethods = secondary?.methods ?? [
      'POST',
      'PATCH',
      'PUT',
      'DELETE',
    ];
    if (secondary && secondary.times > 0 && limitedMethods.includes(method)) {
      secondary.times -= 1;
      const requestId = randomBytes(8).toString('hex').toUpperCase();
      return new ApiError(
        403,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out ' +
          `to GitHub Support for help, please include the request ID ${requestId}.`,
        {
          documentationUrl:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          headers: { 'retry-after': String(secondary.retryAfterSeconds) },
        },
      );
    }
    return undefined;
  }

  /** True when the next ref write must fail as if another writer moved the ref first. */
  takeRefConflict(): boolean {
    const conflict = this.faults.refUpdateConflict;
    if (conflict && conflict.times > 0) {
      conflict.times -= 1;
      return true;
    }
    return false;
  }
}
