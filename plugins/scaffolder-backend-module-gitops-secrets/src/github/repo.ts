import { AuthenticationError, InputError } from '@backstage/errors';
import { Octokit } from '@octokit/rest';
import {
  GithubPublishError,
  githubMessage,
  graphqlErrors,
  statusOf,
} from './errors';
import { TreeEntry } from './gitObjects';
import { readBlobTexts } from './readBlobs';
import {
  BranchState,
  branchStateFrom,
  canPushFrom,
  querySnapshot,
  SnapshotResult,
} from './graphql';
import { isValidBranchName } from '../validation';

/**
 * A read-only view of the target branch at one commit. Everything the actions
 * decide (which files change, whether a bootstrap exists) is read from this
 * snapshot, so a run is consistent even if the branch moves meanwhile.
 */
export interface GitopsRepo {
  owner: string;
  repo: string;
  /** The branch pull requests target. */
  baseBranch: string;
  /** The commit of `baseBranch` this snapshot reads. */
  baseSha: string;
  /** Tree of `baseSha`, the `base_tree` of the commit the action makes. */
  baseTreeSha: string;
  /** The repository's default branch (read with the target branch, also when `targetBranch` was given). */
  defaultBranch?: string;
  /** Web URL of the repository. */
  htmlUrl?: string;
  /**
   * Whether the credentials may push (GitHub's `viewerPermission`: ADMIN,
   * MAINTAIN or WRITE); undefined when GitHub does not say. When undefined, a
   * refused first write is reported as missing permission.
   */
  canPush?: boolean;
  /** Content of a file at `baseSha` (UTF-8), or undefined when there is none. */
  readFile(path: string): Promise<string | undefined>;
  /** Files (not folders) under `dir`, recursively, as repository-relative paths, sorted. */
  listFiles(dir: string): Promise<string[]>;
  /**
   * Git blob SHA of the file at `path` on `baseSha`, or undefined when there
   * is none: compares content without reading it. Optional for other
   * implementations; `planChanges` then compares `readFile` contents.
   */
  blobSha?(path: string): Promise<string | undefined>;
  /**
   * Every file of the snapshot with its size in bytes (when GitHub gave it),
   * or undefined when the listing was truncated. Optional for other
   * implementations.
   */
  allFiles?(): Array<{ path: string; size?: number }> | undefined;
  /**
   * Contents of many files at once (absent: no such file, or unreadable as
   * text). `openGitopsRepo` reads them with one GraphQL query per
   * `BLOBS_PER_QUERY` blobs. Optional for other implementations.
   */
  readFiles?(paths: string[]): Promise<Map<string, string>>;
}

/** What `openGitopsRepo` read besides the public fields, for `publishPullRequest`. */
interface SnapshotExtras {
  /** Every entry of the base tree (folders included), or undefined when GitHub truncated the listing. */
  entries?: TreeEntry[];
  /** The publish branch, when `openGitopsRepo` was told its name. */
  branch?: { name: string; state: BranchState };
}

const extras = new WeakMap<GitopsRepo, SnapshotExtras>();

/** The full base tree listing of a snapshot made by `openGitopsRepo`, if it has one. */
export function baseTreeEntries(repo: GitopsRepo): TreeEntry[] | undefined {
  return extras.get(repo)?.entries;
}

/** The publish branch as `openGitopsRepo` read it, when it was opened with this `branchName`. */
export function prefetchedBranch(
  repo: GitopsRepo,
  branchName: string,
): BranchState | undefined {
  const branch = extras.get(repo)?.branch;
  return branch?.name === branchName ? branch.state : undefined;
}

function describeRepo(owner: string, repo: string) {
  return `${owner}/${repo}`;
}

function credentialsRejected(name: string, error: unknown) {
  return new AuthenticationError(
    `GitHub rejected the credentials configured for ${name} (${githubMessage(
      error,
    )})`,
  );
}

