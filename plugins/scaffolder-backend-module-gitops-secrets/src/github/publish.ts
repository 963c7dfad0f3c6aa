import { InputError, NotAllowedError } from '@backstage/errors';
import { Octokit } from '@octokit/rest';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createHash } from 'node:crypto';
import { GithubPublishError, githubMessage, statusOf } from './errors';
import { gitBlobSha, treeShaWithFiles } from './gitObjects';
import { BranchHead, BranchState, PullSummary, queryBranch } from './graphql';
import {
  assertOwnBranch,
  isOwnPull,
  PublishIdentity,
  withMarker,
  withTrailers,
} from './ownership';
import { baseTreeEntries, GitopsRepo, prefetchedBranch } from './repo';
import { branchNameProblem, normaliseRepoPath } from '../validation';

/** One file of the change, path relative to the repository root. */
export interface FileChange {
  path: string;
  content: string;
  /**
   * The content was computed from the file on the base branch (e.g. a
   * kustomization.yaml with one more resource), so replacing it is the
   * intent, not an overwrite. Default false.
   */
  update?: boolean;
}

/** What to publish. */
export interface PublishRequest {
  branchName: string;
  title: string;
  description: string;
  commitMessage: string;
  files: FileChange[];
  /** Replace existing files that have other content (default: refuse and name them). */
  overwrite?: boolean;
  labels?: string[];
  reviewers?: string[];
  draft?: boolean;
  /**
   * Who writes (the action and its target). Commits get its trailers and the pull request its marker, and an
   * existing branch or pull request is written only when it carries them. Default: action `publishPullRequest`,
   * target the branch name.
   */
  identity?: PublishIdentity;
}

/** What happened. */
export interface PublishResult {
  /**
   * `created`: new PR. `updated`: new commit on the branch of an open PR (or
   * its title/body changed). `unchanged`: the branch already holds exactly
   * this change and the PR is open. `nothing-to-change`: the base branch
   * already has this content; no branch, no PR.
   */
  outcome: 'created' | 'updated' | 'unchanged' | 'nothing-to-change';
  pullRequestUrl?: string;
  pullRequestNumber?: number;
  branchName: string;
  /** Head of the branch after publishing. */
  commitSha?: string;
  /** Paths that differ from the base branch. */
  changedFiles: string[];
}

/** The parts of the scaffolder's ActionContext publishing needs. */
export type PublishContext = Pick<
  ActionContext<any, any>,
  'checkpoint' | 'logger'
>;

/** Files that differ from the base branch, and files that would be overwritten. */
export interface ChangePlan {
  changed: FileChange[];
  /** Paths of `changed` that exist on the base branch (replaced); the others are added. */
  replaced: string[];
  unchanged: string[];
  conflicts: string[];
}

/**
 * Compares the wanted files with the base branch. Reads only: with a snapshot
 * from `openGitopsRepo` it compares git blob SHAs computed locally with the
 * tree listing it already holds, so no file is read.
 */
export async function planChanges(
  repo: GitopsRepo,
  files: FileChange[],
  overwrite = false,
): Promise<ChangePlan> {
  const seen = new Set<string>();
  for (const file of files) {
    const normalised = normaliseRepoPath(file.path);
    if ('error' in normalised || normalised.path !== file.path) {
      throw new InputError(
        `Invalid file path ${JSON.stringify(file.path)}: ${
          'error' in normalised ? normalised.error : 'must be normalised'
        }`,
      );
    }
    if (seen.has(file.path)) {
      throw new InputError(`File ${file.path} is written twice`);
    }
    seen.add(file.path);
  }
  pathKindConflicts(repo, files);
  // Per file: absent, the same content, or other content.
  const current = await Promise.all(
    files.map(async (f): Promise<'absent' | 'same' | 'other'> => {
      if (repo.blobSha) {
        const sha = await repo.blobSha(f.path);
        if (sha === undefined) return 'absent';
        return sha === gitBlobSha(f.content) ? 'same' : 'other';
      }
      const existing = await repo.readFile(f.path);
      if (existing === undefined) return 'absent';
      return existing === f.content ? 'same' : 'other';
    }),
  );
  const plan: ChangePlan = {
    changed: [],
    replaced: [],
    unchanged: [],
    conflicts: [],
  };
  files.forEach((file, i) => {
    const existing = current[i];
    if (existing === 'same') plan.unchanged.push(file.path);
    else if (existing === 'other' && !file.update && !overwrite) {
      plan.conflicts.push(file.path);
    } else {
      plan.changed.push(file);
      if (existing === 'other') plan.replaced.push(file.path);
    }
  });
  return plan;
}

