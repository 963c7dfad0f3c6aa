/*
 * JSON shapes as GitHub returns them (the fields clients read, plus the URLs that are cheap to fill in).
 */
import type { CommitInfo, DiffFile, TreeEntry } from './git';
import { nodeId, Permission, RepoHandle, SimState, stableId } from './state';
import type { PullRequest } from './types';

export function apiUrl(sim: SimState): string {
  return `${sim.url}/api/v3`;
}

export function repoApiUrl(sim: SimState, repo: RepoHandle): string {
  return `${apiUrl(sim)}/repos/${repo.fullName}`;
}

export function userJson(
  sim: SimState,
  login: string,
  type: 'User' | 'Organization' = 'User',
) {
  const id = stableId(`user:${login}`);
  return {
    login,
    id,
    node_id: nodeId(type === 'User' ? 'U' : 'O', login),
    avatar_url: `${sim.url}/avatars/${login}`,
    gravatar_id: '',
    url: `${apiUrl(sim)}/users/${login}`,
    html_url: `${sim.url}/${login}`,
    repos_url: `${apiUrl(sim)}/users/${login}/repos`,
    type,
    site_admin: false,
  };
}

function ownerType(sim: SimState, owner: string): 'User' | 'Organization' {
  for (const grant of sim.tokens.values())
    if (grant.login === owner) return 'User';
  return 'Organization';
}

const PERMISSIONS: Record<Permission, Record<string, boolean>> = {
  read: {
    admin: false,
    maintain: false,
    push: false,
    triage: false,
    pull: true,
  },
  write: {
    admin: false,
    maintain: false,
    push: true,
    triage: true,
    pull: true,
  },
  admin: { admin: true, maintain: true, push: true, triage: true, pull: true },
};

export function repoJson(
  sim: SimState,
  repo: RepoHandle,
  defaultBranch: string,
  permission?: Permission,
) {
  const api = repoApiUrl(sim, repo);
  return {
    id: repo.id,
    node_id: nodeId('R', repo.fullName),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.meta.private,
    visibility: repo.meta.private ? 'private' : 'public',
    owner: userJson(sim, repo.owner, ownerType(sim, repo.owner)),
    html_url: `${sim.url}/${repo.fullName}`,
    description: null,
    fork: false,
    url: api,
    git_refs_url: `${api}/git/refs{/sha}`,
    pulls_url: `${api}/pulls{/number}`,
    contents_url: `${api}/contents/{+path}`,
    // What Backstage's GitHub UrlReader follows for readTree (a tarball) and search (a recursive tree).
    archive_url: `${api}/{archive_format}{/ref}`,
    trees_url: `${api}/git/trees{/sha}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_url: `git://${sim.host}/${repo.fullName}.git`,
    ssh_url: `git@${sim.host}:${repo.fullName}.git`,
    clone_url: `${sim.url}/${repo.fullName}.git`,
    default_branch: defaultBranch,
    archived: false,
    disabled: false,
    is_template: false,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    delete_branch_on_merge: false,
    ...(permission ? { permissions: PERMISSIONS[permission] } : {}),
  };
}

export function gitCommitJson(
  sim: SimState,
  repo: RepoHandle,
  commit: CommitInfo,
) {
  const api = repoApiUrl(sim, repo);
  return {
    sha: commit.sha,
    node_id: nodeId('C', `${repo.fullName}:${commit.sha}`),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${sim.url}/${repo.fullName}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map(sha => ({
      sha,
      url: `${api}/git/commits/${sha}`,
      html_url: `${sim.url}/${repo.fullName}/commit/${sha}`,
    })),
    verification: {
      verified: false,
      reason: commit.signature ? 'unknown_key' : 'unsigned',
      signature: commit.signature ?? null,
      payload: null,
    },
  };
}

