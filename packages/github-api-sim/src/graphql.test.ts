import { Octokit } from '@octokit/rest';
import { parseGraphql } from './graphqlLang';
import { allowFetchTo, GithubApiSim, startGithubApiSim } from './index';

// The query octokit-plugin-create-pull-request sends to find a branch's open pull request.
const ASSOCIATED_PRS = `
  query ($owner: String!, $repo: String!, $head: String!) {
    repository(name: $repo, owner: $owner) {
      ref(qualifiedName: $head) {
        associatedPullRequests(first: 1, states: OPEN) {
          edges { node { id number url } }
        }
      }
    }
  }`;

// Every request spawns git at least once; on a loaded two-core machine that adds up.
jest.setTimeout(60_000);

describe('github-api-sim GraphQL', () => {
  let sim: GithubApiSim;
  let octokit: Octokit;
  let restoreFetch: () => void;

  beforeAll(async () => {
    sim = await startGithubApiSim();
    restoreFetch = allowFetchTo(sim.url);
    octokit = new Octokit({ baseUrl: sim.apiBaseUrl, auth: sim.adminToken });
    const { headSha } = await sim.createRepo('acme/gql');
    const { data: base } = await octokit.rest.git.getCommit({
      owner: 'acme',
      repo: 'gql',
      commit_sha: headSha,
    });
    for (const branch of ['with-pr', 'without-pr']) {
      const { data: commit } = await octokit.rest.git.createCommit({
        owner: 'acme',
        repo: 'gql',
        message: branch,
        tree: base.tree.sha,
        parents: [headSha],
      });
      await octokit.rest.git.createRef({
        owner: 'acme',
        repo: 'gql',
        ref: `refs/heads/${branch}`,
        sha: commit.sha,
      });
    }
    await octokit.rest.pulls.create({
      owner: 'acme',
      repo: 'gql',
      title: 'PR',
      head: 'with-pr',
      base: 'main',
    });
  });

  afterAll(async () => {
    restoreFetch();
    await sim.stop();
  });

  it('answers the associated-pull-request query at /api/graphql (where Octokit sends it for GitHub Enterprise)', async () => {
    sim.resetCounters();
    const withPr: any = await octokit.graphql(ASSOCIATED_PRS, {
      owner: 'acme',
      repo: 'gql',
      head: 'with-pr',
    });
    expect(withPr.repository.ref.associatedPullRequests.edges).toEqual([
      {
        node: {
          id: expect.any(String),
          number: 1,
          url: `${sim.url}/acme/gql/pull/1`,
        },
      },
    ]);
    const withoutPr: any = await octokit.graphql(ASSOCIATED_PRS, {
      owner: 'acme',
      repo: 'gql',
      head: 'without-pr',
    });
    expect(withoutPr.repository.ref.associatedPullRequests.edges).toEqual([]);
    const noBranch: any = await octokit.graphql(ASSOCIATED_PRS, {
      owner: 'acme',
      repo: 'gql',
      head: 'absent',
    });
    expect(noBranch.repository.ref).toBeNull();
    expect(sim.counters().byEndpoint).toEqual({ 'POST /graphql': 3 });
  });

  it('stops listing a pull request once it is closed, and reports unknown repositories as GitHub does', async () => {
    await octokit.rest.pulls.update({
      owner: 'acme',
      repo: 'gql',
      pull_number: 1,
      state: 'closed',
    });
    const closed: any = await octokit.graphql(ASSOCIATED_PRS, {
      owner: 'acme',
      repo: 'gql',
      head: 'with-pr',
    });
    expect(closed.repository.ref.associatedPullRequests.edges).toEqual([]);
    await octokit.rest.pulls.update({
      owner: 'acme',
      repo: 'gql',
      pull_number: 1,
      state: 'open',
    });

    await expect(
      octokit.graphql(ASSOCIATED_PRS, {
        owner: 'acme',
        repo: 'missing',
        head: 'x',
      }),
    ).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          type: 'NOT_FOUND',
          message:
            "Could not resolve to a Repository with the name 'acme/missing'.",
        }),
      ],
    });
    await expect(
      octokit.graphql('{ viewer { nosuchfield } }'),
    ).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          message: "Field 'nosuchfield' doesn't exist on type 'User'",
        }),
      ],
    });
    const viewer: any = await octokit.graphql(
      'query Who { me: viewer { login __typename } }',
    );
    expect(viewer).toEqual({ me: { login: 'sim-admin', __typename: 'User' } });
  });

  // The query the gitops actions send: repository, target branch and their own branch in one request.
  const SNAPSHOT = `
    query ($owner: String!, $name: String!, $base: String!, $head: String!, $withHead: Boolean!) {
      repository(owner: $owner, name: $name) {
        viewerPermission
        isEmpty
        defaultBranchRef { name target { oid ... on Commit { tree { oid } } } }
        base: ref(qualifiedName: $base) { target { oid ... on Commit { tree { oid } } } }
        head: ref(qualifiedName: $head) @include(if: $withHead) {
          target {
            oid
            ... on Commit { tree { oid } parents(first: 2) { totalCount nodes { oid } } }
          }
          associatedPullRequests(states: [OPEN], first: 5) {
            nodes { number title body baseRefName labels(first: 100) { nodes { name } } }
          }
        }
      }
    }`;

  async function restCommit(sha: string) {
    const { data } = await octokit.rest.git.getCommit({
      owner: 'acme',
      repo: 'gql',
      commit_sha: sha,
    });
    return data;
  }

  it('Commit: tree { oid } is the root tree, parents(first) the parent commits, as REST git/commits says', async () => {
    const { data: ref } = await octokit.rest.git.getRef({
      owner: 'acme',
      repo: 'gql',
      ref: 'heads/with-pr',
    });
    const commit = await restCommit(ref.object.sha);
    const base = await restCommit(commit.parents[0].sha);
    sim.resetCounters();
    const result: any = await octokit.graphql(SNAPSHOT, {
      owner: 'acme',
      name: 'gql',
      base: 'refs/heads/main',
      head: 'refs/heads/with-pr',
      withHead: true,
    });
    expect(result.repository.head.target).toEqual({
      oid: commit.sha,
      tree: { oid: commit.tree.sha },
      parents: { totalCount: 1, nodes: [{ oid: base.sha }] },
    });
    expect(result.repository.base.target).toEqual({
      oid: base.sha,
      tree: { oid: base.tree.sha },
    });
    expect(result.repository.defaultBranchRef).toEqual({
      name: 'main',
      target: { oid: base.sha, tree: { oid: base.tree.sha } },
    });
    expect(result.repository.isEmpty).toBe(false);
    expect(sim.counters().byEndpoint).toEqual({ 'POST /graphql': 1 });

    // The root commit has no parents; first/last page them like any connection.
    const root: any = await octokit.graphql(
      `query ($oid: String!) { repository(owner: "acme", name: "gql") {
        ref(qualifiedName: $oid) { target { ... on Commit { parents(first: 2) { totalCount nodes { oid } } } } }
      } }`,
      { oid: 'refs/heads/main' },
    );
    expect(root.repository.ref.target.parents).toEqual({
      totalCount: 0,
      nodes: [],
    });
  });

  it('Repository.viewerPermission follows the token grant (ADMIN, WRITE, READ; READ on a public repository without one)', async () => {
    sim.addToken('gql-writer', {
      login: 'writer',
      repos: ['acme/gql'],
      permission: 'write',
    });
    sim.addToken('gql-reader', {
      login: 'reader',
      repos: ['acme/gql'],
      permission: 'read',
    });
    sim.addToken('gql-other', {
      login: 'other',
      repos: ['acme/elsewhere'],
      permission: 'admin',
    });
    const permission = async (auth: string) => {
      const client = new Octokit({ baseUrl: sim.apiBaseUrl, auth });
      const result: any = await client.graphql(
        '{ repository(owner: "acme", name: "gql") { viewerPermission } }',
      );
      return result.repository.viewerPermission;
    };
    expect(await permission(sim.adminToken)).toBe('ADMIN');
    expect(await permission('gql-writer')).toBe('WRITE');
    expect(await permission('gql-reader')).toBe('READ');
    expect(await permission('gql-other')).toBe('READ');
    await sim.createRepo('acme/gql-private', { private: true });
    const hidden = new Octokit({ baseUrl: sim.apiBaseUrl, auth: 'gql-other' });
    await expect(
      hidden.graphql(
        '{ repository(owner: "acme", name: "gql-private") { viewerPermission } }',
      ),
    ).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'NOT_FOUND' })],
    });
  });

  it('associatedPullRequests(states: [OPEN]) lists only open pull requests, with body, base and labels', async () => {
    await octokit.rest.issues.addLabels({
      owner: 'acme',
      repo: 'gql',
      issue_number: 1,
      labels: ['gitops'],
    });
    const ask = async () =>
      (
        (await octokit.graphql(SNAPSHOT, {
          owner: 'acme',
          name: 'gql',
          base: 'refs/heads/main',
          head: 'refs/heads/with-pr',
          withHead: true,
        })) as any
      ).repository.head.associatedPullRequests.nodes;
    expect(await ask()).toEqual([
      {
        number: 1,
        title: 'PR',
        body: '',
        baseRefName: 'main',
        labels: { nodes: [{ name: 'gitops' }] },
      },
    ]);
    await octokit.rest.pulls.update({
      owner: 'acme',
      repo: 'gql',
      pull_number: 1,
      state: 'closed',
    });
    try {
      expect(await ask()).toEqual([]);
      const all: any = await octokit.graphql(
        `{ repository(owner: "acme", name: "gql") { ref(qualifiedName: "with-pr") {
          open: associatedPullRequests(states: [OPEN]) { totalCount }
          closed: associatedPullRequests(states: [CLOSED, MERGED]) { nodes { number } }
          any: associatedPullRequests { totalCount }
        } } }`,
      );
      expect(all.repository.ref).toEqual({
        open: { totalCount: 0 },
        closed: { nodes: [{ number: 1 }] },
        any: { totalCount: 1 },
      });
    } finally {
      await octokit.rest.pulls.update({
        owner: 'acme',
        repo: 'gql',
        pull_number: 1,
        state: 'open',
      });
    }
  });

  it('@include(if:) and @skip(if:) leave fields and inline fragments out, as GraphQL says', async () => {
    const without: any = await octokit.graphql(SNAPSHOT, {
      owner: 'acme',
      name: 'gql',
      base: 'refs/heads/main',
      head: 'refs/heads/with-pr',
      withHead: false,
    });
    expect(Object.keys(without.repository).sort()).toEqual([
      'base',
      'defaultBranchRef',
      'isEmpty',
      'viewerPermission',
    ]);
    const skipped: any = await octokit.graphql(
      `query ($skip: Boolean!) { repository(owner: "acme", name: "gql") {
        name @skip(if: $skip)
        url @include(if: true) @skip(if: $skip)
        ... on Repository @include(if: false) { isPrivate }
        nameWithOwner @include(if: true)
      } }`,
      { skip: true },
    );
    expect(skipped).toEqual({ repository: { nameWithOwner: 'acme/gql' } });
    await expect(
      octokit.graphql('{ viewer { login @include } }'),
    ).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          message: "Directive 'include' is missing required arguments: if",
        }),
      ],
    });
  });

  it('Ref.compare(headRef:): the commits on the head the base lacks (oldest first, with message and author); null for no such head', async () => {
    const data: any = await octokit.graphql(
      `query ($owner: String!, $name: String!) {
        repository(owner: $owner, name: $name) {
          defaultBranchRef {
            ahead: compare(headRef: "refs/heads/with-pr") {
              aheadBy behindBy status
              commits(first: 10) { totalCount nodes { oid message author { name email } } }
            }
            same: compare(headRef: "main") { aheadBy behindBy status }
            none: compare(headRef: "refs/heads/no-such-branch") { aheadBy }
          }
        }
      }`,
      { owner: 'acme', name: 'gql' },
    );
    const ref = data.repository.defaultBranchRef;
    const { data: branch } = await octokit.rest.git.getRef({
      owner: 'acme',
      repo: 'gql',
      ref: 'heads/with-pr',
    });
    expect(ref.ahead).toMatchObject({
      aheadBy: 1,
      behindBy: 0,
      status: 'AHEAD',
      commits: {
        totalCount: 1,
        nodes: [
          {
            oid: branch.object.sha,
            message: 'with-pr',
            author: { name: expect.any(String), email: expect.any(String) },
          },
        ],
      },
    });
    expect(ref.same).toEqual({ aheadBy: 0, behindBy: 0, status: 'IDENTICAL' });
    expect(ref.none).toBeNull();
  });

  it('branch protection: branchProtectionRule on the Ref, REST `protected`, and no force push or deletion', async () => {
    const ruleOf = async (qualifiedName: string) =>
      (
        (await octokit.graphql(
          `query ($q: String!) { repository(owner: "acme", name: "gql") { ref(qualifiedName: $q) { branchProtectionRule { pattern } } } }`,
          { q: qualifiedName },
        )) as any
      ).repository.ref.branchProtectionRule;
    expect(await ruleOf('refs/heads/without-pr')).toBeNull();
    await sim.protectBranch('acme/gql', 'without-*');
    expect(await ruleOf('refs/heads/without-pr')).toEqual({
      pattern: 'without-*',
    });
    const { data: rest } = await octokit.rest.repos.getBranch({
      owner: 'acme',
      repo: 'gql',
      branch: 'without-pr',
    });
    expect(rest.protected).toBe(true);
    const before = await sim.listRefs('acme/gql');
    const { data: main } = await octokit.rest.git.getRef({
      owner: 'acme',
      repo: 'gql',
      ref: 'heads/main',
    });
    await expect(
      octokit.rest.git.updateRef({
        owner: 'acme',
        repo: 'gql',
        ref: 'heads/without-pr',
        sha: main.object.sha,
        force: true,
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(/Cannot force-push to this branch/),
    });
    await expect(
      octokit.rest.git.deleteRef({
        owner: 'acme',
        repo: 'gql',
        ref: 'heads/without-pr',
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(await sim.listRefs('acme/gql')).toEqual(before);
    expect(before['refs/heads/without-pr']).toMatch(/^[0-9a-f]{40}$/);
  });

  it('an empty repository: isEmpty, no defaultBranchRef', async () => {
    await sim.createRepo('acme/gql-empty', { files: {} });
    const result: any = await octokit.graphql(
      '{ repository(owner: "acme", name: "gql-empty") { isEmpty defaultBranchRef { name } } }',
    );
    expect(result).toEqual({
      repository: { isEmpty: true, defaultBranchRef: null },
    });
  });

  it('parses aliases, literals, lists, inline fragments and variable defaults', () => {
    const op = parseGraphql(`query Q($n: Int = 3, $s: [PullRequestState!]) {
      r: repository(owner: "o", name: "n") { ... on Repository { pullRequests(first: $n, states: [OPEN, MERGED]) { totalCount } } }
    }`);
    expect(op.variableDefaults).toEqual({ n: 3 });
    expect(op.selections[0]).toMatchObject({
      kind: 'field',
      alias: 'r',
      name: 'repository',
      args: {
        owner: { kind: 'literal', value: 'o' },
        name: { kind: 'literal', value: 'n' },
      },
      selections: [{ kind: 'inline', typeCondition: 'Repository' }],
    });
    expect(() => parseGraphql('{ a ')).toThrow(/unexpected end/);
    expect(() => parseGraphql('fragment F on X { a }')).toThrow(
      /Named fragments/,
    );
  });
});
