/*
 * A tiny, dependency-free HTML layer for the simulator's read-only web pages. Every interpolated value is escaped
 * unless it is `SafeHtml` built by `markup` itself, so user input (PR titles, bodies, branch and file names) can only
 * ever appear as text.
 */
import { createHash } from 'node:crypto';
import type { HandlerResult } from '../router';

/** HTML that is already escaped (made by `markup`). */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, c => ESCAPES[c]);
}

type Interpolation =
  | SafeHtml
  | string
  | number
  | boolean
  | null
  | undefined
  | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template: the literal parts are trusted markup, every interpolation is escaped (arrays are concatenated).
 * Deliberately not called `html`: Prettier would reformat the templates' HTML, whitespace in `<pre>` included.
 */
export function markup(
  strings: TemplateStringsArray,
  ...values: Interpolation[]
): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** A path segment list as a URL path, each segment percent-encoded. */
export function urlPath(...segments: string[]): string {
  return `/${segments
    .flatMap(s => s.split('/'))
    .filter(Boolean)
    .map(encodeURIComponent)
    .join('/')}`;
}

/** `2024-05-01T10:20:30Z` → `<time>` showing `2024-05-01 10:20 UTC`. */
export function timeTag(iso: string | null | undefined): SafeHtml {
  if (!iso) return markup``;
  const shown = iso.replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, ' UTC');
  return markup`<time datetime="${iso}">${shown}</time>`;
}

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; background: #ffffff; }
a { color: #0550ae; }
a:focus-visible, [tabindex]:focus-visible { outline: 2px solid #0550ae; outline-offset: 2px; }
.skip { position: absolute; left: -10000px; }
.skip:focus { left: 8px; top: 8px; background: #ffffff; padding: 4px 8px; z-index: 1; }
header.site { background: #24292f; color: #ffffff; padding: 10px 24px; }
header.site a { color: #ffffff; }
header.site nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 16px; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 26px; font-weight: 400; margin: 16px 0 8px; word-break: break-word; }
h1 .number { color: #59636e; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d1d9e0; }
h3 { font-size: 14px; margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.state { display: inline-block; padding: 2px 12px; border-radius: 2em; font-weight: 600; color: #ffffff; }
.state-open { background: #1a7f37; }
.state-merged { background: #8250df; }
.state-closed { background: #cf222e; }
.state-draft { background: #59636e; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 12px 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
ul.inline { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
.label { display: inline-block; padding: 0 8px; border-radius: 2em; font-size: 12px; font-weight: 600; background: #ededed; color: #1f2328; border: 1px solid #d1d9e0; }
.none { color: #59636e; }
pre.body { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; border: 1px solid #d1d9e0; border-radius: 6px; padding: 12px; margin: 0; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: #59636e; padding: 4px 0; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #d1d9e0; vertical-align: top; }
td.num, th.num { text-align: right; }
td.nowrap { white-space: nowrap; }
.add-count { color: #116329; }
.del-count { color: #a40e26; }
section.file { border: 1px solid #d1d9e0; border-radius: 6px; margin: 16px 0; }
section.file > .file-header { background: #f6f8fa; padding: 8px 12px; border-bottom: 1px solid #d1d9e0; display: flex; justify-content: space-between; gap: 12px; }
pre.diff { margin: 0; overflow-x: auto; padding: 0; }
pre.diff span { display: block; padding: 0 12px; min-height: 1.5em; }
pre.diff .add { background: #dafbe1; }
pre.diff .del { background: #ffebe9; }
pre.diff .hunk { background: #ddf4ff; color: #1f2328; }
pre.diff .info { color: #1f2328; font-style: italic; }
.notice { color: #59636e; font-style: italic; padding: 8px 12px; margin: 0; }
nav.filters ul { list-style: none; margin: 8px 0; padding: 0; display: flex; gap: 16px; }
nav.filters a[aria-current="page"] { font-weight: 700; color: #1f2328; }
footer { color: #59636e; font-size: 12px; max-width: 1200px; margin: 0 auto; padding: 0 24px 24px; }
`;

/**
 * The stylesheet is inline; the CSP allows exactly it (by hash) and nothing else: no script, no style attribute, no
 * remote content.
 */
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
const CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageOptions {
  /** Document title (the `<title>`). */
  title: string;
  /** Navigation for the repository the page belongs to. */
  repo?: { fullName: string; defaultBranch?: string };
  content: SafeHtml;
}

export function page(opts: PageOptions): string {
  const nav = opts.repo
    ? markup`<nav aria-label="Repository"><ul>
<li><strong>${opts.repo.fullName}</strong></li>
${
  opts.repo.defaultBranch
    ? markup`<li><a href="${urlPath(
        opts.repo.fullName,
        'tree',
        opts.repo.defaultBranch,
      )}">Files</a></li>`
    : ''
}
<li><a href="${urlPath(opts.repo.fullName, 'pulls')}">Pull requests</a></li>
</ul></nav>`
    : markup`<p>GitHub API simulator</p>`;
  return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${opts.title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">${nav}</header>
<main id="main">
${opts.content}
</main>
<footer><p>Served by github-api-sim, a local simulator of GitHub's API. Read-only view.</p></footer>
</body>
</html>
`.value;
}

/** An HTML response (or plain text for `.diff`), with headers that keep the page inert. */
export function htmlResult(document: string, status = 200): HandlerResult {
  const body = Buffer.from(document, 'utf8');
  return {
    status,
    body,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(body.length),
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    },
  };
}

export function textResult(text: string, status = 200): HandlerResult {
  const body = Buffer.from(text, 'utf8');
  return {
    status,
    body,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(body.length),
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
  };
}

export function notFoundPage(): HandlerResult {
  return htmlResult(
    page({
      title: 'Not Found · github-api-sim',
      content: markup`<h1>Not Found</h1>
<p>There is no such page, or the repository is private.</p>`,
    }),
    404,
  );
}
