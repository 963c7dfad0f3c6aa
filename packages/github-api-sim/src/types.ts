/*
 * Public contracts of the GitHub API simulator.
 */

/** What a token may do: which repositories, as whom, with which permission. */
export interface TokenGrant {
  /** The user the token authenticates as (returned by `GET /user`, used as PR author and commit author). */
  login: string;
  /** `'*'` for every repository, or a list of `owner/name`. Public repositories are readable by any token. */
  repos: '*' | string[];
  permission: 'read' | 'write' | 'admin';
}

/** Injectable failures. Each `times` counts down once per matching request; `setFaults` replaces all of them. */
export interface GithubFaults {
  /** Delay before every response. */
  latencyMs?: number;
  /** 403 with `retry-after` and GitHub's secondary-rate-limit message. */
  secondaryRateLimit?: {
    times: number;
    retryAfterSeconds: number;
    /** Default `['POST', 'PATCH', 'PUT', 'DELETE']`. */
    methods?: string[];
  };
  /** 5xx in GitHub's error shape (default status 502). Applies to all methods unless `methods` is given. */
  serverErrors?: {
    times: number;
    status?: 500 | 502 | 503;
    methods?: string[];
  };
  /** The next ref writes (create/update/delete ref, merge, contents PUT) fail with 422 "Reference cannot be updated". */
  refUpdateConflict?: { times: number };
}

/** A pull request as the simulator stores it (the REST shape is derived from it). */
export interface PullRequest {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  /** Login of the token that opened it. */
  user: string;
  head: { ref: string; sha: string; label: string };
  base: { ref: string; sha: string; label: string };
  labels: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  assignees: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: string | null;
}

export interface CreateRepoOptions {
  /** Files of the first commit on the default branch, path → UTF-8 content. Empty → an empty repository. */
  files?: Record<string, string>;
  /** Default `main`. */
  defaultBranch?: string;
  /** Default `false`. Private repositories are invisible (404) to tokens without a grant. */
  private?: boolean;
}

export interface RequestCounters {
  total: number;
  /** Key: `METHOD /route/{template}` as in GitHub's docs, e.g. `POST /repos/{owner}/{repo}/git/trees`. */
  byEndpoint: Record<string, number>;
}

export interface GithubApiSimOptions {
  /** Holds `<owner>/<name>.git` bare repositories. Default: a new temporary directory, removed by `stop()`. */
  reposDir?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default `127.0.0.1`. */
  listenHost?: string;
  /** Tokens besides the generated `adminToken`. */
  tokens?: Record<string, TokenGrant>;
  /** Called for requests that matched no route (to discover what a client needs). Default: nothing. */
  onUnmatchedRoute?: (method: string, path: string) => void;
  /** Called when each response has been sent. Default: nothing. */
  onRequest?: (method: string, path: string, status: number) => void;
}

export interface GithubApiSim {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `url + '/api/v3'` — GitHub Enterprise style, for Backstage's `integrations.github[].apiBaseUrl` and Octokit's `baseUrl`. */
  apiBaseUrl: string;
  /** `127.0.0.1:PORT` — for Backstage's `integrations.github[].host` and `repoUrl`. */
  host: string;
  /** A generated token with admin rights on every repository. */
  adminToken: string;
  createRepo(
    fullName: string,
    opts?: CreateRepoOptions,
  ): Promise<{ headSha: string }>;
  /** Absolute path of the bare repository (`git clone` it to inspect). */
  repoDir(fullName: string): string;
  addToken(token: string, grant: TokenGrant): void;
  setFaults(faults: GithubFaults): void;
  counters(): RequestCounters;
  resetCounters(): void;
  /** Content of `path` at `ref` (branch, tag or sha), or undefined when absent. */
  readFile(
    fullName: string,
    ref: string,
    path: string,
  ): Promise<string | undefined>;
  listPulls(fullName: string): PullRequest[];
  /**
   * Adds a branch protection rule (a branch name or pattern, `*` within a segment, `**` across): the branches it
   * covers report `protected` and GraphQL `branchProtectionRule`, refuse force pushes and cannot be deleted.
   */
  protectBranch(fullName: string, pattern: string): Promise<void>;
  /** Every ref of the repository with its SHA (`refs/heads/main` → sha), sorted, read from git directly. */
  listRefs(fullName: string): Promise<Record<string, string>>;
  stop(): Promise<void>;
}
