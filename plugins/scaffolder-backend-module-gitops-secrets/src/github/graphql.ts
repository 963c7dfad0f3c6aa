/*
 * The GraphQL reads: one query gives what four REST reads gave (the
 * repository with the viewer's permission, the target branch's commit and
 * tree, the publish branch's head commit with its tree and parents, and that
 * branch's open pull requests). `octokit.graphql` derives the endpoint from
 * the integration's apiBaseUrl as Octokit does (`…/api/v3` → `…/api/graphql`
 * on GitHub Enterprise, `https://api.github.com/graphql` on github.com).
 */
import { Octokit } from '@octokit/rest';

// A type alias (not an interface) so it is a JsonObject for ctx.checkpoint.
/** An open pull request whose head is the publish branch. */
export type PullSummary = {
  number: number;
  url: string;
  title: string;
  body: string;
  baseRef: string;
  labels: string[];
  /** Found open rather than created by this call. */
  existed?: boolean;
};

// A type alias (not an interface) so it is a JsonObject for ctx.checkpoint.
/** The head commit of a branch. */
export type BranchHead = {
  sha: string;
  /** Root tree of the commit. */
  treeSha: string;
  /** The first two parents. */
  parents: string[];
  parentCount: number;
};

/** A branch as one read saw it: its head (undefined when there is no such branch) and its open pull requests. */
export interface BranchState {
  head?: BranchHead;
  pulls: PullSummary[];
}

const COMMIT = 'oid ... on Commit { tree { oid } }';

const BRANCH = `
  target { oid ... on Commit { tree { oid } parents(first: 2) { totalCount nodes { oid } } } }
  associatedPullRequests(states: [OPEN], first: 5) {
    nodes { number url title body baseRefName labels(first: 100) { nodes { name } } }
  }`;

/** Repository, target branch (`$base`, or the default branch) and publish branch (`$head`) in one request. */
export const SNAPSHOT_QUERY = `query GitopsSnapshot($owner: String!, $name: String!, $base: String!, $withBase: Boolean!, $head: String!, $withHead: Boolean!) {
  repository(owner: $owner, name: $name) {
    url
    viewerPermission
    isEmpty
    defaultBranchRef { name target { ${COMMIT} } }
    base: ref(qualifiedName: $base) @include(if: $withBase) { name target { ${COMMIT} } }
    head: ref(qualifiedName: $head) @include(if: $withHead) { ${BRANCH} }
  }
}`;

/** The publish branch alone (when the snapshot was opened without it, and after a 422 on the branch or the PR). */
export const BRANCH_QUERY = `query GitopsBranch($owner: String!, $name: String!, $head: String!) {
  repository(owner: $owner, name: $name) {
    head: ref(qualifiedName: $head) { ${BRANCH} }
  }
}`;

interface GqlCommit {
  oid: string;
  tree?: { oid: string };
  parents?: { totalCount: number; nodes: Array<{ oid: string }> };
}

interface GqlBranchRef {
  target: GqlCommit | null;
  associatedPullRequests?: {
    nodes: Array<{
      number: number;
      url: string;
      title: string;
      body: string | null;
      baseRefName: string;
      labels?: { nodes: Array<{ name: string }> } | null;
    } | null> | null;
  };
}

export interface SnapshotResult {
  repository: {
    url: string;
    viewerPermission: string | null;
    isEmpty: boolean;
    defaultBranchRef: { name: string; target: GqlCommit | null } | null;
    base?: { name: string; target: GqlCommit | null } | null;
    head?: GqlBranchRef | null;
  } | null;
}

interface BranchResult {
  repository: { head: GqlBranchRef | null } | null;
}

/** `viewerPermission` as push rights: undefined when GitHub does not say. */
export function canPushFrom(permission: string | null | undefined) {
  switch (permission) {
    case 'ADMIN':
    case 'MAINTAIN':
    case 'WRITE':
      return true;
    case 'TRIAGE':
    case 'READ':
      return false;
    default:
      return undefined;
  }
}

export function branchStateFrom(ref: GqlBranchRef | null | undefined) {
  const state: BranchState = { pulls: [] };
  if (!ref) return state;
  const target = ref.target;
  if (target?.tree && target.parents) {
    state.head = {
      sha: target.oid,
      treeSha: target.tree.oid,
      parents: target.parents.nodes.map(p => p.oid),
      parentCount: target.parents.totalCount,
    };
  } else if (target) {
    // Not a commit (cannot happen for a branch): never "holds this change", so it is reset.
    state.head = { sha: target.oid, treeSha: '', parents: [], parentCount: 0 };
  }
  for (const pr of ref.associatedPullRequests?.nodes ?? []) {
    if (!pr) continue;
    state.pulls.push({
      number: pr.number,
      url: pr.url,
      title: pr.title,
      body: pr.body ?? '',
      baseRef: pr.baseRefName,
      labels: (pr.labels?.nodes ?? []).map(l => l.name),
    });
  }
  return state;
}

export function qualifiedBranch(branch: string) {
  return `refs/heads/${branch}`;
}

/** The snapshot query (errors are the caller's to map). */
export async function querySnapshot(
  octokit: Octokit,
  vars: { owner: string; repo: string; base?: string; head?: string },
): Promise<SnapshotResult> {
  return octokit.graphql<SnapshotResult>(SNAPSHOT_QUERY, {
    owner: vars.owner,
    name: vars.repo,
    base: vars.base ? qualifiedBranch(vars.base) : '',
    withBase: vars.base !== undefined,
    head: vars.head ? qualifiedBranch(vars.head) : '',
    withHead: vars.head !== undefined,
  });
}

/** The publish branch's head and open pull requests, one request. */
export async function queryBranch(
  octokit: Octokit,
  owner: string,
  repo: string,
  branch: string,
): Promise<BranchState> {
  const result = await octokit.graphql<BranchResult>(BRANCH_QUERY, {
    owner,
    name: repo,
    head: qualifiedBranch(branch),
  });
  return branchStateFrom(result.repository?.head);
}
