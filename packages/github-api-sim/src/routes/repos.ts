/*
 * Repository, branches, commits, compare and contents.
 */
import { ApiError, notFound, unprocessable } from '../errors';
import type { TreeEntry } from '../git';
import { ZERO_SHA } from '../git';
import type { HandlerContext, Route } from '../router';
import {
  diffFileJson,
  gitCommitJson,
  repoApiUrl,
  repoJson,
  restCommitJson,
} from '../shapes';
import { buildTree, normalizeTreePath } from '../treeBuilder';
import {
  actingPerson,
  bodyObject,
  paginate,
  pagination,
  requireString,
  resolveCommitish,
  wantsRaw,
  wrappedBase64,
  writeRef,
} from './common';

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

async function commitWithFiles(ctx: HandlerContext, sha: string) {
  const commit = (await ctx.repo.git.readCommit(sha))!;
  const files = await ctx.repo.git.diffFiles(
    commit.parents[0] ?? EMPTY_TREE,
    sha,
  );
  const json = restCommitJson(ctx.sim, ctx.repo, commit);
  const additions = files.reduce((n, f) => n + f.additions, 0);
  const deletions = files.reduce((n, f) => n + f.deletions, 0);
  return {
    ...json,
    stats: { total: additions + deletions, additions, deletions },
    files: files.map(f => diffFileJson(ctx.sim, ctx.repo, f, sha)),
  };
}

const CONTENT_TYPES: Record<string, string> = {
  tree: 'dir',
  commit: 'submodule',
};

function compareStatus(
  ahead: number,
  behind: number,
): 'identical' | 'ahead' | 'behind' | 'diverged' {
  if (ahead === 0) return behind === 0 ? 'identical' : 'behind';
  return behind === 0 ? 'ahead' : 'diverged';
}

function contentEntryJson(ctx: HandlerContext, entry: TreeEntry, ref: string) {
  const api = repoApiUrl(ctx.sim, ctx.repo);
  let type = CONTENT_TYPES[entry.type] ?? 'file';
  if (entry.mode === '120000') type = 'symlink';
  const name = entry.path.split('/').pop()!;
  const self = `${api}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${api}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${
    entry.sha
  }`;
  const html = `${ctx.sim.url}/${ctx.repo.fullName}/${
    entry.type === 'tree' ? 'tree' : 'blob'
  }/${ref}/${entry.path}`;
  return {
    type,
    size: entry.size ?? 0,
    name,
    path: entry.path,
    sha: entry.sha,
    url: self,
    git_url: gitUrl,
    html_url: html,
    download_url:
      type === 'file'
        ? `${ctx.sim.url}/${ctx.repo.fullName}/raw/${ref}/${entry.path}`
        : null,
    _links: { self, git: gitUrl, html },
  };
}

async function fileJson(ctx: HandlerContext, entry: TreeEntry, ref: string) {
  const content = (await ctx.repo.git.readBlob(entry.sha)) ?? Buffer.alloc(0);
  const base = contentEntryJson(ctx, entry, ref);
  if (base.type === 'symlink')
    return { ...base, target: content.toString('utf8') };
  return { ...base, content: wrappedBase64(content), encoding: 'base64' };
}

/** Branch to write to for the contents API; undefined `head` when the repository has no commits yet. */
async function targetBranch(ctx: HandlerContext, requested: unknown) {
  const branch =
    typeof requested === 'string' && requested
      ? requested
      : await ctx.repo.git.defaultBranch();
  const ref = `refs/heads/${branch}`;
  const head = await ctx.repo.git.readRef(ref);
  if (!head && (await ctx.repo.git.hasBranches())) {
    throw new ApiError(404, `Branch ${branch} not found`);
  }
  return { branch, ref, head };
}

async function commitSingleChange(
  ctx: HandlerContext,
  target: { ref: string; head?: string },
  change: { path: string; sha: string | null; mode: string },
  body: Record<string, any>,
) {
  const parentTree = target.head
    ? (await ctx.repo.git.readCommit(target.head))!.tree
    : undefined;
  const tree = await buildTree(ctx.repo.git, parentTree, [change]);
  const author = actingPerson(ctx, body.author ?? body.committer);
  const committer = body.committer
    ? actingPerson(ctx, body.committer)
    : { ...author };
  const sha = await ctx.repo.git.writeCommit({
    tree,
    parents: target.head ? [target.head] : [],
    author,
    committer,
    message: requireString(body, 'message'),
  });
  await writeRef(ctx, target.ref, sha, target.head ?? ZERO_SHA);
  return (await ctx.repo.git.readCommit(sha))!;
}