/** The snapshot query, with the errors an action should show. */
async function readSnapshot(
  octokit: Octokit,
  vars: { owner: string; repo: string; base?: string; head?: string },
): Promise<NonNullable<SnapshotResult['repository']>> {
  const name = describeRepo(vars.owner, vars.repo);
  const notFound = () =>
    new InputError(
      `repoUrl: repository ${name} was not found, or the configured credentials cannot see it`,
    );
  let result: SnapshotResult;
  try {
    result = await querySnapshot(octokit, vars);
  } catch (error) {
    const status = statusOf(error);
    if (status === 401) throw credentialsRejected(name, error);
    if (status === 404) throw notFound();
    // GitHub answers an unknown (or invisible) repository with a NOT_FOUND error on `repository`.
    if (
      graphqlErrors(error).some(
        e => e?.type === 'NOT_FOUND' && (e.path ?? [])[0] === 'repository',
      )
    ) {
      throw notFound();
    }
    throw new GithubPublishError(
      `Could not read repository ${name}: ${githubMessage(error)}`,
      error,
    );
  }
  if (!result?.repository) throw notFound();
  return result.repository;
}

/**
 * Opens the repository at the head of `targetBranch` (default: the default
 * branch). Fails with an InputError when the repository or branch does not
 * exist or cannot be seen with these credentials.
 *
 * Requests: one GraphQL query (`POST /graphql`) for the repository (default
 * branch, URL, the viewer's permission), the target branch's commit and its
 * root tree and — when `branchName` is given — the head commit of that
 * branch (tree, parents) and its open pull requests, which
 * `publishPullRequest` needs; then `GET git/trees/{tree}?recursive=1` for
 * every path of the snapshot with its blob SHA. File contents are read on
 * demand, one blob per distinct file; comparing files needs none.
 */
