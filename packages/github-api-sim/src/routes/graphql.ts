/*
 * `POST /api/graphql`: a read-only slice of GitHub's schema — repository (with the viewer's permission), refs, their
 * target commits (tree, parents) and associated pull requests, pull requests, blobs by `object(oid:)`, viewer. octokit-plugin-create-pull-request
 * (used by `publish:github:pull-request`) asks for a branch's open pull request this way; the gitops actions read the
 * repository, the target branch and their own branch in one query.
 */
import { ApiError } from '../errors';
import { execute, GqlError, GqlObject, parseGraphql } from '../graphqlLang';
import type { HandlerContext, Route } from '../router';
import { nodeId, Permission, RepoHandle, SimState } from '../state';
import type { PullRequest } from '../types';
import { refreshPull } from './pulls';

type PrState = 'OPEN' | 'CLOSED' | 'MERGED';

function prState(pr: PullRequest): PrState {
  if (pr.mergedAt) return 'MERGED';
  return pr.state === 'open' ? 'OPEN' : 'CLOSED';
}

function asList(value: unknown): unknown[] | undefined {
  if (value === null || value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

function connection<T>(
  items: T[],
  toNode: (item: T) => GqlObject,
  typename: string,
  args: Record<string, any>,
) {
  const selected =
    typeof args.last === 'number'
      ? items.slice(-args.last)
      : items.slice(
          0,
          typeof args.first === 'number' ? args.first : items.length,
        );
  const nodes = selected.map(toNode);
  return {
    __typename: `${typename}Connection`,
    totalCount: items.length,
    nodes,
    edges: nodes.map((node, i) => ({
      __typename: `${typename}Edge`,
      cursor: Buffer.from(`cursor:${i}`).toString('base64'),
      node,
    })),
    pageInfo: {
      __typename: 'PageInfo',
      hasNextPage:
        selected.length < items.length && typeof args.last !== 'number',
      hasPreviousPage:
        typeof args.last === 'number' && selected.length < items.length,
      startCursor: nodes.length
        ? Buffer.from('cursor:0').toString('base64')
        : null,
      endCursor: nodes.length
        ? Buffer.from(`cursor:${nodes.length - 1}`).toString('base64')
        : null,
    },
  };
}

function userObject(sim: SimState, login: string): GqlObject {
  return {
    __typename: 'User',
    login,
    id: nodeId('U', login),
    url: `${sim.url}/${login}`,
  };
}

function pullObject(
  sim: SimState,
  repo: RepoHandle,
  pr: PullRequest,
): GqlObject {
  return {
    __typename: 'PullRequest',
    id: nodeId('PR', `${repo.fullName}:${pr.number}`),
    number: pr.number,
    url: `${sim.url}/${repo.fullName}/pull/${pr.number}`,
    title: pr.title,
    body: pr.body ?? '',
    state: prState(pr),
    isDraft: pr.draft,
    merged: pr.mergedAt !== null,
    closed: pr.state === 'closed',
    headRefName: pr.head.ref,
    headRefOid: pr.head.sha,
    baseRefName: pr.base.ref,
    baseRefOid: pr.base.sha,
    createdAt: pr.createdAt,
    updatedAt: pr.updatedAt,
    author: userObject(sim, pr.user),
    labels: (args: Record<string, any>) =>
      connection(
        pr.labels,
        name => ({
          __typename: 'Label',
          id: nodeId('LA', `${repo.fullName}:${name}`),
          name,
          color: repo.meta.labels[name]?.color ?? 'ededed',
          description: repo.meta.labels[name]?.description ?? null,
        }),
        'Label',
        args,
      ),
  };
}

async function pullsMatching(
  repo: RepoHandle,
  filter: (pr: PullRequest) => boolean,
  args: Record<string, any>,
) {
  const states = asList(args.states) as PrState[] | undefined;
  const fresh = await Promise.all(
    repo.meta.pulls.map(pr => refreshPull(repo, pr)),
  );
  return fresh.filter(
    pr => filter(pr) && (!states || states.includes(prState(pr))),
  );
}

/**
 * A `Commit` (the target of a branch, or a parent): `oid`, its root `tree { oid }` and `parents(first|last)`, read
 * from git only when asked for.
 */
function commitObject(sim: SimState, repo: RepoHandle, sha: string): GqlObject {
  let info: ReturnType<typeof repo.git.readCommit> | undefined;
  const read = async () => {
    info ??= repo.git.readCommit(sha);
    const commit = await info;
    if (!commit) throw new Error(`${sha} is not a commit in ${repo.fullName}`);
    return commit;
  };
  return {
    __typename: 'Commit',
    id: nodeId('C', `${repo.fullName}:${sha}`),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    url: `${sim.url}/${repo.fullName}/commit/${sha}`,
    message: async () => (await read()).message,
    messageHeadline: async () => (await read()).message.split('\n')[0],
    author: async () => gitActor((await read()).author),
    committer: async () => gitActor((await read()).committer),
    tree: async () => {
      const tree = (await read()).tree;
      return {
        __typename: 'Tree',
        id: nodeId('T', `${repo.fullName}:${tree}`),
        oid: tree,
      };
    },
    parents: async (args: Record<string, any>) =>
      connection(
        (await read()).parents,
        parent => commitObject(sim, repo, parent),
        'Commit',
        args,
      ),
  };
}

/** A `GitActor` (commit author or committer); `user` is not resolved (null, as for an email GitHub does not know). */
function gitActor(person: { name: string; email: string; date: string }) {
  return {
    __typename: 'GitActor',
    name: person.name,
    email: person.email,
    date: person.date,
    user: null,
  };
}

/**
 * GitHub's `Ref.compare(headRef:)`: this ref as the base, `headRef` (a branch name or a full ref) as the head;
 * `commits` are those on the head that the base lacks, oldest first. Null when the head does not exist.
 */
async function comparisonObject(
  sim: SimState,
  repo: RepoHandle,
  baseSha: string,
  headRef: string,
): Promise<GqlObject | null> {
  const head = await findRef(repo, headRef);
  if (!head) return null;
  const [ahead, behind] = await Promise.all([
    repo.git.revList(head.sha, { exclude: baseSha }),
    repo.git.revList(baseSha, { exclude: head.sha }),
  ]);
  let status = 'IDENTICAL';
  if (ahead.length && behind.length) status = 'DIVERGED';
  else if (ahead.length) status = 'AHEAD';
  else if (behind.length) status = 'BEHIND';
  return {
    __typename: 'Comparison',
    id: nodeId('CMP', `${repo.fullName}:${baseSha}...${head.sha}`),
    aheadBy: ahead.length,
    behindBy: behind.length,
    status,
    baseTarget: commitObject(sim, repo, baseSha),
    headTarget: commitObject(sim, repo, head.sha),
    commits: (args: Record<string, any>) =>
      connection(
        [...ahead].reverse(),
        sha => commitObject(sim, repo, sha),
        'Commit',
        args,
      ),
  };
}

/** GitHub's `Repository.viewerPermission` for the simulator's grants (it has no MAINTAIN or TRIAGE grants). */
const VIEWER_PERMISSION: Record<Permission, string> = {
  read: 'READ',
  write: 'WRITE',
  admin: 'ADMIN',
};

function refObject(
  sim: SimState,
  repo: RepoHandle,
  fullRef: string,
  sha: string,
): GqlObject {
  const prefix = fullRef.replace(/[^/]+$/, '');
  const name = fullRef.slice(prefix.length);
  const branch = fullRef.startsWith('refs/heads/')
    ? fullRef.slice('refs/heads/'.length)
    : undefined;
  return {
    __typename: 'Ref',
    id: nodeId('REF', `${repo.fullName}:${fullRef}`),
    name: branch ?? name,
    prefix: branch ? 'refs/heads/' : prefix,
    target: commitObject(sim, repo, sha),
    branchProtectionRule: () => {
      const pattern = branch ? repo.protectionRuleFor(branch) : undefined;
      return pattern === undefined
        ? null
        : {
            __typename: 'BranchProtectionRule',
            id: nodeId('BPR', `${repo.fullName}:${pattern}`),
            pattern,
            allowsForcePushes: false,
            allowsDeletions: false,
          };
    },
    compare: (args: Record<string, any>) =>
      comparisonObject(sim, repo, sha, String(args.headRef ?? '')),
    associatedPullRequests: async (args: Record<string, any>) =>
      connection(
        branch
          ? await pullsMatching(repo, pr => pr.head.ref === branch, args)
          : [],
        pr => pullObject(sim, repo, pr),
        'PullRequest',
        args,
      ),
  };
}

/** GitHub's `ref(qualifiedName:)`: a full ref first, then a short branch or tag name. */
async function findRef(repo: RepoHandle, qualifiedName: string) {
  const candidates = qualifiedName.startsWith('refs/')
    ? [qualifiedName]
    : [`refs/heads/${qualifiedName}`, `refs/tags/${qualifiedName}`];
  for (const ref of candidates) {
    const sha = await repo.git.readRef(ref);
    if (sha) return { ref, sha };
  }
  return undefined;
}

function repositoryObject(ctx: HandlerContext, repo: RepoHandle): GqlObject {
  const sim = ctx.sim;
  return {
    __typename: 'Repository',
    id: nodeId('R', repo.fullName),
    name: repo.name,
    nameWithOwner: repo.fullName,
    url: `${sim.url}/${repo.fullName}`,
    isPrivate: repo.meta.private,
    isEmpty: async () => !(await repo.git.hasBranches()),
    owner: { __typename: 'Organization', login: repo.owner },
    viewerPermission: () => {
      const permission = sim.permissionOn(ctx.identity, repo);
      return permission ? VIEWER_PERMISSION[permission] : null;
    },
    defaultBranchRef: async () => {
      const branch = await repo.git.defaultBranch();
      const sha = await repo.git.readRef(`refs/heads/${branch}`);
      return sha ? refObject(sim, repo, `refs/heads/${branch}`, sha) : null;
    },
    ref: async (args: Record<string, any>) => {
      const found = await findRef(repo, String(args.qualifiedName ?? ''));
      return found ? refObject(sim, repo, found.ref, found.sha) : null;
    },
    // `object(oid:)` for blobs: the gitops actions read many files in one query, one alias per blob.
    object: async (args: Record<string, any>) => {
      const oid = String(args.oid ?? '');
      const content = await repo.git.readBlob(oid);
      if (!content) return null;
      const isBinary = content.includes(0);
      return {
        __typename: 'Blob',
        id: nodeId('B', `${repo.fullName}:${oid}`),
        oid,
        byteSize: content.length,
        isBinary,
        // GitHub truncates `text` of large blobs (isTruncated); the simulator never does.
        isTruncated: false,
        text: isBinary ? null : content.toString('utf8'),
      };
    },
    pullRequest: async (args: Record<string, any>) => {
      const pr = repo.meta.pulls.find(p => p.number === Number(args.number));
      if (!pr) {
        throw new GqlError(
          `Could not resolve to a PullRequest with the number of ${args.number}.`,
          { type: 'NOT_FOUND' },
        );
      }
      return pullObject(sim, repo, await refreshPull(repo, pr));
    },
    pullRequests: async (args: Record<string, any>) =>
      connection(
        await pullsMatching(
          repo,
          pr =>
            (!args.headRefName || pr.head.ref === args.headRefName) &&
            (!args.baseRefName || pr.base.ref === args.baseRefName),
          args,
        ),
        pr => pullObject(sim, repo, pr),
        'PullRequest',
        args,
      ),
  };
}

export const graphqlRoutes: Route[] = [
  {
    method: 'POST',
    template: '/graphql',
    async handler(ctx) {
      if (!ctx.identity.grant) {
        throw new ApiError(
          401,
          'This endpoint requires you to be authenticated.',
          {
            documentationUrl:
              'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
          },
        );
      }
      const body = ctx.body ?? {};
      if (typeof body.query !== 'string') {
        return {
          body: {
            errors: [
              {
                message:
                  'A query attribute must be specified and must be a string.',
              },
            ],
          },
        };
      }
      let operation;
      try {
        operation = parseGraphql(body.query);
      } catch (error) {
        if (error instanceof GqlError)
          return { body: { errors: [{ message: error.message }] } };
        throw error;
      }
      if (operation.type === 'mutation') {
        return {
          body: {
            errors: [
              {
                message:
                  'Mutations are not supported by the GitHub API simulator',
              },
            ],
          },
        };
      }
      const grant = ctx.identity.grant;
      const root: GqlObject = {
        __typename: 'Query',
        viewer: {
          __typename: 'User',
          login: grant.login,
          id: nodeId('U', grant.login),
          url: `${ctx.sim.url}/${grant.login}`,
        },
        repository: async (args: Record<string, any>) => {
          const owner = String(args.owner ?? '');
          const name = String(args.name ?? '');
          const repo = await ctx.sim.findRepo(owner, name);
          if (!repo || !ctx.sim.permissionOn(ctx.identity, repo)) {
            throw new GqlError(
              `Could not resolve to a Repository with the name '${owner}/${name}'.`,
              { type: 'NOT_FOUND' },
            );
          }
          return repositoryObject(ctx, repo);
        },
      };
      const variables =
        body.variables && typeof body.variables === 'object'
          ? body.variables
          : {};
      return { body: await execute(operation, root, variables) };
    },
  },
];
