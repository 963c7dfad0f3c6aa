import { Octokit } from '@octokit/rest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGit } from './git';
import { allowFetchTo, GithubApiSim, startGithubApiSim } from './index';

const owner = 'acme';

async function clone(sim: GithubApiSim, fullName: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'github-api-sim-clone-'));
  await runGit(['clone', '--quiet', sim.repoDir(fullName), dir]);
  return dir;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

// Every request spawns git at least once; on a loaded two-core machine that adds up.
jest.setTimeout(60_000);

describe('github-api-sim with @octokit/rest', () => {
  let sim: GithubApiSim;
  let octokit: Octokit;
  let restoreFetch: () => void;
  const clones: string[] = [];

  beforeAll(async () => {
    sim = await startGithubApiSim();
    restoreFetch = allowFetchTo(sim.url);
    octokit = new Octokit({ baseUrl: sim.apiBaseUrl, auth: sim.adminToken });
  });

  afterAll(async () => {
    restoreFetch();
    await sim.stop();
    await Promise.all(
      clones.map(dir => rm(dir, { recursive: true, force: true })),
    );
  });

  it('commits blobs, inline content, a nested path and a deletion on base_tree, opens a PR, and git sees it all', async () => {
    const repo = 'fleet';
    const { headSha } = await sim.createRepo(`${owner}/${repo}`, {
      files: {
        'README.md': '# fleet\n',
        'clusters/old.yaml': 'old: true\n',
        'keep/me.txt': 'kept\n',
      },
    });

    const { data: repository } = await octokit.rest.repos.get({ owner, repo });
    expect(repository).toMatchObject({
      full_name: 'acme/fleet',
      default_branch: 'main',
      private: false,
    });
    expect(repository.permissions).toMatchObject({
      admin: true,
      push: true,
      pull: true,
    });

    const { data: mainRef } = await octokit.rest.git.getRef({
      owner,
      repo,
      ref: 'heads/main',
    });
    expect(mainRef.object.sha).toBe(headSha);
    const { data: baseCommit } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: headSha,
    });

    const binary = Buffer.from([0, 1, 2, 250, 255, 10]);
    const { data: blob } = await octokit.rest.git.createBlob({
      owner,
      repo,
      content: binary.toString('base64'),
      encoding: 'base64',
    });
    const { data: tree } = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: baseCommit.tree.sha,
      tree: [
        {
          path: 'clusters/leaf-1/flux/kustomization.yaml',
          mode: '100644',
          type: 'blob',
          content: 'kind: Kustomization\n',
        },
        { path: 'data/blob.bin', mode: '100644', type: 'blob', sha: blob.sha },
        { path: 'clusters/old.yaml', mode: '100644', type: 'blob', sha: null },
      ],
    });
    const { data: commit } = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: 'Add leaf-1\n',
      tree: tree.sha,
      parents: [headSha],
      author: { name: 'Leaf Bot', email: 'leaf@example.com' },
    });
    expect(commit.parents.map(p => p.sha)).toEqual([headSha]);
    expect(commit.author).toMatchObject({
      name: 'Leaf Bot',
      email: 'leaf@example.com',
    });

    const { data: branch } = await octokit.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/leaf-1',
      sha: commit.sha,
    });
    expect(branch).toMatchObject({
      ref: 'refs/heads/leaf-1',
      object: { sha: commit.sha, type: 'commit' },
    });

    const { data: pr } = await octokit.rest.pulls.create({
      owner,
      repo,
      title: 'Bootstrap leaf-1',
      body: 'Adds the leaf',
      head: 'leaf-1',
      base: 'main',
    });
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      draft: false,
      title: 'Bootstrap leaf-1',
      head: { ref: 'leaf-1', sha: commit.sha, label: 'acme:leaf-1' },
      base: { ref: 'main', sha: headSha },
      user: { login: 'sim-admin' },
      html_url: `${sim.url}/acme/fleet/pull/1`,
    });

    const { data: listed } = await octokit.rest.pulls.list({
      owner,
      repo,
      head: 'acme:leaf-1',
      state: 'open',
    });
    expect(listed.map(p => p.number)).toEqual([1]);
    expect(sim.listPulls('acme/fleet')).toEqual([
      expect.objectContaining({ number: 1, title: 'Bootstrap leaf-1' }),
    ]);

    const work = await clone(sim, 'acme/fleet');
    clones.push(work);
    await runGit(['-C', work, 'checkout', '--quiet', 'leaf-1']);
    const { stdout: checkedOut } = await runGit([
      '-C',
      work,
      'rev-parse',
      'HEAD',
    ]);
    expect(checkedOut.toString().trim()).toBe(commit.sha);
    expect(
      await readFile(
        path.join(work, 'clusters/leaf-1/flux/kustomization.yaml'),
        'utf8',
      ),
    ).toBe('kind: Kustomization\n');
    expect(await readFile(path.join(work, 'data/blob.bin'))).toEqual(binary);
    expect(await readFile(path.join(work, 'keep/me.txt'), 'utf8')).toBe(
      'kept\n',
    );
    expect(await exists(path.join(work, 'clusters/old.yaml'))).toBe(false);
    const { stdout: author } = await runGit([
      '-C',
      work,
      'log',
      '-1',
      '--format=%an <%ae>|%s',
    ]);
    expect(author.toString().trim()).toBe(
      'Leaf Bot <leaf@example.com>|Add leaf-1',
    );

    // The objects are sound as far as git itself is concerned, and the PR is fetchable like on GitHub.
    await runGit([
      '--git-dir',
      sim.repoDir('acme/fleet'),
      'fsck',
      '--strict',
      '--no-dangling',
    ]);
    const { stdout: pullRefs } = await runGit([
      'ls-remote',
      sim.repoDir('acme/fleet'),
      'refs/pull/*',
    ]);
    expect(pullRefs.toString()).toContain(`${commit.sha}\trefs/pull/1/head`);
  });

  it('reads trees, blobs, contents and commits', async () => {
    const repo = 'reader';
    const { headSha } = await sim.createRepo(`${owner}/${repo}`, {
      files: { 'a.txt': 'A\n', 'dir/b.txt': 'B\n', 'dir/sub/c.txt': 'C\n' },
    });

    const { data: flat } = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: 'main',
    });
    expect(flat.tree.map(e => `${e.type}:${e.path}`)).toEqual([
      'blob:a.txt',
      'tree:dir',
    ]);
    const { data: deep } = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: headSha,
      recursive: '1',
    });
    expect(deep.tree.map(e => e.path)).toEqual([
      'a.txt',
      'dir',
      'dir/b.txt',
      'dir/sub',
      'dir/sub/c.txt',
    ]);

    const { data: file } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: 'dir/sub/c.txt',
      ref: 'main',
    });
    if (Array.isArray(file) || file.type !== 'file')
      throw new Error('expected a file');
    expect(Buffer.from(file.content, 'base64').toString()).toBe('C\n');
    const { data: blob } = await octokit.rest.git.getBlob({
      owner,
      repo,
      file_sha: file.sha,
    });
    expect(Buffer.from(blob.content, 'base64').toString()).toBe('C\n');

    const { data: dir } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: 'dir',
    });
    expect(Array.isArray(dir) && dir.map(e => `${e.type}:${e.path}`)).toEqual([
      'file:dir/b.txt',
      'dir:dir/sub',
    ]);
    await expect(
      octokit.rest.repos.getContent({ owner, repo, path: 'nope.txt' }),
    ).rejects.toMatchObject({ status: 404 });

    const { data: commits } = await octokit.rest.repos.listCommits({
      owner,
      repo,
      sha: 'main',
      per_page: 1,
    });
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatchObject({
      sha: headSha,
      commit: { message: 'Initial commit\n' },
    });
    const { data: tree } = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: headSha,
    });
    expect(commits[0].commit.tree.sha).toBe(tree.sha);
  });

  it('updates refs fast-forward only unless forced, and refuses duplicates', async () => {
    const repo = 'refs';
    const { headSha } = await sim.createRepo(`${owner}/${repo}`);
    const { data: main } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: headSha,
    });
    const child = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: 'child',
      tree: main.tree.sha,
      parents: [headSha],
    });
    const sibling = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: 'sibling',
      tree: main.tree.sha,
      parents: [headSha],
    });

    await expect(
      octokit.rest.git.createRef({
        owner,
        repo,
        ref: 'refs/heads/main',
        sha: child.data.sha,
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Reference already exists' } },
    });
    await octokit.rest.git.updateRef({
      owner,
      repo,
      ref: 'heads/main',
      sha: child.data.sha,
    });
    await expect(
      octokit.rest.git.updateRef({
        owner,
        repo,
        ref: 'heads/main',
        sha: sibling.data.sha,
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Update is not a fast forward' } },
    });
    expect(
      (await octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })).data
        .object.sha,
    ).toBe(child.data.sha);
    await octokit.rest.git.updateRef({
      owner,
      repo,
      ref: 'heads/main',
      sha: sibling.data.sha,
      force: true,
    });
    expect(
      (await octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })).data
        .object.sha,
    ).toBe(sibling.data.sha);

    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/feature/x',
      sha: headSha,
    });
    const { data: matching } = await octokit.rest.git.listMatchingRefs({
      owner,
      repo,
      ref: 'heads/feat',
    });
    expect(matching.map(r => r.ref)).toEqual(['refs/heads/feature/x']);
    await octokit.rest.git.deleteRef({ owner, repo, ref: 'heads/feature/x' });
    await expect(
      octokit.rest.git.getRef({ owner, repo, ref: 'heads/feature/x' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('writes files with the contents API and merges a pull request into main', async () => {
    const repo = 'merging';
    await sim.createRepo(`${owner}/${repo}`, {
      files: { 'base.txt': 'base\n', 'other.txt': 'other\n' },
    });
    const { data: mainRef } = await octokit.rest.git.getRef({
      owner,
      repo,
      ref: 'heads/main',
    });
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/topic',
      sha: mainRef.object.sha,
    });
    await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: 'topic/new.txt',
      message: 'topic file',
      content: Buffer.from('from topic\n').toString('base64'),
      branch: 'topic',
    });
    // main moves on meanwhile, so the merge is a real three-way merge.
    const { data: other } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: 'other.txt',
    });
    await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: 'other.txt',
      message: 'main change',
      content: Buffer.from('other v2\n').toString('base64'),
      sha: (other as { sha: string }).sha,
    });
    const { data: pr } = await octokit.rest.pulls.create({
      owner,
      repo,
      title: 'Topic',
      head: 'topic',
      base: 'main',
    });
    const { data: files } = await octokit.rest.pulls.listFiles({
      owner,
      repo,
      pull_number: pr.number,
    });
    expect(files.map(f => `${f.status}:${f.filename}`)).toEqual([
      'added:topic/new.txt',
    ]);

    const { data: merge } = await octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: pr.number,
    });
    expect(merge.merged).toBe(true);
    expect(await sim.readFile('acme/merging', 'main', 'topic/new.txt')).toBe(
      'from topic\n',
    );
    expect(await sim.readFile('acme/merging', 'main', 'other.txt')).toBe(
      'other v2\n',
    );
    const { data: merged } = await octokit.rest.pulls.get({
      owner,
      repo,
      pull_number: pr.number,
    });
    expect(merged).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: merge.sha,
    });
    const { data: mergeCommit } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: merge.sha,
    });
    expect(mergeCommit.parents).toHaveLength(2);
  });

  it('serialises concurrent writes: distinct PR numbers, exactly one PR per branch', async () => {
    const repo = 'busy';
    const { headSha } = await sim.createRepo(`${owner}/${repo}`);
    const { data: base } = await octokit.rest.git.getCommit({
      owner,
      repo,
      commit_sha: headSha,
    });
    const branches = ['b1', 'b2', 'b3', 'b4'];
    await Promise.all(
      branches.map(async branch => {
        const { data: tree } = await octokit.rest.git.createTree({
          owner,
          repo,
          base_tree: base.tree.sha,
          tree: [{ path: `${branch}.txt`, mode: '100644', content: branch }],
        });
        const { data: commit } = await octokit.rest.git.createCommit({
          owner,
          repo,
          message: branch,
          tree: tree.sha,
          parents: [headSha],
        });
        await octokit.rest.git.createRef({
          owner,
          repo,
          ref: `refs/heads/${branch}`,
          sha: commit.sha,
        });
      }),
    );
    const attempts = await Promise.allSettled(
      [...branches, 'b1', 'b1'].map(branch =>
        octokit.rest.pulls.create({
          owner,
          repo,
          title: branch,
          head: branch,
          base: 'main',
        }),
      ),
    );
    const created = attempts.flatMap(a =>
      a.status === 'fulfilled' ? [a.value.data.number] : [],
    );
    expect(created.sort()).toEqual([1, 2, 3, 4, 5].slice(0, branches.length));
    expect(attempts.filter(a => a.status === 'rejected')).toHaveLength(2);

    // A bare branch name in `head` is ignored, as on GitHub; `owner:branch` filters.
    expect(
      (await octokit.rest.pulls.list({ owner, repo, head: 'b2' })).data,
    ).toHaveLength(4);
    expect(
      (
        await octokit.rest.pulls.list({ owner, repo, head: 'acme:b2' })
      ).data.map(p => p.title),
    ).toEqual(['b2']);
  });

  it('keeps pull requests across restarts on the same repos directory', async () => {
    const reposDir = await mkdtemp(
      path.join(os.tmpdir(), 'github-api-sim-persist-'),
    );
    clones.push(reposDir);
    const first = await startGithubApiSim({ reposDir });
    const restoreFirst = allowFetchTo(first.url);
    try {
      const { headSha } = await first.createRepo('acme/kept');
      const client = new Octokit({
        baseUrl: first.apiBaseUrl,
        auth: first.adminToken,
      });
      const { data: base } = await client.rest.git.getCommit({
        owner,
        repo: 'kept',
        commit_sha: headSha,
      });
      const { data: commit } = await client.rest.git.createCommit({
        owner,
        repo: 'kept',
        message: 'x',
        tree: base.tree.sha,
        parents: [headSha],
      });
      await client.rest.git.createRef({
        owner,
        repo: 'kept',
        ref: 'refs/heads/x',
        sha: commit.sha,
      });
      await client.rest.pulls.create({
        owner,
        repo: 'kept',
        title: 'kept PR',
        head: 'x',
        base: 'main',
      });
    } finally {
      restoreFirst();
      await first.stop();
    }

    const second = await startGithubApiSim({ reposDir });
    const restoreSecond = allowFetchTo(second.url);
    try {
      expect(second.listPulls('acme/kept')).toEqual([
        expect.objectContaining({ number: 1, title: 'kept PR' }),
      ]);
      const client = new Octokit({
        baseUrl: second.apiBaseUrl,
        auth: second.adminToken,
      });
      const { data: pr } = await client.rest.pulls.get({
        owner,
        repo: 'kept',
        pull_number: 1,
      });
      expect(pr).toMatchObject({
        title: 'kept PR',
        head: { ref: 'x' },
        html_url: `${second.url}/acme/kept/pull/1`,
      });
    } finally {
      restoreSecond();
      await second.stop();
    }
  });
});