/**
 * Refuses writes that would delete something: a file whose folder (or a parent of it) is a file on the base branch
 * (git would replace that file with a folder), and a file whose path is a folder (git would replace the folder and
 * everything in it). Such deletions would not show among the changed files. Decided from the snapshot's tree
 * listing; without one (GitHub truncated it) the check is skipped, and the listing of the PR's files still shows it.
 */
function pathKindConflicts(repo: GitopsRepo, files: FileChange[]) {
  const entries = baseTreeEntries(repo);
  if (!entries) return;
  const kinds = new Map(entries.map(e => [e.path, e.type]));
  for (const file of files) {
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const kind = kinds.get(prefix);
      if (kind !== undefined && kind !== 'tree') {
        throw new InputError(
          `Path ${prefix} is a file on ${repo.baseBranch} of ${repo.owner}/${repo.repo}, not a folder: writing ${file.path} would delete it. Choose a folder (e.g. another cluster path) that is not a file`,
        );
      }
    }
    if (kinds.get(file.path) === 'tree') {
      throw new InputError(
        `Path ${file.path} is a folder on ${repo.baseBranch} of ${repo.owner}/${repo.repo}: writing a file there would delete everything in it`,
      );
    }
  }
}

/** The InputError for files that exist with other content. */
export function conflictError(repo: GitopsRepo, conflicts: string[]) {
  return new InputError(
    `${conflicts.length === 1 ? 'File' : 'Files'} ${conflicts.join(
      ', ',
    )} already ${conflicts.length === 1 ? 'exists' : 'exist'} on ${
      repo.baseBranch
    } of ${repo.owner}/${
      repo.repo
    } with other content; set overwrite: true to replace ${
      conflicts.length === 1 ? 'it' : 'them'
    }, or choose another cluster path/name`,
  );
}

function digest(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value))
    .digest('hex')
    .slice(0, 16);
}

/** The publish branch's head and open PRs (one GraphQL request), with the error an action should show. */
async function readBranch(
  octokit: Octokit,
  repo: GitopsRepo,
  branch: string,
): Promise<BranchState> {
  try {
    return await queryBranch(
      octokit,
      repo.owner,
      repo.repo,
      branch,
      repo.baseBranch,
    );
  } catch (error) {
    throw new GithubPublishError(
      `Could not read branch ${branch} of ${repo.owner}/${
        repo.repo
      }: ${githubMessage(error)}`,
      error,
    );
  }
}

/** The open PR of the branch against the base branch, else any open PR of the branch (against another base). */
function pickPull(
  pulls: PullSummary[],
  baseBranch: string,
): PullSummary | undefined {
  return pulls.find(p => p.baseRef === baseBranch) ?? pulls[0];
}

/** One commit on `baseSha` whose tree is `treeSha`: what a run with the same files on the same base made. */
function holdsTree(
  head: BranchHead | undefined,
  baseSha: string,
  treeSha: string | undefined,
): head is BranchHead {
  return (
    head !== undefined &&
    treeSha !== undefined &&
    head.treeSha === treeSha &&
    head.parentCount === 1 &&
    head.parents[0] === baseSha
  );
}

