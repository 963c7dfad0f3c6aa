import { InputError } from '@backstage/errors';
import { redactSecrets, registerSecret } from './errors';
import {
  assertOwnBranch,
  derivedBranchName,
  inputsDigest,
  parseTrailers,
  targetDigest,
  withMarker,
  withTrailers,
} from './ownership';

const repo = {
  owner: 'acme',
  repo: 'fleet',
  baseBranch: 'main',
  defaultBranch: 'main',
};
const id = {
  action: 'gitops:secrets:bootstrap',
  target: 'clusters/a',
  inputs: 'abc',
};

describe('ownership', () => {
  it('writes trailers as the last paragraph, which parseTrailers reads back (a forged earlier paragraph is ignored)', () => {
    const message = withTrailers(
      'Title\n\nGolden-Gitops-Action: gitops:cluster:create-leaf',
      repo,
      id,
    );
    expect(parseTrailers(message)).toEqual({
      'Golden-Gitops-Action': 'gitops:secrets:bootstrap',
      'Golden-Gitops-Target': targetDigest(repo, id),
      'Golden-Gitops-Inputs': 'abc',
    });
  });

  it('the target digest depends on repository, target branch, action and target', () => {
    const d = targetDigest(repo, id);
    expect(targetDigest({ ...repo, owner: 'ACME' }, id)).toBe(d);
    expect(targetDigest({ ...repo, baseBranch: 'release' }, id)).not.toBe(d);
    expect(targetDigest(repo, { ...id, target: 'clusters/b' })).not.toBe(d);
    expect(targetDigest(repo, { ...id, action: 'x' })).not.toBe(d);
  });

  it('derived branch names differ by inputs, not by token or PR text', () => {
    const a = derivedBranchName('eso-bootstrap', 'clusters-a', {
      clusterPath: 'clusters/a',
      x: 1,
    });
    expect(a).toMatch(/^eso-bootstrap\/clusters-a-[0-9a-f]{8}$/);
    expect(
      derivedBranchName('eso-bootstrap', 'clusters-a', {
        clusterPath: 'clusters/a',
        x: 2,
      }),
    ).not.toBe(a);
    expect(
      derivedBranchName('eso-bootstrap', 'clusters-a', {
        clusterPath: 'clusters/a',
        x: 1,
        token: 't',
        title: 'T',
      }),
    ).toBe(a);
    expect(inputsDigest({ token: 'secret' })).toBe(inputsDigest({}));
  });

  it('accepts a branch of our commits and our PR; a merged branch whose head is ours; refuses the rest', () => {
    const ours = withTrailers('x', repo, id);
    const head = {
      sha: 'a'.repeat(40),
      treeSha: 't',
      parents: ['b'],
      parentCount: 1,
      message: ours,
      author: 'bot',
    };
    const pull = {
      number: 1,
      url: '',
      title: '',
      body: withMarker('Body', repo, id),
      baseRef: 'main',
      labels: [],
    };
    const ok = {
      head,
      pulls: [pull],
      compare: { aheadBy: 1, commits: [{ oid: head.sha, message: ours }] },
    };
    expect(() => assertOwnBranch(ok, repo, 'b', id)).not.toThrow();
    expect(() =>
      assertOwnBranch(
        { ...ok, compare: { aheadBy: 0, commits: [] } },
        repo,
        'b',
        id,
      ),
    ).not.toThrow();
    const refused = [
      {
        ...ok,
        compare: { aheadBy: 0, commits: [] },
        head: { ...head, message: 'theirs' },
      },
      {
        ...ok,
        compare: { aheadBy: 2, commits: [{ oid: 'c', message: ours }] },
      },
      { ...ok, compare: undefined },
      { ...ok, pulls: [{ ...pull, body: 'Body' }] },
      { ...ok, protectedBy: 'b*' },
    ];
    for (const state of refused)
      expect(() => assertOwnBranch(state, repo, 'b', id)).toThrow(InputError);
    expect(() => assertOwnBranch({ pulls: [] }, repo, 'main', id)).toThrow(
      /target branch/,
    );
    expect(() =>
      assertOwnBranch(
        { pulls: [] },
        { ...repo, baseBranch: 'release' },
        'main',
        id,
      ),
    ).toThrow(/default branch/);
  });

  it('redacts registered secrets (also split at line breaks) and credential shapes', () => {
    registerSecret('s3cret-value-1234\r\nsecond-line-5678');
    const text = redactSecrets(
      'a s3cret-value-1234 b second-line-5678 c ghp_abcdefghijklmnop0123 Authorization: token-xyz ' +
        'Headers.append: "token abc\r\n" is an invalid header value. -----BEGIN RSA PRIVATE KEY-----\nMII\n-----END RSA PRIVATE KEY-----',
    );
    expect(text).not.toMatch(
      /s3cret|second-line|ghp_abc|token-xyz|token abc|MII/,
    );
    expect(redactSecrets('configure a token or a GitHub App')).toBe(
      'configure a token or a GitHub App',
    );
  });
});
