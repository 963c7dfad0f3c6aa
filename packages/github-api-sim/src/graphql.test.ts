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