/** The `/repos/{owner}/{repo}/commits` shape: the git commit nested under `commit`. */
export function restCommitJson(
  sim: SimState,
  repo: RepoHandle,
  commit: CommitInfo,
) {
  const api = repoApiUrl(sim, repo);
  const git = gitCommitJson(sim, repo, commit);
  return {
    sha: commit.sha,
    node_id: git.node_id,
    commit: {
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      tree: git.tree,
      url: git.url,
      comment_count: 0,
      verification: git.verification,
    },
    url: `${api}/commits/${commit.sha}`,
    html_url: git.html_url,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    author: null,
    committer: null,
    parents: commit.parents.map(sha => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${sim.url}/${repo.fullName}/commit/${sha}`,
    })),
  };
}

export function refJson(
  sim: SimState,
  repo: RepoHandle,
  ref: string,
  sha: string,
  type: string,
) {
  const api = repoApiUrl(sim, repo);
  const plural = `${type}s`;
  return {
    ref,
    node_id: nodeId('REF', `${repo.fullName}:${ref}`),
    url: `${api}/git/${ref}`,
    object: { sha, type, url: `${api}/git/${plural}/${sha}` },
  };
}

export function treeEntryJson(
  sim: SimState,
  repo: RepoHandle,
  entry: TreeEntry,
) {
  const api = repoApiUrl(sim, repo);
  const plural = `${entry.type}s`;
  return {
    path: entry.path,
    mode: entry.mode,
    type: entry.type,
    sha: entry.sha,
    ...(entry.size !== undefined ? { size: entry.size } : {}),
    url: `${api}/git/${plural}/${entry.sha}`,
  };
}

export function labelJson(sim: SimState, repo: RepoHandle, name: string) {
  const label = repo.meta.labels[name] ?? {
    color: 'ededed',
    description: null,
  };
  return {
    id: stableId(`label:${repo.fullName}:${name}`),
    node_id: nodeId('LA', `${repo.fullName}:${name}`),
    url: `${repoApiUrl(sim, repo)}/labels/${encodeURIComponent(name)}`,
    name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

export function pullId(repo: RepoHandle, pr: PullRequest): number {
  return stableId(`pull:${repo.fullName}:${pr.number}`);
}

function mergeableState(pr: PullRequest): string {
  if (pr.state !== 'open') return 'unknown';
  return pr.draft ? 'draft' : 'clean';
}

export function pullJson(
  sim: SimState,
  repo: RepoHandle,
  pr: PullRequest,
  repoView: ReturnType<typeof repoJson>,
) {
  const api = repoApiUrl(sim, repo);
  const html = `${sim.url}/${repo.fullName}/pull/${pr.number}`;
  const user = userJson(sim, pr.user);
  const merged = pr.mergedAt !== null;
  return {
    url: `${api}/pulls/${pr.number}`,
    id: pullId(repo, pr),
    node_id: nodeId('PR', `${repo.fullName}:${pr.number}`),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    commits_url: `${api}/pulls/${pr.number}/commits`,
    statuses_url: `${api}/statuses/${pr.head.sha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user,
    body: pr.body,
    labels: pr.labels.map(name => labelJson(sim, repo, name)),
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: pr.assignees.length ? userJson(sim, pr.assignees[0]) : null,
    assignees: pr.assignees.map(login => userJson(sim, login)),
    requested_reviewers: pr.requestedReviewers.map(login =>
      userJson(sim, login),
    ),
    requested_teams: pr.requestedTeams.map(slug => ({
      id: stableId(`team:${slug}`),
      slug,
      name: slug,
    })),
    head: {
      label: pr.head.label,
      ref: pr.head.ref,
      sha: pr.head.sha,
      user: repoView.owner,
      repo: repoView,
    },
    base: {
      label: pr.base.label,
      ref: pr.base.ref,
      sha: pr.base.sha,
      user: repoView.owner,
      repo: repoView,
    },
    _links: {
      self: { href: `${api}/pulls/${pr.number}` },
      html: { href: html },
      issue: { href: `${api}/issues/${pr.number}` },
      comments: { href: `${api}/issues/${pr.number}/comments` },
      commits: { href: `${api}/pulls/${pr.number}/commits` },
      statuses: { href: `${api}/statuses/${pr.head.sha}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: pr.draft,
    merged,
    mergeable: pr.state === 'open' ? true : null,
    mergeable_state: mergeableState(pr),
    merged_by: pr.mergedBy ? userJson(sim, pr.mergedBy) : null,
    comments: repo.meta.comments[String(pr.number)]?.length ?? 0,
    review_comments: 0,
    maintainer_can_modify: false,
  };
}

/** The issue view of a pull request (`/issues/{n}`): pull requests are issues on GitHub. */
export function issueJson(sim: SimState, repo: RepoHandle, pr: PullRequest) {
  const api = repoApiUrl(sim, repo);
  return {
    url: `${api}/issues/${pr.number}`,
    id: stableId(`issue:${repo.fullName}:${pr.number}`),
    node_id: nodeId('I', `${repo.fullName}:${pr.number}`),
    html_url: `${sim.url}/${repo.fullName}/pull/${pr.number}`,
    number: pr.number,
    state: pr.state,
    title: pr.title,
    body: pr.body,
    user: userJson(sim, pr.user),
    labels: pr.labels.map(name => labelJson(sim, repo, name)),
    assignee: pr.assignees.length ? userJson(sim, pr.assignees[0]) : null,
    assignees: pr.assignees.map(login => userJson(sim, login)),
    locked: false,
    comments: repo.meta.comments[String(pr.number)]?.length ?? 0,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    pull_request: {
      url: `${api}/pulls/${pr.number}`,
      html_url: `${sim.url}/${repo.fullName}/pull/${pr.number}`,
      merged_at: pr.mergedAt,
    },
  };
}

export function diffFileJson(
  sim: SimState,
  repo: RepoHandle,
  file: DiffFile,
  ref: string,
) {
  return {
    sha: file.sha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: `${sim.url}/${repo.fullName}/blob/${ref}/${file.filename}`,
    raw_url: `${sim.url}/${repo.fullName}/raw/${ref}/${file.filename}`,
    contents_url: `${repoApiUrl(sim, repo)}/contents/${
      file.filename
    }?ref=${ref}`,
  };
}
