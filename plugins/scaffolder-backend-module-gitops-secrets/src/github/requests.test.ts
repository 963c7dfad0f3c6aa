/*
 * How many GitHub requests a pull request costs, route by route, counted by the
 * simulator (benchmark P3: ≤ 7 for a first run). Each test pins the exact
 * requests of one case, so an extra read or write fails it.
 */
import { Octokit } from '@octokit/rest';
import {
  Harness,
  mockContext,
  RERUN_WRITES,
  startHarness,
} from './__testUtils__/harness';
import { openGitopsRepo } from './repo';
import { publishPullRequest, PublishRequest } from './publish';

jest.setTimeout(60_000);

const GET_REPO = 'GET /repos/{owner}/{repo}';
const GET_REF = 'GET /repos/{owner}/{repo}/git/ref/{ref}';
const GET_TREE = 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}';
const GET_BLOB = 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}';
const GET_COMMIT = 'GET /repos/{owner}/{repo}/git/commits/{commit_sha}';
const LIST_PULLS = 'GET /repos/{owner}/{repo}/pulls';
const POST_TREE = 'POST /repos/{owner}/{repo}/git/trees';
const POST_COMMIT = 'POST /repos/{owner}/{repo}/git/commits';
const POST_REF = 'POST /repos/{owner}/{repo}/git/refs';
const PATCH_REF = 'PATCH /repos/{owner}/{repo}/git/refs/{ref}';
const DELETE_REF = 'DELETE /repos/{owner}/{repo}/git/refs/{ref}';
const POST_PULL = 'POST /repos/{owner}/{repo}/pulls';
const PATCH_PULL = 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}';

/** A fleet repository: 20 files under clusters/ plus a README. */
function seed(): Record<string, string> {
  const files: Record<string, string> = { 'README.md': '# fleet\n' };
  for (let i = 0; i < 20; i++) {
    files[`clusters/c${i % 4}/apps/app-${i}.yaml`] = `index: ${i}\n`;
  }
  return files;
}

/** 30 new files, as an "add app secrets" change writes them. */
function thirtyFiles(tag = 'v1') {
  return Array.from({ length: 30 }, (_, i) => ({
    path: `clusters/c0/apps/payments/secrets/secret-${i}.yaml`,
    content: `name: secret-${i}\ntag: ${tag}\n`,
  }));
}

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    branchName: 'gitops/payments-secrets',
    title: 'Add payments secrets',
    description: 'Body',
    commitMessage: 'Add payments secrets',
    files: thirtyFiles(),
    ...overrides,
  };
}

