/*
 * Read-only web pages at the `html_url`s the API hands out, so a person can follow a pull request link from Backstage:
 *
 *   /{owner}/{repo}/pulls[?state=open|closed|all]   the pull requests
 *   /{owner}/{repo}/pull/{n}[/files|/commits]       one pull request: metadata, description, changed files and diff
 *   /{owner}/{repo}/pull/{n}.diff                   its unified diff as text
 *   /{owner}/{repo}/tree/{ref}[/{dir}]              the files of a branch, tag or commit
 *
 * Public repositories are readable by anyone; private ones only with a token (Authorization header) that covers
 * them, else 404 as on the API. `/{owner}/{repo}` itself is not served: a two-segment route would also catch unknown
 * API paths at the root (`/orgs/x`, `/user/repos`) and hide them from `onUnmatchedRoute`.
 */
import type { TreeEntry } from '../git';
import { refreshPull } from '../routes/pulls';
import type { HandlerContext, HandlerResult, Route } from '../router';
import type { RepoHandle } from '../state';
import type { PullRequest } from '../types';
import { FilePatch, pullDiff } from './diff';
import {
  htmlResult,
  markup,
  notFoundPage,
  page,
  SafeHtml,
  textResult,
  timeTag,
  urlPath,
} from './html';

/** Files listed on a tree page before the rest is summarised. */
const MAX_TREE_ENTRIES = 5000;
/** Commits listed on a pull request page. */
const MAX_COMMITS = 250;

async function visibleRepo(
  ctx: HandlerContext,
): Promise<RepoHandle | undefined> {
  const repo = await ctx.sim.findRepo(ctx.params.owner, ctx.params.repo);
  return repo && ctx.sim.permissionOn(ctx.identity, repo) ? repo : undefined;
}

type DisplayState = 'open' | 'merged' | 'closed';

function displayState(pr: PullRequest): DisplayState {
  if (pr.mergedAt) return 'merged';
  return pr.state;
}

const STATE_TEXT: Record<DisplayState, string> = {
  open: 'Open',
  merged: 'Merged',
  closed: 'Closed',
};

function stateBadge(pr: PullRequest): SafeHtml {
  const state = displayState(pr);
  const draft = pr.draft
    ? markup` <span class="state state-draft">Draft</span>`
    : '';
  return markup`<span class="state state-${state}">${STATE_TEXT[state]}</span>${draft}`;
}

function labelList(labels: string[]): SafeHtml {
  if (labels.length === 0) return markup`<span class="none">None</span>`;
  const items = labels.map(
    name => markup`<li><span class="label">${name}</span></li>`,
  );
  return markup`<ul class="inline" aria-label="Labels">${items}</ul>`;
}

function peopleList(logins: string[], label: string): SafeHtml {
  if (logins.length === 0) return markup`<span class="none">None</span>`;
  const items = logins.map(login => markup`<li>${login}</li>`);
  return markup`<ul class="inline" aria-label="${label}">${items}</ul>`;
}

/** A branch name linking to its files while the branch exists. */
async function branchLink(repo: RepoHandle, ref: string): Promise<SafeHtml> {
  const exists = await repo.git.readRef(`refs/heads/${ref}`);
  return exists
    ? markup`<a href="${urlPath(
        repo.fullName,
        'tree',
        ref,
      )}"><code>${ref}</code></a>`
    : markup`<code>${ref}</code> <span class="none">(deleted)</span>`;
}

const STATUS_TEXT: Record<FilePatch['status'], string> = {
  added: 'Added',
  removed: 'Removed',
  modified: 'Modified',
};

function diffBody(file: FilePatch): SafeHtml {
  if (!file.lines)
    return markup`<p class="notice">The diff of this file is not available.</p>`;
  if (file.lines.length === 0 && file.omitted === 0)
    return markup`<p class="notice">No content changes (an empty file).</p>`;
  const lines = file.lines.map(
    line => markup`<span class="${line.kind}">${line.text}</span>`,
  );
  // Scrollable sideways, so focusable: keyboard users can scroll it too.
  const pre = file.lines.length
    ? markup`<pre class="diff" tabindex="0" aria-label="Diff of ${file.filename}"><code>${lines}</code></pre>`
    : '';
  const omitted = file.omitted
    ? markup`<p class="notice">${file.omitted} more diff lines not shown.</p>`
    : '';
  return markup`${pre}${omitted}`;
}