/**
 * Commits `req.files` to `req.branchName` as one commit on the base branch
 * (one tree with inline content on `base_tree`, holding only the files that
 * change) and opens one pull request, or updates the existing one.
 *
 * Reads: the publish branch's head commit (tree, parents) and its open pull
 * requests, in one GraphQL request — none when `openGitopsRepo` was given
 * this `branchName`, which read them with the snapshot. Files are compared by
 * git blob SHA (computed locally) with the snapshot's tree listing, and the
 * tree the change gives is computed locally too, so deciding costs no request.
 *
 * - New branch: the tree, the commit, the branch (`POST git/refs`) and the
 *   pull request — 4 writes; with `openGitopsRepo`'s two reads, 6 requests.
 * - Same inputs again: the branch head is one commit on the current base with
 *   exactly this tree, so nothing is written and the open PR is returned
 *   (`unchanged`).
 * - Everything already on the base branch: `nothing-to-change`, nothing written.
 * - A file that exists with other content: InputError naming it, unless
 *   `overwrite` (or the file is marked `update`).
 * - Ownership, checked before any write (`assertOwnBranch`, from the same
 *   read): never the default or target branch or a protected branch; an
 *   existing branch only when every commit on it since the target branch
 *   carries this identity's trailers, and its open PR only when it carries
 *   this identity's marker. Otherwise an InputError naming the branch and its
 *   last author, and nothing is written.
 * - The branch belongs to the action: when the content or the base moved it
 *   is reset to one new commit on the base (force update, which drops only
 *   the action's own commits); a branch without an open PR gets one.
 * - If the PR cannot be opened after this run created the branch, the branch
 *   is deleted again, so nothing is left half-done; a branch that existed
 *   before is left as it was and a re-run opens the PR.
 *
 * Every write runs inside `ctx.checkpoint`, so a retried task does not repeat it.
 */