describe('GitHub requests per pull request', () => {
  let h: Harness;
  let counter = 0;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(() => h.sim.setFaults({}));

  async function setup(files: Record<string, string> = seed()) {
    counter += 1;
    const fullName = `acme/requests${counter}`;
    const { headSha } = await h.sim.createRepo(fullName, { files });
    const { octokit, owner, repo } = await h.octokitFactory({
      repoUrl: h.repoUrl(fullName),
    });
    h.sim.resetCounters();
    return { fullName, headSha, octokit, owner, repo };
  }

  async function publish(
    octokit: Octokit,
    fullName: string,
    req: PublishRequest,
    targetBranch?: string,
  ) {
    const [owner, repo] = fullName.split('/');
    const r = await openGitopsRepo(octokit, { owner, repo, targetBranch });
    const { ctx, logs } = mockContext({});
    const result = await publishPullRequest(ctx, octokit, r, req);
    return { result, logs, repo: r };
  }

  /** The simulator's request counts since the last reset, then reset. */
  function takeRequests() {
    const { total, byEndpoint } = h.sim.counters();
    h.sim.resetCounters();
    return { total, byEndpoint };
  }

  async function branchHead(octokit: Octokit, fullName: string) {
    const [owner, repo] = fullName.split('/');
    const { data } = await octokit.rest.git.getRef({
      owner,
      repo,
      ref: 'heads/gitops/payments-secrets',
    });
    return data.object.sha;
  }

  it('first run, 30 new files: 7 requests (repo, base ref, tree of the base commit; tree, commit, ref, PR)', async () => {
    const { fullName, headSha, octokit, owner, repo } = await setup();
    const { result, repo: opened } = await publish(
      octokit,
      fullName,
      request(),
    );
    expect(takeRequests()).toEqual({
      total: 7,
      byEndpoint: {
        [GET_REPO]: 1,
        [GET_REF]: 1,
        [GET_TREE]: 1,
        [POST_TREE]: 1,
        [POST_COMMIT]: 1,
        [POST_REF]: 1,
        [POST_PULL]: 1,
      },
    });
    expect(result).toMatchObject({
      outcome: 'created',
      pullRequestNumber: 1,
      commitSha: await branchHead(octokit, fullName),
    });
    expect(result.changedFiles).toHaveLength(30);
    // The tree SHA came from GET git/trees/{commit}: it is the base commit's tree.
    const { data: base } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: headSha,
    });
    expect(opened.baseSha).toBe(headSha);
    expect(opened.baseTreeSha).toBe(base.tree.sha);
    expect(opened.defaultBranch).toBe('main');
    const { data: commit } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: result.commitSha!,
    });
    expect(commit.parents.map(p => p.sha)).toEqual([headSha]);
    expect(h.sim.listPulls(fullName)).toMatchObject([
      { number: 1, state: 'open', head: { ref: 'gitops/payments-secrets' } },
    ]);
    expect(
      await h.sim.readFile(
        fullName,
        'gitops/payments-secrets',
        'clusters/c0/apps/payments/secrets/secret-29.yaml',
      ),
    ).toBe('name: secret-29\ntag: v1\n');
  });

  it('first run with targetBranch: 6 requests, the repository itself is not read', async () => {
    const { fullName, octokit } = await setup();
    const { result, repo } = await publish(
      octokit,
      fullName,
      request(),
      'main',
    );
    expect(result.outcome).toBe('created');
    expect(repo.defaultBranch).toBeUndefined();
    expect(repo.canPush).toBeUndefined();
    expect(takeRequests()).toEqual({
      total: 6,
      byEndpoint: {
        [GET_REF]: 1,
        [GET_TREE]: 1,
        [POST_TREE]: 1,
        [POST_COMMIT]: 1,
        [POST_REF]: 1,
        [POST_PULL]: 1,
      },
    });
  });

  it('files that exist on the base cost one blob read each (distinct contents); labels and reviewers one write each', async () => {
    const files = seed();
    const { fullName, octokit } = await setup(files);
    const { result } = await publish(
      octokit,
      fullName,
      request({
        files: [
          { path: 'clusters/c0/apps/app-0.yaml', content: 'index: 0\n' },
          {
            path: 'clusters/c1/apps/app-1.yaml',
            content: 'index: 1\nreplicas: 2\n',
            update: true,
          },
          { path: 'clusters/c2/apps/new.yaml', content: 'new: true\n' },
        ],
        labels: ['gitops'],
        reviewers: ['octocat'],
      }),
    );
    expect(result).toMatchObject({
      outcome: 'created',
      changedFiles: [
        'clusters/c1/apps/app-1.yaml',
        'clusters/c2/apps/new.yaml',
      ],
    });
    expect(takeRequests().byEndpoint).toEqual({
      [GET_REPO]: 1,
      [GET_REF]: 1,
      [GET_TREE]: 1,
      [GET_BLOB]: 2,
      [POST_TREE]: 1,
      [POST_COMMIT]: 1,
      [POST_REF]: 1,
      [POST_PULL]: 1,
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': 1,
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers': 1,
    });
  });

  it('re-run with the same inputs: the branch is left at its commit and the open PR returned (9 requests)', async () => {
    const { fullName, octokit } = await setup();
    const first = await publish(octokit, fullName, request());
    const head = await branchHead(octokit, fullName);
    takeRequests();

    const second = await publish(octokit, fullName, request());
    expect(second.result).toMatchObject({
      outcome: 'unchanged',
      pullRequestNumber: first.result.pullRequestNumber,
      commitSha: head,
    });
    expect(h.writes()).toEqual(RERUN_WRITES);
    expect(takeRequests()).toEqual({
      total: 9,
      byEndpoint: {
        [GET_REPO]: 1,
        [GET_REF]: 2, // the base, then the branch after 422 "Reference already exists"
        [GET_TREE]: 1,
        [POST_TREE]: 1,
        [POST_COMMIT]: 1,
        [POST_REF]: 1, // answered 422
        [GET_COMMIT]: 1, // the branch head: same tree, same parent → left as it is
        [LIST_PULLS]: 1,
      },
    });
    expect(await branchHead(octokit, fullName)).toBe(head);
    expect(h.sim.listPulls(fullName)).toHaveLength(1);
    expect(second.logs.join('\n')).toMatch(
      /Branch gitops\/payments-secrets already holds this change \(commit [0-9a-f]{7}\); left as it is/,
    );
  });

  it('re-run with other content and title: the branch is force-reset onto the base and the same PR updated', async () => {
    const { fullName, headSha, octokit, owner, repo } = await setup();
    const first = await publish(octokit, fullName, request());
    takeRequests();

    const second = await publish(
      octokit,
      fullName,
      request({ title: 'Add payments secrets (v2)', files: thirtyFiles('v2') }),
    );
    expect(second.result).toMatchObject({
      outcome: 'updated',
      pullRequestNumber: first.result.pullRequestNumber,
    });
    expect(second.result.commitSha).not.toBe(first.result.commitSha);
    expect(takeRequests()).toEqual({
      total: 11,
      byEndpoint: {
        [GET_REPO]: 1,
        [GET_REF]: 2,
        [GET_TREE]: 1,
        [POST_TREE]: 1,
        [POST_COMMIT]: 1,
        [POST_REF]: 1, // 422
        [GET_COMMIT]: 1,
        [PATCH_REF]: 1, // force
        [LIST_PULLS]: 1,
        [PATCH_PULL]: 1, // the new title
      },
    });
    expect(await branchHead(octokit, fullName)).toBe(second.result.commitSha);
    const { data: commit } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: second.result.commitSha!,
    });
    expect(commit.parents.map(p => p.sha)).toEqual([headSha]);
    expect(h.sim.listPulls(fullName)).toMatchObject([
      { number: 1, title: 'Add payments secrets (v2)' },
    ]);
  });

  it('a branch left without a PR (an earlier run that could not open it) gets its PR', async () => {
    const { fullName, octokit, owner, repo } = await setup();
    const first = await publish(octokit, fullName, request());
    await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: first.result.pullRequestNumber!,
      state: 'closed',
    });
    takeRequests();
    const second = await publish(octokit, fullName, request());
    expect(second.result).toMatchObject({
      outcome: 'created',
      pullRequestNumber: 2,
      commitSha: first.result.commitSha,
    });
    const { byEndpoint } = takeRequests();
    expect(byEndpoint[LIST_PULLS]).toBe(1);
    expect(byEndpoint[POST_PULL]).toBe(1);
    expect(byEndpoint[PATCH_REF]).toBeUndefined();
  });

  it('everything already on the base: nothing-to-change with reads only (3 + one blob per distinct file)', async () => {
    const { fullName, octokit } = await setup();
    const { result } = await publish(
      octokit,
      fullName,
      request({
        files: [
          { path: 'clusters/c0/apps/app-0.yaml', content: 'index: 0\n' },
          { path: 'clusters/c1/apps/app-1.yaml', content: 'index: 1\n' },
        ],
      }),
    );
    expect(result).toEqual({
      outcome: 'nothing-to-change',
      branchName: 'gitops/payments-secrets',
      changedFiles: [],
    });
    expect(takeRequests()).toEqual({
      total: 5,
      byEndpoint: {
        [GET_REPO]: 1,
        [GET_REF]: 1,
        [GET_TREE]: 1,
        [GET_BLOB]: 2,
      },
    });
    expect(h.sim.listPulls(fullName)).toEqual([]);
  });

  it('a file with other content: refused after reads only; overwrite: true replaces it', async () => {
    const { fullName, octokit } = await setup();
    const req = request({
      files: [
        { path: 'clusters/c0/apps/app-0.yaml', content: 'index: 99\n' },
        ...thirtyFiles(),
      ],
    });
    await expect(publish(octokit, fullName, req)).rejects.toThrow(
      /File clusters\/c0\/apps\/app-0\.yaml already exists on main of acme\/requests\d+ with other content; set overwrite: true/,
    );
    expect(takeRequests().byEndpoint).toEqual({
      [GET_REPO]: 1,
      [GET_REF]: 1,
      [GET_TREE]: 1,
      [GET_BLOB]: 1,
    });
    const { result } = await publish(octokit, fullName, {
      ...req,
      overwrite: true,
    });
    expect(result.outcome).toBe('created');
    expect(result.changedFiles).toHaveLength(31);
  });

  it('a retried create of the branch that had succeeded: the PR is opened; the branch is not counted as created', async () => {
    const { fullName, octokit } = await setup();
    const createRef = octokit.rest.git.createRef;
    // The create succeeds, but the answer is lost and the retry is told the reference exists.
    const spy = jest
      .spyOn(octokit.rest.git, 'createRef')
      .mockImplementationOnce(async (params: any) => {
        await createRef(params);
        throw Object.assign(new Error('Reference already exists'), {
          status: 422,
          response: { data: { message: 'Reference already exists' } },
        });
      });
    const { result } = await publish(octokit, fullName, request());
    spy.mockRestore();
    expect(result).toMatchObject({ outcome: 'created', pullRequestNumber: 1 });
    const { byEndpoint } = takeRequests();
    // A branch found holding the change may carry someone's open PR: looked for, never deleted.
    expect(byEndpoint[LIST_PULLS]).toBe(1);
    expect(byEndpoint[PATCH_REF]).toBeUndefined();
    expect(byEndpoint[GET_COMMIT]).toBe(1);
    expect(await branchHead(octokit, fullName)).toBe(result.commitSha);
  });

  it('a PR opened by a race after this run created the branch: 422 "already exists", the open PR is returned', async () => {
    const { fullName, octokit } = await setup();
    const create = octokit.rest.pulls.create;
    const spy = jest
      .spyOn(octokit.rest.pulls, 'create')
      .mockImplementationOnce(async (params: any) => {
        await create(params);
        return create(params);
      });
    const { result } = await publish(octokit, fullName, request());
    spy.mockRestore();
    expect(result).toMatchObject({ pullRequestNumber: 1 });
    expect(h.sim.listPulls(fullName)).toHaveLength(1);
    const { byEndpoint } = takeRequests();
    expect(byEndpoint[POST_PULL]).toBe(2);
    expect(byEndpoint[LIST_PULLS]).toBe(1); // only after the 422
    expect(byEndpoint[DELETE_REF]).toBeUndefined();
  });

  describe('with targetBranch (the repository is not read up front)', () => {
    it('read-only credentials: NotAllowedError at the first write, nothing changed', async () => {
      const { fullName } = await setup();
      h.sim.addToken(`read-only-${counter}`, {
        login: 'reader',
        repos: [fullName],
        permission: 'read',
      });
      const { octokit } = await h.octokitFactory({
        repoUrl: h.repoUrl(fullName),
        token: `read-only-${counter}`,
      });
      h.sim.resetCounters();
      const error = await publish(octokit, fullName, request(), 'main').then(
        () => undefined,
        e => e,
      );
      expect(error).toMatchObject({ name: 'NotAllowedError' });
      expect(error.message).toMatch(
        /^The credentials configured for acme\/requests\d+ may read but not push to it; grant write access \(contents and pull requests\) \(GitHub answered 403 to the first write: Resource not accessible by personal access token\); nothing was changed$/,
      );
      expect(takeRequests().byEndpoint).toEqual({
        [GET_REF]: 1,
        [GET_TREE]: 1,
        [POST_TREE]: 1, // refused
      });
      expect(h.sim.listPulls(fullName)).toEqual([]);
      expect(
        await h.sim.readFile(fullName, 'gitops/payments-secrets', 'README.md'),
      ).toBeUndefined();
    });

    it('missing repository: the repoUrl error, not a missing branch', async () => {
      await setup();
      const { octokit } = await h.octokitFactory({
        repoUrl: h.repoUrl('acme/does-not-exist'),
      });
      await expect(
        openGitopsRepo(octokit, {
          owner: 'acme',
          repo: 'does-not-exist',
          targetBranch: 'main',
        }),
      ).rejects.toThrow(
        'repoUrl: repository acme/does-not-exist was not found, or the configured credentials cannot see it',
      );
    });

    it('missing branch: the targetBranch error (the repository is read on that error path only)', async () => {
      const { octokit, owner, repo } = await setup();
      await expect(
        openGitopsRepo(octokit, { owner, repo, targetBranch: 'nope' }),
      ).rejects.toThrow(
        /^targetBranch: branch "nope" does not exist in acme\/requests\d+$/,
      );
      expect(takeRequests().byEndpoint).toEqual({
        [GET_REF]: 1,
        [GET_REPO]: 1,
      });
    });

    it('bad credentials: AuthenticationError', async () => {
      const { fullName } = await setup();
      const { octokit } = await h.octokitFactory({
        repoUrl: h.repoUrl(fullName),
        token: 'not-a-token',
      });
      const [owner, repo] = fullName.split('/');
      await expect(
        openGitopsRepo(octokit, { owner, repo, targetBranch: 'main' }),
      ).rejects.toMatchObject({
        name: 'AuthenticationError',
        message: expect.stringMatching(
          /^GitHub rejected the credentials configured for acme\/requests\d+ \(Bad credentials\)$/,
        ),
      });
    });
  });
});
