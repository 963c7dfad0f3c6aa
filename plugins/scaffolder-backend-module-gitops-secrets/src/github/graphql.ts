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
  /** Message of the head commit (its trailers say which action wrote it). */
  message?: string;
  /** Author name of the head commit, for errors. */
  author?: string;
};

/** The commits on the publish branch that the target branch lacks (GitHub's `Ref.compare`). */
export type BranchCompare = {
  aheadBy: number;
  /** The first {@link COMPARE_COMMITS} of them, oldest first. */
  commits: Array<{ oid: string; message: string }>;
};

/** Commits read per comparison: a branch the action made has exactly one; more than this is never ours. */
export const COMPARE_COMMITS = 20;

/** A branch as one read saw it: its head (undefined when there is no such branch) and its open pull requests. */
export interface BranchState {
  head?: BranchHead;
  pulls: PullSummary[];
  /** The commits since the target branch, when the branch exists. */
  compare?: BranchCompare;
  /** The pattern of the branch protection rule covering the branch, if any. */
  protectedBy?: string;
}

const COMMIT = 'oid ... on Commit { tree { oid } }';

const BRANCH = `
  target { oid ... on Commit { message author { name } tree { oid } parents(first: 2) { totalCount nodes { oid } } } }
  branchProtectionRule { pattern }
  associatedPullRequests(states: [OPEN], first: 5) {
    nodes { number url title body baseRefName labels(first: 100) { nodes { name } } }
  }`;

// The publish branch's commits since the target branch, with their messages (the ownership trailers).
const compareField = (directive = '') =>
  `compare(headRef: $head) ${directive} { aheadBy commits(first: ${COMPARE_COMMITS}) { nodes { oid message } } }`;

/**
 * Repository, target branch (`$base`, or the default branch) and publish branch (`$head`) in one request; the
 * target branch compared with the publish branch (`$compareDefault`: the default branch is the target).
 */
export const SNAPSHOT_QUERY = `query GitopsSnapshot($owner: String!, $name: String!, $base: String!, $withBase: Boolean!, $head: String!, $withHead: Boolean!, $compareDefault: Boolean!) {
  repository(owner: $owner, name: $name) {
    url
    viewerPermission
    isEmpty
    defaultBranchRef { name target { ${COMMIT} } ${compareField(
  '@include(if: $compareDefault)',
)} }
    base: ref(qualifiedName: $base) @include(if: $withBase) { name target { ${COMMIT} } ${compareField(
  '@include(if: $withHead)',
)} }
    head: ref(qualifiedName: $head) @include(if: $withHead) { ${BRANCH} }
  }
}`;

/** The publish branch alone (when the snapshot was opened without it, and after a 422 on the branch or the PR). */
export const BRANCH_QUERY = `query GitopsBranch($owner: String!, $name: String!, $base: String!, $head: String!) {
  repository(owner: $owner, name: $name) {
    base: ref(qualifiedName: $base) { ${compareField()} }
    head: ref(qualifiedName: $head) { ${BRANCH} }
  }
}`;

interface GqlCommit {
  oid: string;
  message?: string;
  author?: { name?: string | null } | null;
  tree?: { oid: string };
  parents?: { totalCount: number; nodes: Array<{ oid: string }> };
}

interface GqlCompare {
  aheadBy: number;
  commits?: { nodes: Array<{ oid: string; message: string } | null> | null };
}

interface GqlBranchRef {
  target: GqlCommit | null;
  branchProtectionRule?: { pattern: string } | null;
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
    defaultBranchRef: {
      name: string;
      target: GqlCommit | null;
      compare?: GqlCompare | null;
    } | null;
    base?: {
      name: string;
      target: GqlCommit | null;
      compare?: GqlCompare | null;
    } | null;
    head?: GqlBranchRef | null;
  } | null;
}

interface BranchResult {
  repository: {
    base: { compare?: GqlCompare | null } | null;
    head: GqlBranchRef | null;
  } | null;
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

export function branchStateFrom(
  ref: GqlBranchRef | null | undefined,
  compare?: GqlCompare | null,
) {
  const state: BranchState = { pulls: [] };
  if (!ref) return state;
  const target = ref.target;
  if (ref.branchProtectionRule)
    state.protectedBy = ref.branchProtectionRule.pattern;
  if (compare) {
    state.compare = {
      aheadBy: compare.aheadBy,
      commits: (compare.commits?.nodes ?? []).flatMap(c =>
        c ? [{ oid: c.oid, message: c.message }] : [],
      ),
    };
  }
  if (target?.tree && target.parents) {
    state.head = {
      sha: target.oid,
      treeSha: target.tree.oid,
      parents: target.parents.nodes.map(p => p.oid),
      parentCount: target.parents.totalCount,
      message: target.message ?? '',
      author: target.author?.name ?? undefined,
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
    compareDefault: vars.head !== undefined && vars.base === undefined,
  });
}

/** The publish branch's head, protection, commits since `base` and open pull requests, one request. */
export async function queryBranch(
  octokit: Octokit,
  owner: string,
  repo: string,
  branch: string,
  base: string,
): Promise<BranchState> {
  const result = await octokit.graphql<BranchResult>(BRANCH_QUERY, {
    owner,
    name: repo,
    base: qualifiedBranch(base),
    head: qualifiedBranch(branch),
  });
  return branchStateFrom(
    result.repository?.head,
    result.repository?.base?.compare,
  );
}
