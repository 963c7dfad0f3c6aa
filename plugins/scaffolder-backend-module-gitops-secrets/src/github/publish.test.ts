import { Octokit } from '@octokit/rest';
import { Harness, mockContext, startHarness } from './__testUtils__/harness';
import { openGitopsRepo } from './repo';
import { publishPullRequest, PublishRequest } from './publish';
import { parseRepoUrl } from './parseRepoUrl';

// Every simulator request spawns git; on a loaded two-core machine that adds up.
jest.setTimeout(60_000);

const BASE_FILES = {
  'README.md': '# fleet\n',
  'clusters/a/kustomization.yaml': 'resources:\n  - flux-system\n',
  'clusters/a/same.yaml': 'same: true\n',
};

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    branchName: 'gitops/test',
    title: 'Add things',
    description: 'Body',
    commitMessage: 'Add things',
    files: [
      { path: 'clusters/a/new.yaml', content: 'new: 1\n' },
      { path: 'clusters/a/same.yaml', content: 'same: true\n' },
      {
        path: 'clusters/a/kustomization.yaml',
        content: 'resources:\n  - flux-system\n  - new.yaml\n',
        update: true,
      },
    ],
    ...overrides,
  };
}

describe('publishPullRequest', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  const setup = (files: Record<string, string> = BASE_FILES) =>
    h.newRepo('repo', files);

  /** Opens the snapshot (with the publish branch, as a caller that knows it does) and publishes. */
  async function publish(
    octokit: Octokit,
    fullName: string,
    req: PublishRequest,
    beforePublish?: () => void,
  ) {
    const { owner, repo } = parseRepoUrl(h.repoUrl(fullName));
    const r = await openGitopsRepo(octokit, {
      owner,
      repo,
      branchName: req.branchName,
    });
    beforePublish?.();
    const { ctx, logs } = mockContext({});
    const result = await publishPullRequest(ctx, octokit, r, req);
    return { result, logs, repo: r };
  }

  it('makes one commit holding only the changed files (one tree, inline content) and one PR', async () => {
    const { fullName, headSha, octokit, owner, repo } = await setup();
    const { result } = await publish(
      octokit,
      fullName,
      request({ labels: ['gitops'], reviewers: ['octocat'], draft: true }),
    );
    expect(result).toMatchObject({
      outcome: 'created',
      pullRequestNumber: 1,
      branchName: 'gitops/test',
      changedFiles: ['clusters/a/new.yaml', 'clusters/a/kustomization.yaml'],
    });
    expect(result.pullRequestUrl).toBe(`${h.sim.url}/${fullName}/pull/1`);
    expect(h.writes()).toEqual({
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'POST /repos/{owner}/{repo}/git/refs': 1,
      'POST /repos/{owner}/{repo}/pulls': 1,
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': 1,
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers': 1,
    });
    const { data: commit } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: result.commitSha!,
    });
    expect(commit.parents.map(p => p.sha)).toEqual([headSha]);
    const { data: files } = await octokit.rest.pulls.listFiles({
      owner,
      repo,
      pull_number: 1,
    });
    expect(files.map(f => f.filename).sort()).toEqual([
      'clusters/a/kustomization.yaml',
      'clusters/a/new.yaml',
    ]);
    const [pr] = h.sim.listPulls(fullName);
    expect(pr).toMatchObject({
      draft: true,
      labels: ['gitops'],
      requestedReviewers: ['octocat'],
      title: 'Add things',
    });
    // The body ends with the hidden ownership marker; the commit with the ownership trailers.
    expect(pr.body).toMatch(
      /^Body\n\n<sub>This commit adds 1 file\(s\), updates 1 \(clusters\/a\/kustomization.yaml\) and deletes none.<\/sub>\n\n<!-- golden-gitops action=publishPullRequest target=[0-9a-f]{16} -->$/,
    );
    expect(commit.message).toMatch(
      /\n\nGolden-Gitops-Action: publishPullRequest\nGolden-Gitops-Target: [0-9a-f]{16}\n?$/,
    );
    expect(
      await h.sim.readFile(fullName, 'gitops/test', 'clusters/a/new.yaml'),
    ).toBe('new: 1\n');
  });

  it('re-run with the same inputs: no write at all, the branch keeps its commit, the same PR (unchanged)', async () => {
    const { fullName, octokit } = await setup();
    const first = await publish(octokit, fullName, request());
    h.sim.resetCounters();
    const second = await publish(octokit, fullName, request());
    expect(second.result).toMatchObject({
      outcome: 'unchanged',
      pullRequestNumber: first.result.pullRequestNumber,
      commitSha: first.result.commitSha,
    });
    // No tree, no commit, no ref or PR write: nothing unreferenced is left behind.
    expect(h.writes()).toEqual({});
    expect(h.sim.listPulls(fullName)).toMatchObject([
      { head: { sha: first.result.commitSha } },
    ]);
  });

  it('re-run with other content: one new commit on the base, the same PR updated', async () => {
    const { fullName, headSha, octokit, owner, repo } = await setup();
    const first = await publish(octokit, fullName, request());
    const second = await publish(
      octokit,
      fullName,
      request({
        title: 'Add things (v2)',
        files: [{ path: 'clusters/a/new.yaml', content: 'new: 2\n' }],
      }),
    );
    expect(second.result.outcome).toBe('updated');
    expect(second.result.pullRequestNumber).toBe(
      first.result.pullRequestNumber,
    );
    expect(second.result.commitSha).not.toBe(first.result.commitSha);
    const { data: commit } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: second.result.commitSha!,
    });
    // Reset onto the base, so the PR holds exactly the new change (the old kustomization edit is gone).
    expect(commit.parents.map(p => p.sha)).toEqual([headSha]);
    const pulls = h.sim.listPulls(fullName);
    expect(pulls).toHaveLength(1);
    expect(pulls[0].title).toBe('Add things (v2)');
    expect(
      await h.sim.readFile(
        fullName,
        'gitops/test',
        'clusters/a/kustomization.yaml',
      ),
    ).toBe(BASE_FILES['clusters/a/kustomization.yaml']);
  });

  it('content already on the base branch: nothing-to-change, no branch and no PR', async () => {
    const { fullName, octokit } = await setup();
    const { result } = await publish(
      octokit,
      fullName,
      request({
        files: [{ path: 'clusters/a/same.yaml', content: 'same: true\n' }],
      }),
    );
    expect(result).toEqual({
      outcome: 'nothing-to-change',
      branchName: 'gitops/test',
      changedFiles: [],
    });
    expect(h.writes()).toEqual({});
    expect(h.sim.listPulls(fullName)).toEqual([]);
  });

  it('refuses to overwrite a file with other content, naming it, unless overwrite: true', async () => {
    const { fullName, octokit } = await setup();
    const req = request({
      files: [
        { path: 'clusters/a/same.yaml', content: 'same: false\n' },
        { path: 'clusters/a/new.yaml', content: 'new: 1\n' },
      ],
    });
    await expect(publish(octokit, fullName, req)).rejects.toThrow(
      /File clusters\/a\/same\.yaml already exists on main of acme\/repo\d+ with other content; set overwrite: true/,
    );
    expect(h.writes()).toEqual({});
    const { result } = await publish(octokit, fullName, {
      ...req,
      overwrite: true,
    });
    expect(result.outcome).toBe('created');
    expect(result.changedFiles).toEqual([
      'clusters/a/same.yaml',
      'clusters/a/new.yaml',
    ]);
  });

  it('refuses a write that would replace a file with a folder or a folder with a file (a silent deletion), with no write', async () => {
    const { fullName, octokit } = await setup();
    await expect(
      publish(
        octokit,
        fullName,
        request({
          files: [{ path: 'README.md/eso/x.yaml', content: 'x: 1\n' }],
        }),
      ),
    ).rejects.toThrow(
      /^Path README\.md is a file on main of acme\/repo\d+, not a folder: writing README\.md\/eso\/x\.yaml would delete it/,
    );
    await expect(
      publish(
        octokit,
        fullName,
        request({ files: [{ path: 'clusters/a', content: 'x: 1\n' }] }),
      ),
    ).rejects.toThrow(
      /^Path clusters\/a is a folder on main of acme\/repo\d+: writing a file there would delete everything in it/,
    );
    expect(h.writes()).toEqual({});
  });

  it('rejects a branch name equal to the target branch and unnormalised paths, with no write', async () => {
    const { fullName, octokit } = await setup();
    await expect(
      publish(octokit, fullName, request({ branchName: 'main' })),
    ).rejects.toThrow(/branchName: must differ from the target branch main/);
    await expect(
      publish(
        octokit,
        fullName,
        request({ files: [{ path: 'a/../b.yaml', content: 'x' }] }),
      ),
    ).rejects.toThrow(/Invalid file path "a\/..\/b.yaml"/);
    expect(h.writes()).toEqual({});
  });

  it('every write runs inside ctx.checkpoint, and a retried task does not repeat completed writes', async () => {
    const { fullName, octokit, owner, repo } = await setup();
    const cache = new Map<string, unknown>();
    let inCheckpoint = 0;
    const outside: string[] = [];
    let queries = 0;
    octokit.hook.before('request', options => {
      // GraphQL queries are reads (POST, like every GraphQL request); a mutation would be a write.
      const query = (options as { query?: unknown }).query;
      if (typeof query === 'string') {
        if (/^\s*query\b/.test(query)) {
          queries += 1;
          return;
        }
      }
      if (options.method !== 'GET' && !inCheckpoint)
        outside.push(`${options.method} ${options.url}`);
    });
    // A checkpoint store like the scaffolder's: a completed key returns its stored value.
    const checkpoint = async ({ key, fn }: { key: string; fn: () => any }) => {
      if (cache.has(key)) return cache.get(key);
      inCheckpoint += 1;
      try {
        const value = await fn();
        cache.set(key, value);
        return value;
      } finally {
        inCheckpoint -= 1;
      }
    };
    const run = async () => {
      const r = await openGitopsRepo(octokit, { owner, repo });
      const { ctx } = mockContext({});
      return publishPullRequest(
        { ...ctx, checkpoint } as any,
        octokit,
        r,
        request(),
      );
    };
    // The first attempt dies at the ref (after tree and commit were made)...
    h.sim.setFaults({ refUpdateConflict: { times: 10 } });
    await expect(run()).rejects.toThrow(/Could not move branch/);
    h.sim.setFaults({});
    h.sim.resetCounters();
    // ...the retried task reuses them: no second tree or commit.
    const result = await run();
    expect(result.outcome).toBe('created');
    expect(h.writes()).toEqual({
      'POST /repos/{owner}/{repo}/git/refs': 1,
      'POST /repos/{owner}/{repo}/pulls': 1,
    });
    expect(outside).toEqual([]);
    expect(queries).toBeGreaterThan(0);
    expect(h.sim.listPulls(fullName)).toHaveLength(1);
  });

  describe('GitHub faults', () => {
    afterEach(() => h.sim.setFaults({}));

    it('repository not found: InputError naming repoUrl, no write', async () => {
      await setup();
      const { octokit } = await h.octokitFactory({
        repoUrl: h.repoUrl('acme/does-not-exist'),
      });
      await expect(
        openGitopsRepo(octokit, { owner: 'acme', repo: 'does-not-exist' }),
      ).rejects.toThrow(
        'repoUrl: repository acme/does-not-exist was not found, or the configured credentials cannot see it',
      );
      expect(h.writes()).toEqual({});
    });

    it('target branch missing: InputError naming targetBranch', async () => {
      const { octokit, owner, repo } = await setup();
      await expect(
        openGitopsRepo(octokit, { owner, repo, targetBranch: 'nope' }),
      ).rejects.toThrow(/targetBranch: branch "nope" does not exist/);
    });

    it('no push permission: NotAllowedError before any write', async () => {
      const { fullName } = await setup();
      h.sim.addToken('read-only-token', {
        login: 'reader',
        repos: [fullName],
        permission: 'read',
      });
      const { octokit } = await h.octokitFactory({
        repoUrl: h.repoUrl(fullName),
        token: 'read-only-token',
      });
      h.sim.resetCounters();
      await expect(publish(octokit, fullName, request())).rejects.toThrow(
        /may read but not push/,
      );
      expect(h.writes()).toEqual({});
    });

    it('secondary rate limits are waited out and retried, on the GraphQL query and on writes', async () => {
      const { fullName, octokit } = await setup();
      h.warnings.length = 0;
      h.sim.setFaults({
        secondaryRateLimit: { times: 2, retryAfterSeconds: 2 },
      });
      const { result } = await publish(octokit, fullName, request(), () =>
        h.sim.setFaults({
          secondaryRateLimit: { times: 2, retryAfterSeconds: 2 },
        }),
      );
      expect(result.outcome).toBe('created');
      expect(
        h.warnings.filter(w => /secondary rate limit/.test(w)),
      ).toHaveLength(4);
      // The query (a POST) and the tree POST were each answered 403 twice, then served.
      expect(h.sim.counters().byEndpoint['POST /graphql']).toBe(3);
      expect(h.writes()['POST /repos/{owner}/{repo}/git/trees']).toBe(3);
      expect(h.sim.listPulls(fullName)).toHaveLength(1);
    });

    it('5xx on reads and writes are retried', async () => {
      const { fullName, octokit } = await setup();
      h.sim.setFaults({ serverErrors: { times: 2, status: 502 } });
      const { result } = await publish(octokit, fullName, request());
      expect(result.outcome).toBe('created');
      h.sim.setFaults({
        serverErrors: { times: 2, status: 503, methods: ['POST'] },
      });
      const again = await publish(
        octokit,
        fullName,
        request({ branchName: 'gitops/other' }),
      );
      expect(again.result.outcome).toBe('created');
      expect(h.sim.listPulls(fullName)).toHaveLength(2);
    });

    it('persistent 5xx: a clear error and nothing half-made', async () => {
      const { fullName, octokit } = await setup();
      await expect(
        publish(octokit, fullName, request(), () =>
          h.sim.setFaults({
            serverErrors: { times: 100, status: 500, methods: ['POST'] },
          }),
        ),
      ).rejects.toThrow(
        /Could not create the git tree in acme\/repo\d+ \(nothing was changed\)/,
      );
      h.sim.setFaults({});
      expect(h.sim.listPulls(fullName)).toEqual([]);
      expect(
        await h.sim.readFile(fullName, 'gitops/test', 'README.md'),
      ).toBeUndefined();
    });

    it('a PR that already exists for the branch is found and updated, not duplicated', async () => {
      const { fullName, octokit, owner, repo } = await setup();
      const first = await publish(octokit, fullName, request());
      // Someone retitles it; our next run (changed content) finds the open PR and updates it.
      await octokit.rest.pulls.update({
        owner,
        repo,
        pull_number: first.result.pullRequestNumber!,
        title: 'Renamed by a human',
      });
      const second = await publish(octokit, fullName, request());
      expect(second.result).toMatchObject({
        outcome: 'updated',
        pullRequestNumber: first.result.pullRequestNumber,
        commitSha: first.result.commitSha,
      });
      expect(h.sim.listPulls(fullName).map(p => p.title)).toEqual([
        'Add things',
      ]);
    });

    it('"A pull request already exists" from a create that raced: the existing PR is returned', async () => {
      const { fullName, octokit } = await setup();
      const first = await publish(octokit, fullName, request());
      // The read misses the open PR once (as when another run opened it just after).
      const graphql = octokit.graphql;
      const read = jest
        .spyOn(octokit, 'graphql')
        .mockImplementationOnce((async (query: string, vars: any) => {
          const data: any = await graphql(query, vars);
          data.repository.head.associatedPullRequests.nodes = [];
          return data;
        }) as any);
      const second = await publish(octokit, fullName, request());
      read.mockRestore();
      expect(second.result).toMatchObject({
        outcome: 'unchanged',
        pullRequestNumber: first.result.pullRequestNumber,
      });
      expect(h.writes()['POST /repos/{owner}/{repo}/pulls']).toBe(2);
      expect(h.sim.listPulls(fullName)).toHaveLength(1);
    });

    it('a ref update conflict is retried after re-reading the branch', async () => {
      const { fullName, octokit } = await setup();
      await publish(octokit, fullName, request());
      h.sim.setFaults({ refUpdateConflict: { times: 1 } });
      const { result } = await publish(
        octokit,
        fullName,
        request({
          files: [{ path: 'clusters/a/new.yaml', content: 'new: 4\n' }],
        }),
      );
      expect(result.outcome).toBe('updated');
      expect(
        await h.sim.readFile(fullName, 'gitops/test', 'clusters/a/new.yaml'),
      ).toBe('new: 4\n');
    });

    it('a ref conflict that persists: clear error, no branch, no PR', async () => {
      const { fullName, octokit } = await setup();
      h.sim.setFaults({ refUpdateConflict: { times: 10 } });
      await expect(publish(octokit, fullName, request())).rejects.toThrow(
        /Could not move branch gitops\/test .* after 3 attempts: .*no pull request was opened or changed/,
      );
      h.sim.setFaults({});
      expect(h.sim.listPulls(fullName)).toEqual([]);
      expect(
        await h.sim.readFile(fullName, 'gitops/test', 'README.md'),
      ).toBeUndefined();
    });

    it('PR creation failing after the branch was created deletes the branch; a re-run then succeeds', async () => {
      const { fullName, octokit } = await setup();
      const create = jest
        .spyOn(octokit.rest.pulls, 'create')
        .mockRejectedValueOnce(
          Object.assign(new Error('Validation Failed'), {
            status: 422,
            response: {
              data: {
                message: 'Validation Failed',
                errors: [{ message: "head sha can't be blank" }],
              },
            },
          }),
        );
      await expect(publish(octokit, fullName, request())).rejects.toThrow(
        /Could not open the pull request from gitops\/test to main .*branch gitops\/test was deleted again, so nothing is left half-done/,
      );
      create.mockRestore();
      expect(
        await h.sim.readFile(fullName, 'gitops/test', 'README.md'),
      ).toBeUndefined();
      expect(h.sim.listPulls(fullName)).toEqual([]);
      const { result } = await publish(octokit, fullName, request());
      expect(result.outcome).toBe('created');
    });
  });
});
