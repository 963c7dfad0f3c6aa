/*
 * The locally computed git object names must be the ones GitHub (here: the
 * simulator, which stores real git objects) gives, or a re-run would not see
 * that its branch already holds the change.
 */
import { Octokit } from '@octokit/rest';
import { Harness, startHarness } from './__testUtils__/harness';
import { gitBlobSha, TreeEntry, treeShaWithFiles } from './gitObjects';

jest.setTimeout(60_000);

describe('git object names computed locally', () => {
  let h: Harness;
  let octokit: Octokit;
  const owner = 'acme';
  const repo = 'objects';
  let listing: TreeEntry[];
  let baseTree: string;

  beforeAll(async () => {
    h = await startHarness();
    await h.sim.createRepo(`${owner}/${repo}`, {
      files: {
        'README.md': '# objects\n',
        'a.yaml': 'a\n',
        'a/b.yaml': 'b\n',
        'a-b/c.yaml': 'c\n',
        'a0/d.yaml': 'd\n',
        'ünïcode/ß.txt': 'grüße ✓\n',
        'z/y/x/w.txt': 'deep\n',
      },
    });
    ({ octokit } = await h.octokitFactory({
      repoUrl: h.repoUrl(`${owner}/${repo}`),
    }));
    // An executable and a symlink on top, as a real repository may hold them.
    const { data: main } = await octokit.rest.git.getRef({
      owner,
      repo,
      ref: 'heads/main',
    });
    const { data: tree } = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: (
        await octokit.rest.git.getCommit({
          owner,
          repo,
          commit_sha: main.object.sha,
        })
      ).data.tree.sha,
      tree: [
        {
          path: 'bin/run.sh',
          mode: '100755',
          type: 'blob',
          content: '#!/bin/sh\n',
        },
        { path: 'a/link', mode: '120000', type: 'blob', content: '../a.yaml' },
      ],
    });
    baseTree = tree.sha;
    const { data } = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: baseTree,
      recursive: '1',
    });
    listing = data.tree.map(e => ({
      path: e.path!,
      mode: e.mode!,
      type: e.type as TreeEntry['type'],
      sha: e.sha!,
    }));
  });
  afterAll(async () => {
    await h.stop();
  });

  it('blob SHAs are the ones GitHub lists (UTF-8 bytes, not characters)', () => {
    const byPath = new Map(listing.map(e => [e.path, e.sha]));
    expect(gitBlobSha('grüße ✓\n')).toBe(byPath.get('ünïcode/ß.txt'));
    expect(gitBlobSha('# objects\n')).toBe(byPath.get('README.md'));
    expect(gitBlobSha('')).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'); // git hash-object /dev/null
  });

  it.each([
    ['one new file at the root', ['new.txt']],
    ['a changed file deep down', ['z/y/x/w.txt']],
    [
      'new folders, sorted among files and folders of similar names',
      ['a.b/x.yaml', 'a/a', 'a-a', 'a/b.yaml.d/c', 'a0.yaml'],
    ],
    [
      'a file beside an executable and a symlink',
      ['bin/other.sh', 'bin/run.sh', 'a/linked', 'a/link'],
    ],
    [
      'many files in new nested folders',
      Array.from(
        { length: 12 },
        (_, i) => `clusters/c${i % 3}/apps/app-${i}.yaml`,
      ),
    ],
    ['non-ASCII names', ['ünïcode/ä.txt', 'ünïcode/ß.txt', 'é/x']],
  ])(
    'the root tree SHA of base + files is what POST git/trees answers: %s',
    async (_name, paths) => {
      const files = paths.map((path, i) => ({
        path,
        content: `${path} ${i}\n`,
      }));
      const local = treeShaWithFiles(
        listing,
        files.map(f => ({ path: f.path, sha: gitBlobSha(f.content) })),
      );
      const { data } = await octokit.rest.git.createTree({
        owner,
        repo,
        base_tree: baseTree,
        tree: files.map(f => ({
          path: f.path,
          mode: '100644' as const,
          type: 'blob' as const,
          content: f.content,
        })),
      });
      expect(local).toBe(data.sha);
    },
  );

  it('the base itself when a file is written with its own content', () => {
    expect(
      treeShaWithFiles(listing, [{ path: 'a/b.yaml', sha: gitBlobSha('b\n') }]),
    ).toBe(baseTree);
  });

  it('undefined when a path runs through a file or a file would replace a folder', () => {
    const sha = gitBlobSha('x');
    expect(
      treeShaWithFiles(listing, [{ path: 'a.yaml/x', sha }]),
    ).toBeUndefined();
    expect(treeShaWithFiles(listing, [{ path: 'z/y', sha }])).toBeUndefined();
  });
});
