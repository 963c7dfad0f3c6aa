import { AuthenticationError, InputError } from '@backstage/errors';
import { Octokit } from '@octokit/rest';
import { GithubPublishError, githubMessage, statusOf } from './errors';

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
  /**
   * The repository's default branch; undefined when `targetBranch` was given
   * (the repository itself is then not read, one request less).
   */
  defaultBranch?: string;
  /** Web URL of the repository; undefined when `targetBranch` was given. */
  htmlUrl?: string;
  /**
   * Whether the credentials may push; undefined when GitHub does not say
   * (GitHub App tokens) or the repository was not read (`targetBranch` given).
   * When undefined, a refused first write is reported as missing permission.
   */
  canPush?: boolean;
  /** Content of a file at `baseSha` (UTF-8), or undefined when there is none. */
  readFile(path: string): Promise<string | undefined>;
  /** Files (not folders) under `dir`, recursively, as repository-relative paths, sorted. */
  listFiles(dir: string): Promise<string[]>;
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

/** `GET /repos/{owner}/{repo}`, with the errors an action should show. */
async function readRepository(octokit: Octokit, owner: string, repo: string) {
  const name = describeRepo(owner, repo);
  try {
    return (await octokit.rest.repos.get({ owner, repo })).data;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) {
      throw new InputError(
        `repoUrl: repository ${name} was not found, or the configured credentials cannot see it`,
      );
    }
    if (status === 401) throw credentialsRejected(name, error);
    throw new GithubPublishError(
      `Could not read repository ${name}: ${githubMessage(error)}`,
      error,
    );
  }
}

/**
 * Opens the repository at the head of `targetBranch` (default: the default
 * branch). Fails with an InputError when the repository or branch does not
 * exist or cannot be seen with these credentials.
 *
 * Requests: `GET /repos/{owner}/{repo}` (only without `targetBranch`: for the
 * default branch and the push permission), `GET git/ref/heads/{branch}`, and
 * `GET git/trees/{commit}?recursive=1`, which resolves the commit to its root
 * tree, so one request gives the tree SHA and every file of the snapshot.
 * File contents are read on demand, one blob per distinct file.
 */
export async function openGitopsRepo(
  octokit: Octokit,
  opts: { owner: string; repo: string; targetBranch?: string },
): Promise<GitopsRepo> {
  const { owner, repo } = opts;
  const name = describeRepo(owner, repo);
  const repository = opts.targetBranch
    ? undefined
    : await readRepository(octokit, owner, repo);

  const baseBranch = opts.targetBranch || repository!.default_branch;
  let baseSha: string;
  try {
    const { data } = await octokit.rest.git.getRef({
      owner,
      repo,
      ref: `heads/${baseBranch}`,
    });
    baseSha = data.object.sha;
  } catch (error) {
    const status = statusOf(error);
    if (status === 401) throw credentialsRejected(name, error);
    if (status === 404 && !repository) {
      // A missing repository answers 404 here too: tell it from a missing branch (on this error path only).
      await readRepository(octokit, owner, repo);
    }
    if (status === 404 || status === 409) {
      throw new InputError(
        `targetBranch: branch ${JSON.stringify(
          baseBranch,
        )} does not exist in ${name}${
          status === 409 ? ' (the repository is empty)' : ''
        }`,
      );
    }
    throw new GithubPublishError(
      `Could not read branch ${baseBranch} of ${name}: ${githubMessage(error)}`,
      error,
    );
  }

  // The whole tree once; `files` is undefined when GitHub truncates it, then files are read one by one.
  let baseTreeSha: string;
  let files: Map<string, string> | undefined;
  try {
    const { data } = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: baseSha,
      recursive: '1',
    });
    baseTreeSha = data.sha;
    if (!data.truncated) {
      files = new Map();
      for (const entry of data.tree) {
        if (entry.type === 'blob' && entry.path && entry.sha)
          files.set(entry.path, entry.sha);
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

  const readFile = async (path: string): Promise<string | undefined> => {
    if (files) {
      const sha = files.get(path);
      return sha ? readBlob(sha) : undefined;
    }
    try {
      const { data } = await octokit.rest.repos.getContent({
        owner,
        repo,
        path,
        ref: baseSha,
      });
      if (Array.isArray(data) || data.type !== 'file') return undefined;
      return Buffer.from(data.content, 'base64').toString('utf8');
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw new GithubPublishError(
        `Could not read ${path} from ${name}@${baseBranch}: ${githubMessage(
          error,
        )}`,
        error,
      );
    }
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

  return {
    owner,
    repo,
    baseBranch,
    baseSha,
    baseTreeSha,
    defaultBranch: repository?.default_branch,
    htmlUrl: repository?.html_url,
    canPush: repository?.permissions?.push,
    readFile,
    listFiles,
  };
}
