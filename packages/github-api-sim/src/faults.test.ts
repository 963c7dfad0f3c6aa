import { Octokit } from '@octokit/rest';
import { allowFetchTo, GithubApiSim, startGithubApiSim } from './index';

const owner = 'acme';

// Every request spawns git at least once; on a loaded two-core machine that adds up.
jest.setTimeout(60_000);

describe('github-api-sim access control and faults', () => {
  let sim: GithubApiSim;
  let restoreFetch: () => void;
  let admin: Octokit;
  let mainSha: string;

  const client = (auth?: string) =>
    new Octokit({
      baseUrl: sim.apiBaseUrl,
      auth,
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
  const api = (path: string, init: RequestInit = {}, token = sim.adminToken) =>
    fetch(`${sim.apiBaseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `token ${token}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });

  beforeAll(async () => {
    sim = await startGithubApiSim({
      tokens: {
        'reader-token': {
          login: 'reader',
          repos: ['acme/secret'],
          permission: 'read',
        },
        'writer-token': {
          login: 'writer',
          repos: ['acme/secret'],
          permission: 'write',
        },
      },
    });
    restoreFetch = allowFetchTo(sim.url);
    admin = client(sim.adminToken);
    mainSha = (
      await sim.createRepo('acme/secret', {
        private: true,
        files: { 'a.txt': 'a\n' },
      })
    ).headSha;
    await sim.createRepo('acme/open');
  });

  afterEach(() => sim.setFaults({}));

  afterAll(async () => {
    restoreFetch();
    await sim.stop();
  });

  it('rejects unknown tokens with 401 Bad credentials in GitHub’s shape', async () => {
    const response = await api('/repos/acme/open', {}, 'not-a-token');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    await expect(
      client('not-a-token').rest.users.getAuthenticated(),
    ).rejects.toMatchObject({ status: 401 });
  });

  it('hides private repositories from tokens without a grant and anonymous callers', async () => {
    sim.addToken('outsider-token', {
      login: 'outsider',
      repos: ['acme/open'],
      permission: 'admin',
    });
    for (const octokit of [client('outsider-token'), client()]) {
      await expect(
        octokit.rest.repos.get({ owner, repo: 'secret' }),
      ).rejects.toMatchObject({
        status: 404,
        response: { data: { message: 'Not Found', status: '404' } },
      });
    }
    // Public repositories stay readable by anyone.
    const { data } = await client().rest.repos.get({ owner, repo: 'open' });
    expect(data.permissions).toBeUndefined();
    expect(
      (await client('reader-token').rest.repos.get({ owner, repo: 'open' }))
        .data.full_name,
    ).toBe('acme/open');
  });

  it('lets a read grant read but answers its writes with 403, and anonymous writes with 401', async () => {
    const reader = client('reader-token');
    const { data } = await reader.rest.repos.get({ owner, repo: 'secret' });
    expect(data.permissions).toMatchObject({
      pull: true,
      push: false,
      admin: false,
    });
    expect(await sim.readFile('acme/secret', 'main', 'a.txt')).toBe('a\n');

    const write = await api(
      '/repos/acme/secret/git/refs',
      {
        method: 'POST',
        body: JSON.stringify({ ref: 'refs/heads/x', sha: mainSha }),
      },
      'reader-token',
    );
    expect(write.status).toBe(403);
    expect(write.headers.get('x-accepted-github-permissions')).toBe(
      'contents=write',
    );
    expect(await write.json()).toMatchObject({
      message: 'Resource not accessible by personal access token',
      status: '403',
    });
    // A grant covers only its repositories: public ones are read-only for it.
    await expect(
      reader.rest.git.createRef({
        owner,
        repo: 'open',
        ref: 'refs/heads/x',
        sha: mainSha,
      }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      client().rest.git.createRef({
        owner,
        repo: 'open',
        ref: 'refs/heads/x',
        sha: mainSha,
      }),
    ).rejects.toMatchObject({ status: 401 });

    const { data: ref } = await client('writer-token').rest.git.createRef({
      owner,
      repo: 'secret',
      ref: 'refs/heads/x',
      sha: mainSha,
    });
    expect(ref.object.sha).toBe(mainSha);
  });

  it('sends rate-limit headers on every response', async () => {
    const first = await api('/repos/acme/open');
    const second = await api('/repos/acme/nope');
    expect(second.status).toBe(404);
    for (const header of [
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-used',
      'x-ratelimit-reset',
      'x-ratelimit-resource',
    ]) {
      expect(first.headers.get(header)).toBeTruthy();
    }
    expect(first.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(Number(second.headers.get('x-ratelimit-used'))).toBe(
      Number(first.headers.get('x-ratelimit-used')) + 1,
    );
    expect(Number(second.headers.get('x-ratelimit-remaining'))).toBe(
      Number(first.headers.get('x-ratelimit-remaining')) - 1,
    );
  });

  it('injects secondary rate limits on writes only, the way GitHub words them', async () => {
    sim.setFaults({ secondaryRateLimit: { times: 2, retryAfterSeconds: 7 } });
    const body = JSON.stringify({ content: 'x', encoding: 'utf-8' });
    expect((await api('/repos/acme/open')).status).toBe(200);
    const limited = await api('/repos/acme/open/git/blobs', {
      method: 'POST',
      body,
    });
    expect(limited.status).toBe(403);
    expect(limited.headers.get('retry-after')).toBe('7');
    const payload = await limited.json();
    expect(payload.message).toMatch(
      /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again/,
    );
    expect(payload.documentation_url).toContain('secondary-rate-limits');
    expect(
      (await api('/repos/acme/open/git/blobs', { method: 'POST', body }))
        .status,
    ).toBe(403);
    expect(
      (await api('/repos/acme/open/git/blobs', { method: 'POST', body }))
        .status,
    ).toBe(201);
  });

  it('is recognised as a secondary rate limit by @octokit/plugin-throttling', async () => {
    let throttling: any;
    try {
      // Present through Backstage's `octokit` dependency but not declared here (package.json is not ours to edit).
      // eslint-disable-next-line @backstage/no-undeclared-imports
      throttling = require('@octokit/plugin-throttling');
    } catch {
      console.log('skipping: @octokit/plugin-throttling is not installed');
      return;
    }
    const seen: number[] = [];
    const Throttled = Octokit.plugin(throttling.throttling);
    const octokit = new Throttled({
      baseUrl: sim.apiBaseUrl,
      auth: sim.adminToken,
      throttle: {
        onRateLimit: () => false,
        onSecondaryRateLimit: (retryAfter: number) => {
          seen.push(retryAfter);
          return true;
        },
      },
    });
    sim.setFaults({ secondaryRateLimit: { times: 1, retryAfterSeconds: 1 } });
    sim.resetCounters();
    const { data } = await octokit.rest.git.createBlob({
      owner,
      repo: 'open',
      content: 'retried',
    });
    expect(data.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(seen).toEqual([1]);
    expect(
      sim.counters().byEndpoint['POST /repos/{owner}/{repo}/git/blobs'],
    ).toBe(2);
  });

  it('injects 5xx for the configured methods and latency', async () => {
    sim.setFaults({
      serverErrors: { times: 1, status: 503, methods: ['GET'] },
    });
    await expect(
      admin.rest.repos.get({ owner, repo: 'open' }),
    ).rejects.toMatchObject({
      status: 503,
      response: { data: { message: 'Service Unavailable', status: '503' } },
    });
    expect((await admin.rest.repos.get({ owner, repo: 'open' })).status).toBe(
      200,
    );

    sim.setFaults({ serverErrors: { times: 1 } });
    await expect(
      admin.rest.git.createBlob({ owner, repo: 'open', content: 'x' }),
    ).rejects.toMatchObject({ status: 502 });

    sim.setFaults({ latencyMs: 150 });
    const started = Date.now();
    await admin.rest.repos.get({ owner, repo: 'open' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('fails ref updates with 422 while a conflict is armed, leaving the ref alone', async () => {
    const { data: commit } = await admin.rest.git.createCommit({
      owner,
      repo: 'secret',
      message: 'next',
      tree: (
        await admin.rest.git.getCommit({
          owner,
          repo: 'secret',
          commit_sha: mainSha,
        })
      ).data.tree.sha,
      parents: [mainSha],
    });
    sim.setFaults({ refUpdateConflict: { times: 1 } });
    await expect(
      admin.rest.git.updateRef({
        owner,
        repo: 'secret',
        ref: 'heads/main',
        sha: commit.sha,
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Reference cannot be updated' } },
    });
    expect(
      (
        await admin.rest.git.getRef({
          owner,
          repo: 'secret',
          ref: 'heads/main',
        })
      ).data.object.sha,
    ).toBe(mainSha);
    await admin.rest.git.updateRef({
      owner,
      repo: 'secret',
      ref: 'heads/main',
      sha: commit.sha,
    });
    expect(await sim.readFile('acme/secret', commit.sha, 'a.txt')).toBe('a\n');
    mainSha = commit.sha;
  });

  it('refuses a second open PR for the same branch, and a PR without commits, like GitHub', async () => {
    const repo = 'prs';
    const { headSha } = await sim.createRepo(`${owner}/${repo}`);
    const { data: base } = await admin.rest.git.getCommit({
      owner,
      repo,
      commit_sha: headSha,
    });
    const { data: commit } = await admin.rest.git.createCommit({
      owner,
      repo,
      message: 'c',
      tree: base.tree.sha,
      parents: [headSha],
    });
    await admin.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/feature',
      sha: commit.sha,
    });
    await admin.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/empty',
      sha: headSha,
    });
    await admin.rest.pulls.create({
      owner,
      repo,
      title: 'one',
      head: 'feature',
      base: 'main',
    });

    const duplicate = await api(`/repos/acme/${repo}/pulls`, {
      method: 'POST',
      body: JSON.stringify({
        title: 'two',
        head: 'acme:feature',
        base: 'main',
      }),
    });
    expect(duplicate.status).toBe(422);
    expect(await duplicate.json()).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'A pull request already exists for acme:feature.',
        },
      ],
      documentation_url:
        'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
      status: '422',
    });
    await expect(
      admin.rest.pulls.create({
        owner,
        repo,
        title: 'none',
        head: 'empty',
        base: 'main',
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: { errors: [{ message: 'No commits between main and empty' }] },
      },
    });
    await expect(
      admin.rest.pulls.create({
        owner,
        repo,
        title: 'ghost',
        head: 'ghost',
        base: 'main',
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
        },
      },
    });
    expect(sim.listPulls(`${owner}/${repo}`)).toHaveLength(1);
  });

  it('counts requests per route template', async () => {
    sim.resetCounters();
    await admin.rest.repos.get({ owner, repo: 'open' });
    await admin.rest.git.getRef({ owner, repo: 'open', ref: 'heads/main' });
    await admin.rest.git.getRef({ owner, repo: 'open', ref: 'heads/main' });
    await admin.rest.git.createTree({
      owner,
      repo: 'open',
      tree: [{ path: 'x', mode: '100644', content: 'x' }],
    });
    await api('/repos/acme/open', {}, 'bad-token');
    expect(sim.counters()).toEqual({
      total: 5,
      byEndpoint: {
        'GET /repos/{owner}/{repo}': 2,
        'GET /repos/{owner}/{repo}/git/ref/{ref}': 2,
        'POST /repos/{owner}/{repo}/git/trees': 1,
      },
    });
    sim.resetCounters();
    expect(sim.counters()).toEqual({ total: 0, byEndpoint: {} });
  });
});
