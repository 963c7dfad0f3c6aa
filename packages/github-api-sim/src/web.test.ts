import { Octokit } from '@octokit/rest';
import { escapeHtml, markup } from './web/html';
import { splitPatch } from './web/diff';
import { allowFetchTo, GithubApiSim, startGithubApiSim } from './index';

// Every request spawns git at least once; on a loaded two-core machine that adds up.
jest.setTimeout(60_000);

const owner = 'acme';
const XSS_TITLE = 'Add <script>alert("title")</script> & friends';
const XSS_BODY =
  'Creates the cluster.\n\n<script>alert(1)</script>\n<img src=x onerror="alert(2)">\n```sh\nkubectl apply -f x\n```';

async function getPage(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url, {
    headers: { accept: 'text/html', ...headers },
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    text: await res.text(),
  };
}

describe('web view of pull requests', () => {
  let sim: GithubApiSim;
  let octokit: Octokit;
  let restoreFetch: () => void;
  const unmatched: string[] = [];

  beforeAll(async () => {
    sim = await startGithubApiSim({
      onUnmatchedRoute: (method, path) => unmatched.push(`${method} ${path}`),
    });
    restoreFetch = allowFetchTo(sim.url);
    octokit = new Octokit({ baseUrl: sim.apiBaseUrl, auth: sim.adminToken });
  });

  afterAll(async () => {
    restoreFetch();
    await sim.stop();
  });

  /** A repository with a branch that modifies, adds and removes a file, and a PR for it. */
  async function openPull(
    repo: string,
    opts: {
      title?: string;
      body?: string;
      draft?: boolean;
      private?: boolean;
    } = {},
  ) {
    const { headSha } = await sim.createRepo(`${owner}/${repo}`, {
      private: opts.private,
      files: {
        'README.md': '# fleet\n',
        'clusters/no-eso/kustomization.yaml': 'resources:\n  - flux-system\n',
        'clusters/old.yaml': 'old: true\n',
      },
    });
    const branch = 'gitops-secrets/no-eso';
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: `refs/heads/${branch}`,
      sha: headSha,
    });
    const put = async (path: string, content: string, sha?: string) =>
      octokit.rest.repos.createOrUpdateFileContents({
        owner,
        repo,
        branch,
        path,
        sha,
        message: `Write ${path}`,
        content: Buffer.from(content).toString('base64'),
      });
    await put(
      'clusters/no-eso/external-secrets/crds.yaml',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n',
    );
    const { data: existing } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: 'clusters/no-eso/kustomization.yaml',
      ref: branch,
    });
    await put(
      'clusters/no-eso/kustomization.yaml',
      'resources:\n  - flux-system\n  - external-secrets\n',
      (existing as { sha: string }).sha,
    );
    const { data: old } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: 'clusters/old.yaml',
      ref: branch,
    });
    await octokit.rest.repos.deleteFile({
      owner,
      repo,
      branch,
      path: 'clusters/old.yaml',
      sha: (old as { sha: string }).sha,
      message: 'Remove old.yaml',
    });
    const { data: pr } = await octokit.rest.pulls.create({
      owner,
      repo,
      head: branch,
      base: 'main',
      title: opts.title ?? XSS_TITLE,
      body: opts.body ?? XSS_BODY,
      draft: opts.draft,
    });
    return { pr, branch };
  }

  it('serves the pull request at its html_url: title, state, branches, labels, reviewers, files and diff', async () => {
    const { pr, branch } = await openPull('fleet');
    await octokit.rest.issues.addLabels({
      owner,
      repo: 'fleet',
      issue_number: pr.number,
      labels: ['gitops', 'external-secrets'],
    });
    await octokit.rest.pulls.requestReviewers({
      owner,
      repo: 'fleet',
      pull_number: pr.number,
      reviewers: ['platform-lead'],
    });
    expect(pr.html_url).toBe(`${sim.url}/acme/fleet/pull/1`);

    // Anonymous, as a browser following the link: the demo repositories are public.
    const page = await getPage(pr.html_url);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    const text = page.text;

    expect(text).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(text).toContain(
      '<title>Add &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; friends · Pull Request #1 · acme/fleet</title>',
    );
    expect(text).toContain(
      '<h1>Add &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; friends <span class="number">#1</span></h1>',
    );
    expect(text).toContain('<span class="state state-open">Open</span>');
    expect(text).toContain(`<code>main</code>`);
    expect(text).toContain(`<code>${branch}</code>`);
    expect(text).toContain(
      `<a href="/acme/fleet/tree/gitops-secrets/no-eso"><code>${branch}</code></a>`,
    );
    expect(text).toContain('<strong>sim-admin</strong>');
    expect(text).toContain(
      '<ul class="inline" aria-label="Labels"><li><span class="label">gitops</span></li><li><span class="label">external-secrets</span></li></ul>',
    );
    expect(text).toContain(
      '<ul class="inline" aria-label="Requested reviewers"><li>platform-lead</li></ul>',
    );

    // The body is text, never markup.
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/<img/i);

    // Files: a table with header cells, then each file's diff.
    expect(text).toContain('<h2 id="files">Files changed (3)</h2>');
    expect(text).toContain('<th scope="col">File</th>');
    for (const file of [
      'clusters/no-eso/external-secrets/crds.yaml',
      'clusters/no-eso/kustomization.yaml',
      'clusters/old.yaml',
    ]) {
      expect(text).toContain(`<code>${file}</code></a></td>`);
      expect(text).toMatch(new RegExp(`<h3 id="diff-\\d-name">${file}</h3>`));
    }
    expect(text).toContain('<td>Added</td>');
    expect(text).toContain('<td>Removed</td>');
    expect(text).toContain('<td>Modified</td>');
    expect(text).toContain(
      '<span class="add">+apiVersion: kustomize.toolkit.fluxcd.io/v1</span>',
    );
    expect(text).toContain('<span class="add">+  - external-secrets</span>');
    expect(text).toContain('<span class="context">   - flux-system</span>');
    expect(text).toContain('<span class="del">-old: true</span>');
    expect(text).toMatch(/<span class="hunk">@@ -1,2 \+1,3 @@<\/span>/);
    // Three commits on the branch, oldest first.
    expect(text).toContain('<h2 id="commits">Commits (3)</h2>');
    expect(
      text.indexOf('Write clusters/no-eso/external-secrets/crds.yaml'),
    ).toBeLessThan(text.indexOf('Remove old.yaml'));

    // GitHub's tab URLs show the same page.
    expect((await getPage(`${pr.html_url}/files`)).text).toContain(
      'Files changed (3)',
    );
  });

  it('sends headers that keep the page inert', async () => {
    const res = await fetch(`${sim.url}/acme/fleet/pull/1`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('script-src');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Number(res.headers.get('content-length'))).toBe(
      Buffer.byteLength(await res.text()),
    );
  });

  it('serves the raw diff at diff_url', async () => {
    const { data: pr } = await octokit.rest.pulls.get({
      owner,
      repo: 'fleet',
      pull_number: 1,
    });
    const res = await fetch(pr.diff_url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await res.text();
    expect(text).toContain(
      'diff --git a/clusters/no-eso/external-secrets/crds.yaml b/clusters/no-eso/external-secrets/crds.yaml',
    );
    expect(text).toContain('+  - external-secrets\n');
  });

  it('lists pull requests, linking to each, with state filters', async () => {
    const list = await getPage(`${sim.url}/acme/fleet/pulls`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('<title>Pull requests · acme/fleet</title>');
    expect(list.text).toContain(
      '<a href="/acme/fleet/pull/1">Add &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; friends</a>',
    );
    expect(list.text).toContain(
      '<a href="/acme/fleet/pulls?state=open" aria-current="page">Open (1)</a>',
    );
    expect(list.text).toContain(
      '<caption>1 open pull request in acme/fleet</caption>',
    );
    expect(list.text).not.toMatch(/<script/i);

    const closed = await getPage(`${sim.url}/acme/fleet/pulls?state=closed`);
    expect(closed.text).toContain('No closed pull requests.');
  });

  it('shows a merged pull request as merged, with its diff after the branch is gone', async () => {
    await octokit.rest.pulls.merge({ owner, repo: 'fleet', pull_number: 1 });
    await octokit.rest.git.deleteRef({
      owner,
      repo: 'fleet',
      ref: 'heads/gitops-secrets/no-eso',
    });
    const { text } = await getPage(`${sim.url}/acme/fleet/pull/1`);
    expect(text).toContain('<span class="state state-merged">Merged</span>');
    expect(text).toContain(
      '<code>gitops-secrets/no-eso</code> <span class="none">(deleted)</span>',
    );
    expect(text).toContain('Files changed (3)');
    expect(text).toContain('<span class="del">-old: true</span>');

    const all = await getPage(`${sim.url}/acme/fleet/pulls?state=all`);
    expect(all.text).toContain(
      '<span class="state state-merged">Merged</span>',
    );
  });

  it('shows drafts and closed pull requests', async () => {
    const { pr } = await openPull('drafts', {
      title: 'Draft PR',
      body: '',
      draft: true,
    });
    let { text } = await getPage(pr.html_url);
    expect(text).toContain('<span class="state state-draft">Draft</span>');
    expect(text).toContain('No description provided.');
    await octokit.rest.pulls.update({
      owner,
      repo: 'drafts',
      pull_number: pr.number,
      state: 'closed',
    });
    ({ text } = await getPage(pr.html_url));
    expect(text).toContain('<span class="state state-closed">Closed</span>');
  });

  it('lists the files of a branch, optionally under a folder', async () => {
    const tree = await getPage(`${sim.url}/acme/fleet/tree/main`);
    expect(tree.status).toBe(200);
    expect(tree.text).toContain(
      '<code>clusters/no-eso/external-secrets/crds.yaml</code>',
    );
    expect(tree.text).toContain('<code>README.md</code>');
    expect(tree.text).not.toContain('<code>clusters/old.yaml</code>');

    const folder = await getPage(
      `${sim.url}/acme/fleet/tree/main/clusters/no-eso`,
    );
    expect(folder.status).toBe(200);
    expect(folder.text).toContain('under <code>clusters/no-eso</code>');
    expect(folder.text).not.toContain('<code>README.md</code>');

    expect((await getPage(`${sim.url}/acme/fleet/tree/nope`)).status).toBe(404);
  });

  it('answers 404 for unknown pull requests and repositories, and hides private ones from anonymous readers', async () => {
    expect((await getPage(`${sim.url}/acme/fleet/pull/99`)).status).toBe(404);
    expect((await getPage(`${sim.url}/acme/fleet/pull/abc`)).status).toBe(404);
    expect((await getPage(`${sim.url}/acme/fleet/pull/1/nope`)).status).toBe(
      404,
    );
    expect((await getPage(`${sim.url}/acme/missing/pulls`)).status).toBe(404);

    const { pr } = await openPull('secret', { private: true });
    const anonymous = await getPage(pr.html_url);
    expect(anonymous.status).toBe(404);
    expect(anonymous.type).toBe('text/html; charset=utf-8');
    expect(anonymous.text).not.toContain('gitops-secrets/no-eso');
    expect((await getPage(`${sim.url}/acme/secret/pulls`)).status).toBe(404);
    expect((await getPage(`${sim.url}/acme/secret/tree/main`)).status).toBe(
      404,
    );

    sim.addToken('reader', {
      login: 'reader',
      repos: ['acme/secret'],
      permission: 'read',
    });
    const withToken = await getPage(pr.html_url, {
      authorization: 'token reader',
    });
    expect(withToken.status).toBe(200);
    expect(withToken.text).toContain('Files changed (3)');
  });

  it('leaves the API alone: API paths answer JSON and unknown API paths are still reported', async () => {
    const res = await fetch(
      `${sim.apiBaseUrl}/repos/acme/fleet/pulls?state=all`,
      {
        headers: { authorization: `token ${sim.adminToken}` },
      },
    );
    expect(res.headers.get('content-type')).toBe(
      'application/json; charset=utf-8',
    );
    expect((await res.json())[0].html_url).toBe(`${sim.url}/acme/fleet/pull/1`);

    unmatched.length = 0;
    await fetch(`${sim.apiBaseUrl}/orgs/acme`);
    await fetch(`${sim.url}/acme/fleet`);
    expect(unmatched).toEqual(['GET /orgs/acme', 'GET /acme/fleet']);
  });
});

describe('html helpers', () => {
  it('escapes every interpolation unless it is markup itself', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    const inner = markup`<b>${'<i>'}</b>`;
    expect(
      markup`<p title="${'"x"'}">${inner}${['<', 1, null, false]}</p>`.value,
    ).toBe('<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&lt;1</p>');
  });

  it('splits a patch per file, keeping hunks or git notes', () => {
    const chunks = splitPatch(
      [
        'diff --git a/a.txt b/a.txt',
        'index 1..2 100644',
        '--- a/a.txt',
        '+++ b/a.txt',
        '@@ -1 +1 @@',
        '-x',
        '+diff --git y',
        'diff --git a/b.bin b/b.bin',
        'new file mode 100644',
        'index 0..3',
        'Binary files /dev/null and b/b.bin differ',
        '',
      ].join('\n'),
    );
    expect(chunks).toEqual([
      [
        { kind: 'hunk', text: '@@ -1 +1 @@' },
        { kind: 'del', text: '-x' },
        { kind: 'add', text: '+diff --git y' },
      ],
      [
        { kind: 'info', text: 'new file mode 100644' },
        { kind: 'info', text: 'Binary files /dev/null and b/b.bin differ' },
      ],
    ]);
  });
});