export async function publishPullRequest(
  ctx: PublishContext,
  octokit: Octokit,
  repo: GitopsRepo,
  req: PublishRequest,
): Promise<PublishResult> {
  const { owner } = repo;
  const name = `${owner}/${repo.repo}`;
  const branch = req.branchName;
  const problem = branchNameProblem(branch);
  if (problem) {
    // The name is not quoted: it may hold control characters or a pasted secret.
    throw new InputError(`branchName: ${problem}`);
  }
  if (branch === repo.baseBranch) {
    throw new InputError(
      `branchName: must differ from the target branch ${repo.baseBranch}; the change is proposed as a pull request`,
    );
  }
  if (branch === repo.defaultBranch) {
    throw new InputError(
      `branchName: must not be the default branch ${repo.defaultBranch} of ${name}; the change is proposed from a branch of its own`,
    );
  }
  const identity: PublishIdentity = req.identity ?? {
    action: 'publishPullRequest',
    target: branch,
  };
  const commitMessage = withTrailers(req.commitMessage, repo, identity);

  const plan = await planChanges(repo, req.files, req.overwrite);
  if (plan.conflicts.length) throw conflictError(repo, plan.conflicts);
  const changedFiles = plan.changed.map(f => f.path);
  // What the commit does to the base, in the body: it never deletes (path conflicts are refused above).
  const added = plan.changed.length - plan.replaced.length;
  const description = withMarker(
    `${req.description.replace(
      /\s+$/,
      '',
    )}\n\n<sub>This commit adds ${added} file(s), updates ${
      plan.replaced.length
    }${
      plan.replaced.length ? ` (${plan.replaced.join(', ')})` : ''
    } and deletes none.</sub>`,
    repo,
    identity,
  );
  if (!plan.changed.length) {
    ctx.logger.info(
      `Nothing to change: ${repo.baseBranch} of ${name} already has all ${req.files.length} files`,
    );
    return { outcome: 'nothing-to-change', branchName: branch, changedFiles };
  }
  const readOnly = `The credentials configured for ${name} may read but not push to it; grant write access (contents and pull requests)`;
  if (repo.canPush === false) throw new NotAllowedError(readOnly);

  // 1. The branch as it is: its head commit and open pull requests.
  const found =
    prefetchedBranch(repo, branch) ?? (await readBranch(octokit, repo, branch));
  const foundPull = pickPull(found.pulls, repo.baseBranch);
  if (foundPull && foundPull.baseRef !== repo.baseBranch) {
    throw new InputError(
      `branchName: branch ${branch} already has open pull request #${foundPull.number} against ${foundPull.baseRef}, not ${repo.baseBranch}; close it or choose another branch name`,
    );
  }
  // Before any write: the branch and its pull request must be ours (or absent).
  assertOwnBranch(found, repo, branch, identity);

  // 2. Does it already hold exactly this change? The tree the change gives is computed from the snapshot's listing.
  const entries = baseTreeEntries(repo);
  const expectedTree =
    entries &&
    treeShaWithFiles(
      entries,
      plan.changed.map(f => ({ path: f.path, sha: gitBlobSha(f.content) })),
    );
  let holds = holdsTree(found.head, repo.baseSha, expectedTree);

  let commitSha: string;
  let placed: PlacedBranch | undefined;
  if (!holds) {
    // One tree (base tree + the changed files, inline: no blob per file) and one commit on the base.
    const contentDigest = digest(
      plan.changed.map(f => [f.path, digest(f.content)]),
    );
    const treeSha = await ctx.checkpoint({
      key: `gitops.tree.${name}.${repo.baseSha}.${contentDigest}`,
      fn: async () => {
        try {
          const { data } = await octokit.rest.git.createTree({
            owner,
            repo: repo.repo,
            base_tree: repo.baseTreeSha,
            tree: plan.changed.map(f => ({
              path: f.path,
              mode: '100644' as const,
              type: 'blob' as const,
              content: f.content,
            })),
          });
          return data.sha;
        } catch (error) {
          const status = statusOf(error);
          // The first write: when the push permission was not known beforehand, a refusal here means read-only credentials.
          if ((status === 403 || status === 404) && repo.canPush !== true) {
            throw new NotAllowedError(
              `${readOnly} (GitHub answered ${status} to the first write: ${githubMessage(
                error,
              )}); nothing was changed`,
            );
          }
          throw new GithubPublishError(
            `Could not create the git tree in ${name} (nothing was changed): ${githubMessage(
              error,
            )}`,
            error,
          );
        }
      },
    });
    // Without a complete listing (GitHub truncates trees of over 100,000 entries) only GitHub's answer tells:
    // the same tree as the branch head's is no new object, and then no commit is made.
    holds = holdsTree(found.head, repo.baseSha, treeSha);
    if (!holds) {
      const newCommitSha = await ctx.checkpoint({
        key: `gitops.commit.${name}.${repo.baseSha}.${treeSha}`,
        fn: async () => {
          try {
            const { data } = await octokit.rest.git.createCommit({
              owner,
              repo: repo.repo,
              message: commitMessage,
              tree: treeSha,
              parents: [repo.baseSha],
            });
            return data.sha;
          } catch (error) {
            throw new GithubPublishError(
              `Could not create the commit in ${name} (nothing was changed): ${githubMessage(
                error,
              )}`,
              error,
            );
          }
        },
      });

      // The branch: created at the commit when absent, else reset to it (it belongs to the action).
      placed = await ctx.checkpoint({
        key: `gitops.ref.${name}.${branch}.${newCommitSha}`,
        fn: () =>
          placeBranch(
            octokit,
            repo,
            branch,
            newCommitSha,
            treeSha,
            found.head,
            identity,
          ),
      });
    }
  }
  if (!placed) {
    commitSha = found.head!.sha;
    ctx.logger.info(
      `Branch ${branch} already holds this change (commit ${commitSha.slice(
        0,
        7,
      )}); left as it is`,
    );
  } else {
    commitSha = placed.sha;
    if (placed.outcome === 'unchanged') {
      ctx.logger.info(
        `Branch ${branch} already holds this change (commit ${commitSha.slice(
          0,
          7,
        )}); left as it is`,
      );
    } else {
      ctx.logger.info(
        `${
          placed.outcome === 'created' ? 'Created' : 'Updated'
        } branch ${branch} at ${commitSha.slice(0, 7)} with ${
          changedFiles.length
        } changed file(s): ${changedFiles.join(', ')}`,
      );
    }
  }
  const createdBranch = placed?.outcome === 'created';
  let madeCommit = placed !== undefined && placed.outcome !== 'unchanged';

  // 3. The pull request: the one found open (read again when the branch had to be re-read), none on a new branch.
  let pull = createdBranch
    ? undefined
    : pickPull(placed?.pulls ?? found.pulls, repo.baseBranch);
  if (pull && pull.baseRef !== repo.baseBranch) {
    throw new InputError(
      `branchName: branch ${branch} already has open pull request #${pull.number} against ${pull.baseRef}, not ${repo.baseBranch}; close it or choose another branch name`,
    );
  }
  let outcome: PublishResult['outcome'];
  if (pull) {
    const current = pull;
    if (current.title !== req.title || current.body !== description) {
      await ctx.checkpoint({
        key: `gitops.pr.update.${name}.${current.number}.${digest([
          req.title,
          description,
        ])}`,
        fn: async () => {
          await octokit.rest.pulls.update({
            owner,
            repo: repo.repo,
            pull_number: current.number,
            title: req.title,
            body: description,
          });
        },
      });
      madeCommit = true;
    }
    outcome = madeCommit ? 'updated' : 'unchanged';
  } else {
    pull = await ctx.checkpoint({
      key: `gitops.pr.create.${name}.${branch}.${commitSha}`,
      fn: () =>
        openPull(
          ctx,
          octokit,
          repo,
          { ...req, description },
          branch,
          createdBranch,
          identity,
        ),
    });
    if (!pull.existed) outcome = 'created';
    else outcome = madeCommit ? 'updated' : 'unchanged';
  }
  const pr = pull!;

  // 4. Labels and reviewers: useful, not essential; failures are logged.
  const missingLabels = (req.labels ?? []).filter(
    l => outcome === 'created' || !pr.labels.includes(l),
  );
  if (missingLabels.length) {
    await ctx.checkpoint({
      key: `gitops.pr.labels.${name}.${pr.number}.${digest(missingLabels)}`,
      fn: async () => {
        try {
          await octokit.rest.issues.addLabels({
            owner,
            repo: repo.repo,
            issue_number: pr.number,
            labels: missingLabels,
          });
        } catch (error) {
          ctx.logger.warn(
            `Could not add labels ${missingLabels.join(', ')} to #${
              pr.number
            }: ${githubMessage(error)}`,
          );
        }
      },
    });
  }
  if (req.reviewers?.length && outcome === 'created') {
    await ctx.checkpoint({
      key: `gitops.pr.reviewers.${name}.${pr.number}`,
      fn: async () => {
        try {
          await octokit.rest.pulls.requestReviewers({
            owner,
            repo: repo.repo,
            pull_number: pr.number,
            reviewers: req.reviewers!,
          });
        } catch (error) {
          ctx.logger.warn(
            `Could not request reviews from ${req.reviewers!.join(', ')} on #${
              pr.number
            }: ${githubMessage(error)}`,
          );
        }
      },
    });
  }

  ctx.logger.info(`Pull request #${pr.number} ${outcome}: ${pr.url}`);
  return {
    outcome,
    pullRequestUrl: pr.url,
    pullRequestNumber: pr.number,
    branchName: branch,
    commitSha,
    changedFiles,
  };
}