function diffSection(file: FilePatch, index: number): SafeHtml {
  const id = `diff-${index + 1}`;
  return markup`<section class="file" id="${id}" aria-labelledby="${id}-name">
<div class="file-header"><h3 id="${id}-name">${file.filename}</h3>
<span>${STATUS_TEXT[file.status]} · <span class="add-count">+${
    file.additions
  }</span> <span class="del-count">−${file.deletions}</span></span></div>
${diffBody(file)}
</section>
`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

async function pullPage(ctx: HandlerContext): Promise<HandlerResult> {
  const repo = await visibleRepo(ctx);
  const match = /^(\d+)(\.diff)?$/.exec(ctx.params.pull_number);
  const tab = ctx.params.tab ?? '';
  if (!repo || !match || !['', 'files', 'commits'].includes(tab))
    return notFoundPage();
  const asDiff = match[2] !== undefined;
  if (asDiff && tab) return notFoundPage();
  const found = repo.meta.pulls.find(p => String(p.number) === match[1]);
  if (!found) return notFoundPage();
  const pr = await refreshPull(repo, found);
  const diff = await pullDiff(repo, pr.base.sha, pr.head.sha);
  if (asDiff) return textResult(diff.text);

  const commitShas = await repo.git.revList(pr.head.sha, {
    exclude: diff.from,
    max: MAX_COMMITS,
  });
  const commits = await repo.git.readCommits(commitShas.reverse());
  const additions = diff.files.reduce((n, f) => n + f.additions, 0);
  const deletions = diff.files.reduce((n, f) => n + f.deletions, 0);
  const state = displayState(pr);
  const [baseLink, headLink] = await Promise.all([
    branchLink(repo, pr.base.ref),
    branchLink(repo, pr.head.ref),
  ]);

  const summary =
    state === 'merged'
      ? markup`merged ${plural(commits.length, 'commit', 'commits')} into`
      : markup`wants to merge ${plural(
          commits.length,
          'commit',
          'commits',
        )} into`;
  let ended: SafeHtml | string = '';
  if (pr.mergedAt) {
    const by = pr.mergedBy ? markup` by ${pr.mergedBy}` : '';
    const as = pr.mergeCommitSha
      ? markup` as <code>${pr.mergeCommitSha.slice(0, 7)}</code>`
      : '';
    ended = markup`<dt>Merged</dt><dd>${timeTag(pr.mergedAt)}${by}${as}</dd>`;
  } else if (pr.closedAt) {
    ended = markup`<dt>Closed</dt><dd>${timeTag(pr.closedAt)}</dd>`;
  }
  const description = pr.body
    ? markup`<pre class="body">${pr.body}</pre>`
    : markup`<p class="none">No description provided.</p>`;
  const commitList = commits.length
    ? markup`<ol>${commits.map(
        c =>
          markup`<li><code>${c.sha.slice(0, 7)}</code> ${
            c.message.split('\n')[0]
          } <span class="none">— ${c.author.name}, ${timeTag(
            c.author.date,
          )}</span></li>`,
      )}</ol>`
    : markup`<p class="none">No commits.</p>`;
  const fileRows = diff.files.map(
    (f, i) =>
      markup`<tr><td><a href="#diff-${i + 1}"><code>${
        f.filename
      }</code></a></td><td>${
        STATUS_TEXT[f.status]
      }</td><td class="num add-count">+${
        f.additions
      }</td><td class="num del-count">−${f.deletions}</td></tr>
`,
  );
  const files = diff.files.length
    ? markup`<table>
<caption>${plural(
        diff.files.length,
        'file',
        'files',
      )} changed, ${additions} additions, ${deletions} deletions (${
        pr.base.ref
      }...${pr.head.ref})</caption>
<thead><tr><th scope="col">File</th><th scope="col">Change</th><th scope="col" class="num">Additions</th><th scope="col" class="num">Deletions</th></tr></thead>
<tbody>
${fileRows}</tbody>
</table>
${diff.files.map(diffSection)}`
    : markup`<p class="none">No files changed.</p>`;

  const content = markup`<h1>${pr.title} <span class="number">#${
    pr.number
  }</span></h1>
<p>${stateBadge(pr)} <strong>${pr.user}</strong> ${summary} <code>${
    pr.base.ref
  }</code> from <code>${pr.head.ref}</code></p>
<dl class="meta">
<dt>State</dt><dd>${STATE_TEXT[state]}${pr.draft ? ' (draft)' : ''}</dd>
<dt>Author</dt><dd>${pr.user}</dd>
<dt>Branches</dt><dd>${baseLink} ← ${headLink} <span class="none">(base ← head)</span></dd>
<dt>Labels</dt><dd>${labelList(pr.labels)}</dd>
<dt>Requested reviewers</dt><dd>${peopleList(
    [...pr.requestedReviewers, ...pr.requestedTeams.map(t => `team ${t}`)],
    'Requested reviewers',
  )}</dd>
<dt>Assignees</dt><dd>${peopleList(pr.assignees, 'Assignees')}</dd>
<dt>Opened</dt><dd>${timeTag(pr.createdAt)}</dd>
<dt>Updated</dt><dd>${timeTag(pr.updatedAt)}</dd>
${ended}
<dt>Head commit</dt><dd><code>${pr.head.sha}</code></dd>
<dt>Raw diff</dt><dd><a href="${urlPath(
    repo.fullName,
    'pull',
    `${pr.number}.diff`,
  )}">${pr.number}.diff</a></dd>
</dl>
<section aria-labelledby="description">
<h2 id="description">Description</h2>
${description}
</section>
<section aria-labelledby="commits">
<h2 id="commits">Commits (${commits.length})</h2>
${commitList}
</section>
<section aria-labelledby="files">
<h2 id="files">Files changed (${diff.files.length})</h2>
${files}
</section>`;
  return htmlResult(
    page({
      title: `${pr.title} · Pull Request #${pr.number} · ${repo.fullName}`,
      repo: {
        fullName: repo.fullName,
        defaultBranch: await repo.git.defaultBranch(),
      },
      content,
    }),
  );
}

const STATE_FILTERS = ['open', 'closed', 'all'] as const;
type StateFilter = (typeof STATE_FILTERS)[number];

async function pullsPage(ctx: HandlerContext): Promise<HandlerResult> {
  const repo = await visibleRepo(ctx);
  if (!repo) return notFoundPage();
  const requested = ctx.query.get('state') ?? 'open';
  const filter: StateFilter = (STATE_FILTERS as readonly string[]).includes(
    requested,
  )
    ? (requested as StateFilter)
    : 'open';
  const all = [...repo.meta.pulls].sort((a, b) => b.number - a.number);
  const matches = (f: StateFilter) =>
    all.filter(p => f === 'all' || p.state === f);
  const shown = matches(filter);
  const filterLinks = STATE_FILTERS.map(f => {
    const current = f === filter ? markup` aria-current="page"` : '';
    return markup`<li><a href="${urlPath(
      repo.fullName,
      'pulls',
    )}?state=${f}"${current}>${f[0].toUpperCase()}${f.slice(1)} (${
      matches(f).length
    })</a></li>`;
  });
  const rows = shown.map(
    pr => markup`<tr>
<td class="num">#${pr.number}</td>
<td><a href="${urlPath(repo.fullName, 'pull', String(pr.number))}">${
      pr.title
    }</a></td>
<td>${stateBadge(pr)}</td>
<td><code>${pr.base.ref}</code> ← <code>${pr.head.ref}</code></td>
<td class="nowrap">${pr.user}</td>
<td>${labelList(pr.labels)}</td>
<td class="nowrap">${timeTag(pr.updatedAt)}</td>
</tr>
`,
  );
  const which = filter === 'all' ? '' : `${filter} `;
  const table = shown.length
    ? markup`<table>
<caption>${shown.length} ${which}pull ${
        shown.length === 1 ? 'request' : 'requests'
      } in ${repo.fullName}</caption>
<thead><tr><th scope="col" class="num">Number</th><th scope="col">Title</th><th scope="col">State</th><th scope="col">Branches (base ← head)</th><th scope="col">Author</th><th scope="col">Labels</th><th scope="col">Updated</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`
    : markup`<p class="none">No ${which}pull requests.</p>`;
  const content = markup`<h1>Pull requests</h1>
<nav class="filters" aria-label="Filter by state"><ul>${filterLinks}</ul></nav>
${table}`;
  return htmlResult(
    page({
      title: `Pull requests · ${repo.fullName}`,
      repo: {
        fullName: repo.fullName,
        defaultBranch: await repo.git.defaultBranch(),
      },
      content,
    }),
  );
}

/** Splits `main/clusters/x` into the longest prefix naming a commit and the directory after it. */
async function resolveTreePath(
  repo: RepoHandle,
  rest: string,
): Promise<{ ref: string; commit: string; dir: string } | undefined> {
  const segments = rest.split('/').filter(Boolean);
  for (let n = segments.length; n > 0; n--) {
    const ref = segments.slice(0, n).join('/');
    const commit = await repo.git.resolve(ref, 'commit');
    if (commit) return { ref, commit, dir: segments.slice(n).join('/') };
  }
  return undefined;
}

async function treePage(ctx: HandlerContext): Promise<HandlerResult> {
  const repo = await visibleRepo(ctx);
  if (!repo) return notFoundPage();
  const defaultBranch = await repo.git.defaultBranch();
  const nav = { fullName: repo.fullName, defaultBranch };
  const target = await resolveTreePath(repo, ctx.params.ref);
  if (!target) {
    if (ctx.params.ref === defaultBranch && !(await repo.git.hasBranches())) {
      return htmlResult(
        page({
          title: repo.fullName,
          repo: nav,
          content: markup`<h1>${repo.fullName}</h1>
<p class="none">This repository is empty.</p>`,
        }),
      );
    }
    return notFoundPage();
  }
  const prefix = target.dir ? `${target.dir}/` : '';
  let entries: TreeEntry[] = (
    await repo.git.listTree(target.commit, { recursive: true, sizes: true })
  ).filter(e => e.type !== 'tree' && e.path.startsWith(prefix));
  if (target.dir && entries.length === 0) return notFoundPage();
  const total = entries.length;
  entries = entries.slice(0, MAX_TREE_ENTRIES);
  const where = target.dir ? `${target.ref}/${target.dir}` : target.ref;
  const under = target.dir ? markup` under <code>${target.dir}</code>` : '';
  const cut = total > entries.length ? `, first ${entries.length} shown` : '';
  const rows = entries.map(
    e => markup`<tr><td><code>${e.path}</code></td><td><code>${
      e.mode
    }</code></td><td class="num">${e.size ?? ''}</td></tr>
`,
  );
  const content = markup`<h1>${
    repo.fullName
  } <span class="number">at ${where}</span></h1>
<p>Commit <code>${target.commit}</code></p>
<table>
<caption>${plural(total, 'file', 'files')}${under}${cut}</caption>
<thead><tr><th scope="col">Path</th><th scope="col">Mode</th><th scope="col" class="num">Size (bytes)</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`;
  return htmlResult(
    page({ title: `${where} · ${repo.fullName}`, repo: nav, content }),
  );
}

/** Registered after the API routes: API paths always win. */
export const webRoutes: Route[] = [
  { method: 'GET', template: '/{owner}/{repo}/pulls', handler: pullsPage },
  {
    method: 'GET',
    template: '/{owner}/{repo}/pull/{pull_number}/{tab*}',
    handler: pullPage,
  },
  { method: 'GET', template: '/{owner}/{repo}/tree/{ref+}', handler: treePage },
];
