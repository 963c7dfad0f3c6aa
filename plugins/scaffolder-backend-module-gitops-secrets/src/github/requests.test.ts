/*
 * How many GitHub requests a pull request costs, route by route, counted by the
 * simulator (benchmark P3: ≤ 7 for a first run; 6 here). Each test pins the
 * exact requests of one case, so an extra read or write fails it.
 */
import { Octokit } from '@octokit/rest';
import { Harness, mockContext, startHarness } from './__testUtils__/harness';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openGitopsRepo } from './repo';
import { publishPullRequest, PublishRequest } from './publish';
import { withTrailers } from './ownership';

const run = promisify(execFile);

jest.setTimeout(60_000);

const GRAPHQL = 'POST /graphql';
const GET_TREE = 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}';
const GET_CONTENT = 'GET /repos/{owner}/{repo}/contents/{path}';
const POST_TREE = 'POST /repos/{owner}/{repo}/git/trees';
const POST_COMMIT = 'POST /repos/{owner}/{repo}/git/commits';
const POST_REF = 'POST /repos/{owner}/{repo}/git/refs';
const PATCH_REF = 'PATCH /repos/{owner}/{repo}/git/refs/{ref}';
const DELETE_REF = 'DELETE /repos/{owner}/{repo}/git/refs/{ref}';
const POST_PULL = 'POST /repos/{owner}/{repo}/pulls';
const PATCH_PULL = 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}';

const BRANCH = 'gitops/payments-secrets';

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
    branchName: BRANCH,
    title: 'Add payments secrets',
    description: 'Body',
    commitMessage: 'Add payments secrets',
    files: thirtyFiles(),
    ...overrides,
  };
}