export async function openGitopsRepo(
  octokit: Octokit,
  opts: {
    owner: string;
    repo: string;
    targetBranch?: string;
    /**
     * The branch the change will be proposed from (`PublishRequest.branchName`),
     * when known: it is read in the same request, which saves
     * `publishPullRequest` one.
     */
    branchName?: string;
  },
): Promise<GitopsRepo> {
  const { owner, repo } = opts;
  const name = describeRepo(owner, repo);
  const head =
    opts.branchName &&
    isValidBranchName(opts.branchName) &&
    opts.branchName !== opts.targetBranch
      ? opts.branchName
      : undefined;
  const repository = await readSnapshot(octokit, {
    owner,
    repo,
    base: opts.targetBranch || undefined,
    head,
  });

  const defaultBranch = repository.defaultBranchRef?.name;
  const baseRef = opts.targetBranch
    ? repository.base
    : repository.defaultBranchRef;
  if (!baseRef) {
    const empty = repository.isEmpty ? ' (the repository is empty)' : '';
    throw new InputError(
      opts.targetBranch
        ? `targetBranch: branch ${JSON.stringify(
            opts.targetBranch,
          )} does not exist in ${name}${empty}`
        : `targetBranch: ${name} has no default branch${empty}`,
    );
  }
  const baseBranch = opts.targetBranch || baseRef.name;
  const baseSha = baseRef.target?.oid;
  const rootTree = baseRef.target?.tree?.oid;
  if (!baseSha || !rootTree) {
    throw new GithubPublishError(
      `Could not read branch ${baseBranch} of ${name}: its head is not a commit`,
    );
  }

  // The whole tree once; `files` is undefined when GitHub truncates it, then files are read one by one.
  let baseTreeSha: string;
  let entries: TreeEntry[] | undefined;
  let files: Map<string, string> | undefined;
  const sizes = new Map<string, number>();
  try {
    const { data } = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: rootTree,
      recursive: '1',
    });
    baseTreeSha = data.sha;
    if (!data.truncated) {
      entries = [];
      files = new Map();
      for (const entry of data.tree) {
        if (!entry.path || !entry.sha || !entry.mode) continue;
        const type = entry.type as TreeEntry['type'];
        entries.push({
          path: entry.path,
          mode: entry.mode,
          type,
          sha: entry.sha,
        });
        if (type === 'blob') {
          files.set(entry.path, entry.sha);
          if (typeof entry.size === 'number') sizes.set(entry.path, entry.size);
        }
      }
    }
  } catch (error) {
    throw new GithubPublishError(
      `Could not list the files of ${name}@${baseBranch} (commit ${baseSha}): ${githubMessage(
        error,
      )}`,
      error,
    );
  }

  const blobCache = new Map<string, Promise<string>>();
  const readBlob = (sha: string) => {
    let content = blobCache.get(sha);
    if (!content) {
      content = octokit.rest.git
        .getBlob({ owner, repo, file_sha: sha })
        .then(({ data }) =>
          Buffer.from(
            data.content,
            data.encoding === 'base64' ? 'base64' : 'utf8',
          ).toString('utf8'),
        );
      blobCache.set(sha, content);
    }
    return content;
  };

  // Truncated tree: one contents read per path, shared by readFile and blobSha.
  const contentCache = new Map<
    string,
    Promise<{ sha: string; content: string } | undefined>
  >();
  const readContent = (path: string) => {
    let found = contentCache.get(path);
    if (!found) {
      found = octokit.rest.repos
        .getContent({ owner, repo, path, ref: baseSha })
        .then(
          ({ data }) =>
            Array.isArray(data) || data.type !== 'file'
              ? undefined
              : {
                  sha: data.sha,
                  content: Buffer.from(data.content, 'base64').toString('utf8'),
                },
          error => {
            if (statusOf(error) === 404) return undefined;
            throw new GithubPublishError(
              `Could not read ${path} from ${name}@${baseBranch}: ${githubMessage(
                error,
              )}`,
              error,
            );
          },
        );
      contentCache.set(path, found);
    }
    return found;
  };

  const readFile = async (path: string): Promise<string | undefined> => {
    if (files) {
      const sha = files.get(path);
      return sha ? readBlob(sha) : undefined;
    }
    return (await readContent(path))?.content;
  };

  const blobSha = async (path: string): Promise<string | undefined> => {
    if (files) return files.get(path);
    return (await readContent(path))?.sha;
  };

  const listFiles = async (dir: string): Promise<string[]> => {
    const prefix = `${dir.replace(/\/+$/, '')}/`;
    if (files) {
      return [...files.keys()].filter(p => p.startsWith(prefix)).sort();
    }
    // Truncated tree: walk the folder with the contents API.
    const out: string[] = [];
    const walk = async (path: string) => {
      let data;
      try {
        data = (
          await octokit.rest.repos.getContent({
            owner,
            repo,
            path,
            ref: baseSha,
          })
        ).data;
      } catch (error) {
        if (statusOf(error) === 404) return;
        throw error;
      }
      if (!Array.isArray(data)) return;
      for (const entry of data) {
        if (entry.type === 'file') out.push(entry.path);
        else if (entry.type === 'dir') await walk(entry.path);
      }
    };
    await walk(prefix.slice(0, -1));
    return out.sort();
  };

  const readFiles = async (paths: string[]): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    if (!files) {
      await Promise.all(
        paths.map(async p => {
          const content = await readFile(p);
          if (content !== undefined) out.set(p, content);
        }),
      );
      return out;
    }
    const wanted = paths.filter(p => files!.has(p));
    const missing = [
      ...new Set(wanted.map(p => files!.get(p)!).filter(s => !blobCache.has(s))),
    ];
    if (missing.length) {
      const texts = await readBlobTexts(octokit, owner, repo, missing);
      for (const [sha, text] of texts) blobCache.set(sha, Promise.resolve(text));
    }
    for (const p of wanted) {
      const sha = files.get(p)!;
      if (blobCache.has(sha)) out.set(p, await blobCache.get(sha)!);
    }
    return out;
  };

  const snapshot: GitopsRepo = {
    owner,
    repo,
    baseBranch,
    baseSha,
    baseTreeSha,
    defaultBranch,
    htmlUrl: repository.url,
    canPush: canPushFrom(repository.viewerPermission),
    readFile,
    listFiles,
    blobSha,
    allFiles: () =>
      files
        ? [...files.keys()].map(path => ({ path, size: sizes.get(path) }))
        : undefined,
    readFiles,
  };
  extras.set(snapshot, {
    entries,
    branch: head
      ? {
          name: head,
          state: branchStateFrom(
            repository.head,
            (opts.targetBranch ? repository.base : repository.defaultBranchRef)
              ?.compare,
          ),
        }
      : undefined,
  });
  return snapshot;
}