export const repoRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    async handler(ctx) {
      // GitHub reports `permissions` only to authenticated callers.
      const permission = ctx.identity.grant ? ctx.permission : undefined;
      return {
        body: repoJson(
          ctx.sim,
          ctx.repo,
          await ctx.repo.git.defaultBranch(),
          permission,
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/branches',
    async handler(ctx) {
      const refs = await ctx.repo.git.listRefs('refs/heads/');
      const branches = refs.map(r => {
        const name = r.ref.slice('refs/heads/'.length);
        return {
          name,
          commit: {
            sha: r.sha,
            url: `${repoApiUrl(ctx.sim, ctx.repo)}/commits/${r.sha}`,
          },
          protected: ctx.repo.protectionRuleFor(name) !== undefined,
        };
      });
      return paginate(ctx, `/repos/${ctx.repo.fullName}/branches`, branches);
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/branches/{branch+}',
    async handler(ctx) {
      const sha = await ctx.repo.git.readRef(`refs/heads/${ctx.params.branch}`);
      if (!sha) throw new ApiError(404, 'Branch not found');
      const commit = (await ctx.repo.git.readCommit(sha))!;
      const api = repoApiUrl(ctx.sim, ctx.repo);
      const protectedBranch =
        ctx.repo.protectionRuleFor(ctx.params.branch) !== undefined;
      return {
        body: {
          name: ctx.params.branch,
          commit: restCommitJson(ctx.sim, ctx.repo, commit),
          _links: {
            self: `${api}/branches/${ctx.params.branch}`,
            html: `${ctx.sim.url}/${ctx.repo.fullName}/tree/${ctx.params.branch}`,
          },
          protected: protectedBranch,
          protection: {
            enabled: protectedBranch,
            required_status_checks: {
              enforcement_level: 'off',
              contexts: [],
              checks: [],
            },
          },
          protection_url: `${api}/branches/${ctx.params.branch}/protection`,
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits',
    async handler(ctx) {
      if (!(await ctx.repo.git.hasBranches())) {
        throw new ApiError(409, 'Git Repository is empty.');
      }
      const ref = ctx.query.get('sha') || (await ctx.repo.git.defaultBranch());
      const head = await resolveCommitish(ctx.repo, ref);
      if (!head) throw new ApiError(404, `No commit found for SHA: ${ref}`);
      const { perPage, page } = pagination(ctx.query);
      const shas = await ctx.repo.git.revList(head, {
        max: perPage + 1,
        skip: (page - 1) * perPage,
        path: ctx.query.get('path') || undefined,
      });
      const commits = await ctx.repo.git.readCommits(shas.slice(0, perPage));
      const headers: Record<string, string> = {};
      if (shas.length > perPage) {
        const next = new URLSearchParams(ctx.query);
        next.set('page', String(page + 1));
        headers.link = `<${ctx.sim.url}/api/v3/repos/${ctx.repo.fullName}/commits?${next}>; rel="next"`;
      }
      return {
        body: commits.map(c => restCommitJson(ctx.sim, ctx.repo, c)),
        headers,
      };
    },
  },
  // Before commits/{ref+}, which would take `main/status` for a ref. Backstage's UrlReader asks this for the
  // commit a ref names and the repository's URLs; the simulator records no statuses, so it is always pending.
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref+}/status',
    async handler(ctx) {
      const sha = await resolveCommitish(ctx.repo, ctx.params.ref);
      if (!sha)
        throw unprocessable(`No commit found for SHA: ${ctx.params.ref}`);
      const api = repoApiUrl(ctx.sim, ctx.repo);
      return {
        body: {
          state: 'pending',
          statuses: [],
          sha,
          total_count: 0,
          repository: repoJson(
            ctx.sim,
            ctx.repo,
            await ctx.repo.git.defaultBranch(),
          ),
          commit_url: `${api}/commits/${sha}`,
          url: `${api}/commits/${sha}/status`,
        },
      };
    },
  },
  // GitHub answers with a redirect to codeload; the simulator sends the archive itself. Same layout: one
  // top-level folder `<owner>-<repo>-<short sha>/`, gzip-compressed tar.
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/tarball/{ref*}',
    async handler(ctx) {
      if (!(await ctx.repo.git.hasBranches()))
        throw new ApiError(404, 'This repository is empty.');
      const ref = ctx.params.ref || (await ctx.repo.git.defaultBranch());
      const sha = await resolveCommitish(ctx.repo, ref);
      if (!sha) throw notFound();
      const folder = `${ctx.repo.fullName.replace('/', '-')}-${sha.slice(
        0,
        7,
      )}`;
      const { stdout } = await ctx.repo.git.git([
        'archive',
        '--format=tar.gz',
        `--prefix=${folder}/`,
        sha,
      ]);
      return {
        body: stdout,
        headers: {
          'content-type': 'application/x-gzip',
          'content-disposition': `attachment; filename=${folder}.tar.gz`,
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref+}',
    async handler(ctx) {
      const sha = await resolveCommitish(ctx.repo, ctx.params.ref);
      if (!sha)
        throw unprocessable(`No commit found for SHA: ${ctx.params.ref}`);
      return { body: await commitWithFiles(ctx, sha) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/compare/{basehead+}',
    async handler(ctx) {
      const match = /^(.+?)\.\.\.?(.+)$/.exec(ctx.params.basehead);
      if (!match) throw notFound();
      const [base, head] = await Promise.all([
        resolveCommitish(ctx.repo, match[1]),
        resolveCommitish(ctx.repo, match[2]),
      ]);
      if (!base || !head) throw notFound();
      const mergeBase = await ctx.repo.git.mergeBase(base, head);
      const ahead = await ctx.repo.git.revList(head, { exclude: base });
      const behind = await ctx.repo.git.revList(base, { exclude: head });
      const status = compareStatus(ahead.length, behind.length);
      const [baseCommit, mergeBaseCommit] = await ctx.repo.git.readCommits(
        mergeBase ? [base, mergeBase] : [base],
      );
      const commits = await ctx.repo.git.readCommits([...ahead].reverse());
      const files = await ctx.repo.git.diffFiles(mergeBase ?? EMPTY_TREE, head);
      const html = `${ctx.sim.url}/${ctx.repo.fullName}/compare/${ctx.params.basehead}`;
      return {
        body: {
          url: `${repoApiUrl(ctx.sim, ctx.repo)}/compare/${
            ctx.params.basehead
          }`,
          html_url: html,
          permalink_url: html,
          diff_url: `${html}.diff`,
          patch_url: `${html}.patch`,
          base_commit: restCommitJson(ctx.sim, ctx.repo, baseCommit),
          merge_base_commit: mergeBaseCommit
            ? restCommitJson(ctx.sim, ctx.repo, mergeBaseCommit)
            : null,
          status,
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          commits: commits.map(c => restCommitJson(ctx.sim, ctx.repo, c)),
          files: files.map(f => diffFileJson(ctx.sim, ctx.repo, f, head)),
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/contents/{path*}',
    async handler(ctx) {
      const path = ctx.params.path.replace(/\/+$/, '');
      if (!(await ctx.repo.git.hasBranches()))
        throw new ApiError(404, 'This repository is empty.');
      const ref = ctx.query.get('ref') || (await ctx.repo.git.defaultBranch());
      const commit = await resolveCommitish(ctx.repo, ref);
      if (!commit)
        throw new ApiError(404, `No commit found for the ref ${ref}`);
      const listing = async (dir: string) =>
        ((await ctx.repo.git.listDir(commit, dir)) ?? []).map(e =>
          contentEntryJson(ctx, e, ref),
        );
      if (path === '') return { body: await listing('') };
      const entry = await ctx.repo.git.entryAt(commit, path);
      if (!entry) throw notFound();
      if (entry.type === 'tree') return { body: await listing(path) };
      if (entry.type === 'blob' && wantsRaw(ctx))
        return { body: await ctx.repo.git.readBlob(entry.sha) };
      if (entry.type === 'commit')
        return { body: contentEntryJson(ctx, entry, ref) };
      return { body: await fileJson(ctx, entry, ref) };
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/contents/{path+}',
    access: { level: 'write', scope: 'contents' },
    async handler(ctx) {
      const body = bodyObject(ctx);
      const path = normalizeTreePath(ctx.params.path);
      const content = Buffer.from(requireString(body, 'content'), 'base64');
      requireString(body, 'message');
      const target = await targetBranch(ctx, body.branch);
      const existing = target.head
        ? await ctx.repo.git.entryAt(target.head, path)
        : undefined;
      if (existing?.type === 'tree')
        throw unprocessable(`Invalid request.\n\n${path} is a directory.`);
      if (existing && body.sha === undefined)
        throw unprocessable(`Invalid request.\n\n"sha" wasn't supplied.`);
      if (existing && body.sha !== existing.sha)
        throw new ApiError(409, `${path} does not match ${body.sha}`);
      const [blob] = await ctx.repo.git.writeBlobs([content]);
      const commit = await commitSingleChange(
        ctx,
        target,
        { path, sha: blob, mode: existing?.mode ?? '100644' },
        body,
      );
      const entry = (await ctx.repo.git.entryAt(commit.sha, path))!;
      return {
        status: existing ? 200 : 201,
        body: {
          content: contentEntryJson(ctx, entry, target.branch),
          commit: gitCommitJson(ctx.sim, ctx.repo, commit),
        },
      };
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/contents/{path+}',
    access: { level: 'write', scope: 'contents' },
    async handler(ctx) {
      const body = bodyObject(ctx);
      const path = normalizeTreePath(ctx.params.path);
      const sha = requireString(body, 'sha');
      requireString(body, 'message');
      const target = await targetBranch(ctx, body.branch);
      const existing = target.head
        ? await ctx.repo.git.entryAt(target.head, path)
        : undefined;
      if (!existing || existing.type === 'tree') throw notFound();
      if (existing.sha !== sha)
        throw new ApiError(409, `${path} does not match ${sha}`);
      const commit = await commitSingleChange(
        ctx,
        target,
        { path, sha: null, mode: existing.mode },
        body,
      );
      return {
        body: {
          content: null,
          commit: gitCommitJson(ctx.sim, ctx.repo, commit),
        },
      };
    },
  },
];
