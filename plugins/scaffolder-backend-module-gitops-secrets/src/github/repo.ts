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
  /** The repository's default branch. */
  defaultBranch: string;
  /** Web URL of the repository. */
  htmlUrl: string;
  /** Whether the credentials may push; undefined when GitHub does not say (GitHub App tokens). */
  canPush?: boolean;
  /** Content of a file at `baseSha` (UTF-8), or undefined when there is none. */
  readFile(path: string): Promise<string | undefined>;
  /** Files (not folders) under `dir`, recursively, as repository-relative paths, sorted. */
  listFiles(dir: string): Promise<string[]>;
}

function describeRepo(owner: string, repo: string) {
  return `${owner}/${repo}`;
}

/**
 * Opens the repository at the head of `targetBranch` (default: the default
 * branch). Fails with an InputError when the repository or branch does not
 * exist or cannot be seen with these credentials.
 */
export async function openGitopsRepo(
  octokit: Octokit,
  opts: { owner: string; repo: string; targetBranch?: string },
): Promise<GitopsRepo> {
  const { owner, repo } = opts;
  const name = describeRepo(owner, repo);
  let repository;
  try {
    repository = (await octokit.rest.repos.get({ owner, repo })).data;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) {
      throw new InputError(
        `repoUrl: repository ${name} was not found, or the configured credentials cannot see it`,
      );
    }
    if (status === 401) {
      throw new AuthenticationError(
        `GitHub rejected the credentials configured for ${name} (${githubMessage(
          error,
        )})`,
      );
    }
    throw new GithubPublishError(
      `Could not read repository ${name}: ${githubMessage(error)}`,
      error,
    );
  }

  const baseBranch = opts.targetBranch || repository.default_branch;
  let baseSha: string;
  try {
    const { data } = await octokit.rest.git.getRef({
      owner,
      repo,
      ref: `heads/${baseBranch}`,
    });
    baseSha = data.object.sha;
  } catch (error) {
    if (statusOf(error) === 404 || statusOf(error) === 409) {
      throw new InputError(
        `targetBranch: branch ${JSON.stringify(
          baseBranch,
        )} does not exist in ${name}${
          statusOf(error) === 409 ? ' (the repository is empty)' : ''
        }`,
      );
    }
    throw new GithubPublishError(
      `Could not read branch ${baseBranch} of ${name}: ${githubMessage(error)}`,
      error,
    );
  }

  let baseTreeSha: string;
  try {
    const { data } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: baseSha,
    });
    baseTreeSha = data.tree.sha;
  } catch (error) {
    throw new GithubPublishError(
      `Could not read commit ${baseSha} of ${name}: ${githubMessage(error)}`,
      error,
    );
  }

  let treePromise: Promise<Map<string, string> | undefined> | undefined;
  const blobCache = new Map<string, Promise<string>>();

  // The whole tree once (one request); undefined when GitHub truncates it, then files are read one by one.
  const tree = () => {
    treePromise ??= octokit.rest.git
      .getTree({ owner, repo, tree_sha: baseTreeSha, recursive: 'true' })
      .then(({ data }) => {
        if (data.truncated) return undefined;
        const files = new Map<string, string>();
        for (const entry of data.tree) {
          if (entry.type === 'blob' && entry.path && entry.sha)
            files.set(entry.path, entry.sha);
        }
        return files;
      })
      .catch(error => {
        throw new GithubPublishError(
          `Could not list the files of ${name}@${baseBranch}: ${githubMessage(
            error,
          )}`,
          error,
        );
      });
    return treePromise;
  };

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
    const files = await tree();
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
    const files = await tree();
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
    defaultBranch: repository.default_branch,
    htmlUrl: repository.html_url,
    canPush: repository.permissions?.push,
    readFile,
    listFiles,
  };
}