// A type alias (not an interface) so it is a JsonObject for ctx.checkpoint.
type PlacedBranch = {
  /** `created` by this call, `updated` (reset to the new commit), or `unchanged` (it already held this change). */
  outcome: 'created' | 'updated' | 'unchanged';
  /** Head of the branch afterwards. */
  sha: string;
  /** The branch's open pull requests, when it had to be read again (after a 422). */
  pulls?: PullSummary[];
};

const REF_ATTEMPTS = 3;

/**
 * Points `branch` at `commitSha` (one commit on the base with tree
 * `treeSha`): creates it when the read found none, else force-updates it.
 * A 422 means another writer created or moved it (or a retried write had
 * succeeded): the branch is read again, left as it is when its head already
 * is one commit on the base with exactly this tree, and otherwise written
 * again, up to {@link REF_ATTEMPTS} times.
 */
async function placeBranch(
  octokit: Octokit,
  repo: GitopsRepo,
  branch: string,
  commitSha: string,
  treeSha: string,
  knownHead: BranchHead | undefined,
  identity: PublishIdentity,
): Promise<PlacedBranch> {
  const base = { owner: repo.owner, repo: repo.repo };
  let lastError: unknown;
  let exists = knownHead !== undefined;
  let pulls: PullSummary[] | undefined;
  for (let attempt = 1; attempt <= REF_ATTEMPTS; attempt++) {
    const creating = !exists;
    try {
      if (creating) {
        await octokit.rest.git.createRef({
          ...base,
          ref: `refs/heads/${branch}`,
          sha: commitSha,
        });
        // A branch this run created has no open pull request.
        return { outcome: 'created', sha: commitSha };
      }
      await octokit.rest.git.updateRef({
        ...base,
        ref: `heads/${branch}`,
        sha: commitSha,
        force: true,
      });
      return pulls
        ? { outcome: 'updated', sha: commitSha, pulls }
        : { outcome: 'updated', sha: commitSha };
    } catch (error) {
      if (statusOf(error) !== 422) {
        throw new GithubPublishError(
          `Could not ${creating ? 'create' : 'update'} branch ${branch} in ${
            repo.owner
          }/${
            repo.repo
          } (no pull request was opened or changed): ${githubMessage(error)}`,
          error,
        );
      }
      lastError = error;
    }
    // "Reference already exists", or someone (or an earlier attempt) moved the ref: look at it.
    const current = await readBranch(octokit, repo, branch);
    // Someone else may have made the branch meanwhile: never move it then.
    assertOwnBranch(current, repo, branch, identity);
    pulls = current.pulls;
    if (holdsTree(current.head, repo.baseSha, treeSha)) {
      // One commit on this base with exactly this tree: what a run with the same files made (it may even be this very
      // commit, when a retried write had succeeded). A branch found like that is never counted as created by this run,
      // so it is never deleted, and its open pull request is used.
      return {
        outcome:
          !creating && current.head.sha === commitSha ? 'updated' : 'unchanged',
        sha: current.head.sha,
        pulls,
      };
    }
    exists = current.head !== undefined;
  }
  throw new GithubPublishError(
    `Could not move branch ${branch} of ${repo.owner}/${
      repo.repo
    } to ${commitSha.slice(
      0,
      7,
    )} after ${REF_ATTEMPTS} attempts: ${githubMessage(
      lastError,
    )}. Another push is racing this one; no pull request was opened or changed. Run the task again.`,
    lastError,
  );
}