describe('GitHub requests per pull request', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(() => h.sim.setFaults({}));

  const setup = (files: Record<string, string> = seed()) =>
    h.newRepo('requests', files);

  /**
   * Opens the snapshot and publishes. The snapshot is opened with the publish
   * branch (read in the same GraphQL query) unless `branchKnown` is false.
   */
  async function publish(
    octokit: Octokit,
    fullName: string,
    req: PublishRequest,
    opts: { targetBranch?: string; branchKnown?: boolean } = {},
  ) {
    const [owner, repo] = fullName.split('/');
    const r = await openGitopsRepo(octokit, {
      owner,
      repo,
      targetBranch: opts.targetBranch,
      branchName: opts.branchKnown === false ? undefined : req.branchName,
    });
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

  /** The publish branch's head, read from the bare repository (not through the API, so it is not counted). */
  async function branchHead(fullName: string, branch = BRANCH) {
    const { stdout } = await run('git', [
      '-C',
      h.sim.repoDir(fullName),
      'rev-parse',
      '--verify',
      '--quiet',
      `refs/heads/${branch}`,
    ]).catch(() => ({ stdout: '' }));
    return stdout.trim() || undefined;
  }

  /** Every object in the bare repository (to show a run created none). */
  async function objectCount(fullName: string) {
    const { stdout } = await run('git', [
      '-C',
      h.sim.repoDir(fullName),
      'count-objects',
      '-v',
    ]);
    const field = (key: string) =>
      Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(stdout)?.[1] ?? 0);
    return field('count') + field('in-pack');
  }

  it('first run, 30 new files: 6 requests (GraphQL snapshot, tree of the base; tree, commit, ref, PR)', async () => {
    const { fullName, headSha, octokit, owner, repo } = await setup();
    const objects = await objectCount(fullName);
    const { result, repo: opened } = await publish(
      octokit,
      fullName,
      request(),
    );
    expect(takeRequests()).toEqual({
      total: 6,
      byEndpoint: {
        [GRAPHQL]: 1,
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
      commitSha: await branchHead(fullName),
    });
    expect(result.changedFiles).toHaveLength(30);
    // 30 blobs, 6 trees (root, clusters, c0, apps, payments, secrets) and the commit.
    expect(await objectCount(fullName)).toBe(objects + 37);
    // The snapshot's commit and tree came from the GraphQL query.
    const { data: base } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: headSha,
    });
    expect(opened).toMatchObject({
      baseBranch: 'main',
      baseSha: headSha,
      baseTreeSha: base.tree.sha,
      defaultBranch: 'main',
      htmlUrl: `${h.sim.url}/${fullName}`,
      canPush: true,
    });
    const { data: commit } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: result.commitSha!,
    });
    expect(commit.parents.map(p => p.sha)).toEqual([headSha]);
    expect(h.sim.listPulls(fullName)).toMatchObject([
      { number: 1, state: 'open', head: { ref: BRANCH } },
    ]);
    expect(
      await h.sim.readFile(
        fullName,
        BRANCH,
        'clusters/c0/apps/payments/secrets/secret-29.yaml',
      ),
    ).toBe('name: secret-29\ntag: v1\n');
  });

  it('first run with targetBranch: the same 6 requests; the repository fields come with the query', async () => {
    const { fullName, octokit } = await setup();
    const { result, repo } = await publish(octokit, fullName, request(), {
      targetBranch: 'main',
    });
    expect(result.outcome).toBe('created');
    expect(repo).toMatchObject({
      baseBranch: 'main',
      defaultBranch: 'main',
      canPush: true,
    });
    expect(takeRequests()).toEqual({
      total: 6,
      byEndpoint: {
        [GRAPHQL]: 1,
        [GET_TREE]: 1,
        [POST_TREE]: 1,
        [POST_COMMIT]: 1,
        [POST_REF]: 1,
        [POST_PULL]: 1,
      },
    });
  });

  it('snapshot opened without the branch name: publishPullRequest reads the branch itself (7 requests)', async () => {
    const { fullName, octokit } = await setup();
    const { result } = await publish(octokit, fullName, request(), {
      branchKnown: false,
    });
    expect(result.outcome).toBe('created');
    expect(takeRequests()).toEqual({
      total: 7,
      byEndpoint: {
        [GRAPHQL]: 2, // the snapshot, then the branch (absent) and its open PRs
        [GET_TREE]: 1,
        [POST_TREE]: 1,
        [POST_COMMIT]: 1,
        [POST_REF]: 1,
        [POST_PULL]: 1,
      },
    });
  });

  it('files that exist on the base are compared by blob SHA, not read; labels and reviewers one write each', async () => {
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
      [GRAPHQL]: 1,
      [GET_TREE]: 1,
      [POST_TREE]: 1,
      [POST_COMMIT]: 1,
      [POST_REF]: 1,
      [POST_PULL]: 1,
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': 1,
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers': 1,
    });
  });

  it('re-run with the same inputs: 2 requests, no write; the branch keeps its commit and the open PR is returned', async () => {
    const { fullName, octokit } = await setup();
    const first = await publish(
      octokit,
      fullName,
      request({ labels: ['gitops'] }),
    );
    const head = await branchHead(fullName);
    const objects = await objectCount(fullName);
    takeRequests();

    const second = await publish(
      octokit,
      fullName,
      request({ labels: ['gitops'] }),
    );
    expect(second.result).toMatchObject({
      outcome: 'unchanged',
      pullRequestNumber: first.result.pullRequestNumber,
      commitSha: head,
    });
    expect(h.writes()).toEqual({});
    expect(takeRequests()).toEqual({
      total: 2,
      byEndpoint: {
        [GRAPHQL]: 1, // the branch head: one commit on the base whose tree is the one the change gives
        [GET_TREE]: 1,
      },
    });
    expect(await branchHead(fullName)).toBe(head);
    expect(await objectCount(fullName)).toBe(objects);
    expect(h.sim.listPulls(fullName)).toHaveLength(1);
    expect(second.logs.join('\n')).toMatch(
      /Branch gitops\/payments-secrets already holds this change \(commit [0-9a-f]{7}\); left as it is/,
    );
  });

  it('re-run with the same inputs, branch not known when opening: 3 requests, no write', async () => {
    const { fullName, octokit } = await setup();
    await publish(octokit, fullName, request());
    takeRequests();
    const second = await publish(octokit, fullName, request(), {
      branchKnown: false,
    });
    expect(second.result.outcome).toBe('unchanged');
    expect(takeRequests()).toEqual({
      total: 3,
      byEndpoint: { [GRAPHQL]: 2, [GET_TREE]: 1 },
    });
  });

  it('re-run with other content and title: one new commit, the branch force-reset onto the base, the same PR updated (6 requests)', async () => {
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
      total: 6,
      byEndpoint: {
        [GRAPHQL]: 1,
        [GET_TREE]: 1,
        [POST_TREE]: 1,
        [POST_COMMIT]: 1,
        [PATCH_REF]: 1, // force
        [PATCH_PULL]: 1, // the new title
      },
    });
    expect(await branchHead(fullName)).toBe(second.result.commitSha);
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

  it('the base moved since the branch was made: one new commit on the new base, the same PR (no PR write)', async () => {
    const { fullName, octokit, owner, repo } = await setup();
    const first = await publish(octokit, fullName, request());
    await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: 'OTHER.md',
      message: 'Someone else',
      content: Buffer.from('x\n').toString('base64'),
      branch: 'main',
    });
    const newBase = await branchHead(fullName, 'main');
    takeRequests();
    const second = await publish(octokit, fullName, request());
    expect(second.result).toMatchObject({
      outcome: 'updated',
      pullRequestNumber: first.result.pullRequestNumber,
    });
    expect(takeRequests().byEndpoint).toEqual({
      [GRAPHQL]: 1,
      [GET_TREE]: 1,
      [POST_TREE]: 1,
      [POST_COMMIT]: 1,
      [PATCH_REF]: 1,
    });
    const { data: commit } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: second.result.commitSha!,
    });
    expect(commit.parents.map(p => p.sha)).toEqual([newBase]);
  });

  it('a branch left without a PR (an earlier run that could not open it) gets its PR: 3 requests', async () => {
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
    expect(takeRequests()).toEqual({
      total: 3,
      byEndpoint: { [GRAPHQL]: 1, [GET_TREE]: 1, [POST_PULL]: 1 },
    });
  });

  it('everything already on the base: nothing-to-change with 2 reads, no blob read', async () => {
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
      branchName: BRANCH,
      changedFiles: [],
    });
    expect(takeRequests()).toEqual({
      total: 2,
      byEndpoint: { [GRAPHQL]: 1, [GET_TREE]: 1 },
    });
    expect(h.sim.listPulls(fullName)).toEqual([]);
  });

  it('a file with other content: refused after 2 reads; overwrite: true replaces it', async () => {
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
      [GRAPHQL]: 1,
      [GET_TREE]: 1,
    });
    const { result } = await publish(octokit, fullName, {
      ...req,
      overwrite: true,
    });
    expect(result.outcome).toBe('created');
    expect(result.changedFiles).toHaveLength(31);
    expect(takeRequests().total).toBe(6);
    expect(
      await h.sim.readFile(fullName, BRANCH, 'clusters/c0/apps/app-0.yaml'),
    ).toBe('index: 99\n');
  });

  it('an open PR of the branch against another base: InputError before any write', async () => {
    const { fullName, headSha, octokit, owner, repo } = await setup();
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/release',
      sha: headSha,
    });
    await publish(octokit, fullName, request(), { targetBranch: 'release' });
    takeRequests();
    await expect(
      publish(octokit, fullName, request({ files: thirtyFiles('v2') })),
    ).rejects.toThrow(
      /^branchName: branch gitops\/payments-secrets already has open pull request #1 against release, not main; close it or choose another branch name$/,
    );
    expect(takeRequests().byEndpoint).toEqual({
      [GRAPHQL]: 1,
      [GET_TREE]: 1,
    });
  });

  it('the branch created by another run of the action after the read: 422, read again (ours), reset to this commit', async () => {
    const { fullName, headSha, octokit, owner, repo } = await setup();
    const opened = await openGitopsRepo(octokit, {
      owner,
      repo,
      branchName: BRANCH,
    });
    // Between the read and the write another run of the same action for the same target creates the branch with
    // other content (its commit carries the same trailers).
    const { data: other } = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: withTrailers('Other', opened, {
        action: 'publishPullRequest',
        target: BRANCH,
      }),
      tree: opened.baseTreeSha,
      parents: [headSha],
    });
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: `refs/heads/${BRANCH}`,
      sha: other.sha,
    });
    takeRequests();
    const { ctx } = mockContext({});
    const result = await publishPullRequest(ctx, octokit, opened, request());
    expect(result.outcome).toBe('created'); // the PR; the branch was not created by this run
    expect(takeRequests().byEndpoint).toEqual({
      [POST_TREE]: 1,
      [POST_COMMIT]: 1,
      [POST_REF]: 1, // 422 "Reference already exists"
      [GRAPHQL]: 1, // the branch again: other content
      [PATCH_REF]: 1, // force
      [POST_PULL]: 1,
    });
    expect(await branchHead(fullName)).toBe(result.commitSha);
  });

  it('the branch created by someone else after the read: 422, read again, refused with their name; nothing moved', async () => {
    const { fullName, headSha, octokit, owner, repo } = await setup();
    const opened = await openGitopsRepo(octokit, {
      owner,
      repo,
      branchName: BRANCH,
    });
    const { data: other } = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: 'Their work',
      author: { name: 'Dana Dev', email: 'dana@example.com' },
      tree: opened.baseTreeSha,
      parents: [headSha],
    });
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: `refs/heads/${BRANCH}`,
      sha: other.sha,
    });
    takeRequests();
    const { ctx } = mockContext({});
    await expect(
      publishPullRequest(ctx, octokit, opened, request()),
    ).rejects.toThrow(
      /^branchName: branch gitops\/payments-secrets already exists in acme\/requests\d+ with 1 commit\(s\) since main that publishPullRequest did not write for this target \(last commit [0-9a-f]{7} by "Dana Dev"\).*nothing was written$/,
    );
    expect(takeRequests().byEndpoint).toEqual({
      [POST_TREE]: 1,
      [POST_COMMIT]: 1,
      [POST_REF]: 1, // 422 "Reference already exists"
      [GRAPHQL]: 1, // the branch again: not ours, so no PATCH
    });
    expect(await branchHead(fullName)).toBe(other.sha);
    expect(h.sim.listPulls(fullName)).toEqual([]);
  });

  it('a retried create of the branch that had succeeded: read again, the PR is opened; the branch is not counted as created', async () => {
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
    // A branch found holding the change may carry someone's open PR: the read again looks for it; never deleted.
    expect(takeRequests().byEndpoint).toEqual({
      [GRAPHQL]: 2,
      [GET_TREE]: 1,
      [POST_TREE]: 1,
      [POST_COMMIT]: 1,
      [POST_REF]: 1,
      [POST_PULL]: 1,
    });
    expect(await branchHead(fullName)).toBe(result.commitSha);
  });

  it('a PR opened by a race after this run created the branch: 422 "already exists", read again, the open PR is returned', async () => {
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
    expect(byEndpoint[GRAPHQL]).toBe(2); // only after the 422
    expect(byEndpoint[DELETE_REF]).toBeUndefined();
  });

  describe('a truncated tree listing (over 100,000 entries on GitHub)', () => {
    function truncateListings(octokit: Octokit) {
      const getTree = octokit.rest.git.getTree;
      return jest.spyOn(octokit.rest.git, 'getTree').mockImplementation((async (
        params: any,
      ) => {
        const answer = await getTree(params);
        return { ...answer, data: { ...answer.data, truncated: true } };
      }) as any);
    }
    const three = () => thirtyFiles().slice(0, 3);

    it('files are compared through the contents API, one read per path; a re-run writes only the tree GitHub already has', async () => {
      const { fullName, octokit } = await setup();
      const spy = truncateListings(octokit);
      try {
        const first = await publish(
          octokit,
          fullName,
          request({ files: three() }),
        );
        expect(first.result.outcome).toBe('created');
        expect(takeRequests().byEndpoint).toEqual({
          [GRAPHQL]: 1,
          [GET_TREE]: 1,
          [GET_CONTENT]: 3, // 404: new files
          [POST_TREE]: 1,
          [POST_COMMIT]: 1,
          [POST_REF]: 1,
          [POST_PULL]: 1,
        });
        const objects = await objectCount(fullName);

        const second = await publish(
          octokit,
          fullName,
          request({ files: three() }),
        );
        expect(second.result).toMatchObject({
          outcome: 'unchanged',
          commitSha: first.result.commitSha,
        });
        // Without the full listing the tree the change gives is only known from GitHub: the branch head's own tree,
        // so no object is new, and no commit, ref or PR write follows.
        expect(takeRequests().byEndpoint).toEqual({
          [GRAPHQL]: 1,
          [GET_TREE]: 1,
          [GET_CONTENT]: 3,
          [POST_TREE]: 1,
        });
        expect(await objectCount(fullName)).toBe(objects);
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('errors', () => {
    it('read-only credentials: NotAllowedError after the reads, before any write (viewerPermission READ)', async () => {
      const { fullName } = await setup();
      h.sim.addToken(`read-only-${fullName}`, {
        login: 'reader',
        repos: [fullName],
        permission: 'read',
      });
      const { octokit } = await h.octokitFactory({
        repoUrl: h.repoUrl(fullName),
        token: `read-only-${fullName}`,
      });
      h.sim.resetCounters();
      const error = await publish(octokit, fullName, request(), {
        targetBranch: 'main',
      }).then(
        () => undefined,
        e => e,
      );
      expect(error).toMatchObject({ name: 'NotAllowedError' });
      expect(error.message).toMatch(
        /^The credentials configured for acme\/requests\d+ may read but not push to it; grant write access \(contents and pull requests\)$/,
      );
      expect(takeRequests().byEndpoint).toEqual({
        [GRAPHQL]: 1,
        [GET_TREE]: 1,
      });
      expect(h.sim.listPulls(fullName)).toEqual([]);
    });

    it('permission not reported (viewerPermission null, as for some app tokens): the refused first write says read-only', async () => {
      const { fullName } = await setup();
      h.sim.addToken(`read-only-app-${fullName}`, {
        login: 'reader',
        repos: [fullName],
        permission: 'read',
      });
      const { octokit } = await h.octokitFactory({
        repoUrl: h.repoUrl(fullName),
        token: `read-only-app-${fullName}`,
      });
      const graphql = octokit.graphql;
      const spy = jest.spyOn(octokit, 'graphql').mockImplementationOnce((async (
        query: string,
        vars: any,
      ) => {
        const data: any = await graphql(query, vars);
        data.repository.viewerPermission = null;
        return data;
      }) as any);
      h.sim.resetCounters();
      const error = await publish(octokit, fullName, request()).then(
        () => undefined,
        e => e,
      );
      spy.mockRestore();
      expect(error).toMatchObject({ name: 'NotAllowedError' });
      expect(error.message).toMatch(
        /^The credentials configured for acme\/requests\d+ may read but not push to it; grant write access \(contents and pull requests\) \(GitHub answered 403 to the first write: Resource not accessible by personal access token\); nothing was changed$/,
      );
      expect(takeRequests().byEndpoint).toEqual({
        [GRAPHQL]: 1,
        [GET_TREE]: 1,
        [POST_TREE]: 1, // refused
      });
      expect(await branchHead(fullName)).toBeUndefined();
    });

    it('missing repository: the repoUrl error, one request', async () => {
      await setup();
      const { octokit } = await h.octokitFactory({
        repoUrl: h.repoUrl('acme/does-not-exist'),
      });
      h.sim.resetCounters();
      for (const targetBranch of [undefined, 'main']) {
        await expect(
          openGitopsRepo(octokit, {
            owner: 'acme',
            repo: 'does-not-exist',
            targetBranch,
            branchName: BRANCH,
          }),
        ).rejects.toThrow(
          /^repoUrl: repository acme\/does-not-exist was not found, or the configured credentials cannot see it$/,
        );
      }
      expect(takeRequests().byEndpoint).toEqual({ [GRAPHQL]: 2 });
    });

    it('missing branch: the targetBranch error, one request', async () => {
      const { octokit, owner, repo } = await setup();
      await expect(
        openGitopsRepo(octokit, { owner, repo, targetBranch: 'nope' }),
      ).rejects.toThrow(
        /^targetBranch: branch "nope" does not exist in acme\/requests\d+$/,
      );
      expect(takeRequests().byEndpoint).toEqual({ [GRAPHQL]: 1 });
    });

    it('empty repository: the targetBranch error says so', async () => {
      const { octokit, owner, repo } = await setup({});
      await expect(openGitopsRepo(octokit, { owner, repo })).rejects.toThrow(
        /^targetBranch: acme\/requests\d+ has no default branch \(the repository is empty\)$/,
      );
      await expect(
        openGitopsRepo(octokit, { owner, repo, targetBranch: 'main' }),
      ).rejects.toThrow(
        /^targetBranch: branch "main" does not exist in acme\/requests\d+ \(the repository is empty\)$/,
      );
    });

    it('bad credentials: AuthenticationError', async () => {
      const { fullName } = await setup();
      const { octokit } = await h.octokitFactory({
        repoUrl: h.repoUrl(fullName),
        token: 'not-a-token',
      });
      const [owner, repo] = fullName.split('/');
      for (const targetBranch of [undefined, 'main']) {
        await expect(
          openGitopsRepo(octokit, { owner, repo, targetBranch }),
        ).rejects.toMatchObject({
          name: 'AuthenticationError',
          message: expect.stringMatching(
            /^GitHub rejected the credentials configured for acme\/requests\d+ \(Bad credentials\)$/,
          ),
        });
      }
    });
  });
});