async function openPull(
  ctx: PublishContext,
  octokit: Octokit,
  repo: GitopsRepo,
  req: PublishRequest,
  branch: string,
  createdBranch: boolean,
  identity: PublishIdentity,
): Promise<PullSummary> {
  const name = `${repo.owner}/${repo.repo}`;
  try {
    const { data } = await octokit.rest.pulls.create({
      owner: repo.owner,
      repo: repo.repo,
      title: req.title,
      body: req.description,
      head: branch,
      base: repo.baseBranch,
      draft: req.draft ?? false,
    });
    return {
      number: data.number,
      url: data.html_url,
      title: data.title,
      body: data.body ?? '',
      baseRef: data.base.ref,
      labels: [],
    };
  } catch (error) {
    // A race, or a retried create (after a 5xx) that had succeeded: the PR is open now.
    if (
      statusOf(error) === 422 &&
      /already exists/i.test(githubMessage(error))
    ) {
      const { pulls } = await readBranch(octokit, repo, branch);
      const existing = pulls.find(p => p.baseRef === repo.baseBranch);
      if (existing && isOwnPull(existing, repo, identity))
        return { ...existing, existed: true };
    }
    let cleanup = `branch ${branch} is kept; run the task again to open the pull request`;
    if (createdBranch) {
      try {
        await octokit.rest.git.deleteRef({
          owner: repo.owner,
          repo: repo.repo,
          ref: `heads/${branch}`,
        });
        cleanup = `branch ${branch} was deleted again, so nothing is left half-done`;
      } catch (deleteError) {
        cleanup = `branch ${branch} could not be deleted (${githubMessage(
          deleteError,
        )}); delete it or run the task again`;
        ctx.logger.warn(cleanup);
      }
    }
    throw new GithubPublishError(
      `Could not open the pull request from ${branch} to ${
        repo.baseBranch
      } in ${name}: ${githubMessage(error)}; ${cleanup}`,
      error,
    );
  }
}
