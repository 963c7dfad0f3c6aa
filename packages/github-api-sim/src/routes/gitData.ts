/*
 * Git database API: refs, commits, trees, blobs.
 */
import { ApiError, notFound, unprocessable } from '../errors';
import { ZERO_SHA } from '../git';
import type { HandlerContext, Route } from '../router';
import { gitCommitJson, refJson, repoApiUrl, treeEntryJson } from '../shapes';
import { isoNow, nodeId } from '../state';
import {
  buildTree,
  normalizeTreePath,
  TreeChange,
  typeForMode,
} from '../treeBuilder';
import {
  actingPerson,
  bodyObject,
  isSha,
  missingField,
  requireString,
  wantsRaw,
  wrappedBase64,
  writeRef,
} from './common';

const REF_DOCS = 'https://docs.github.com/rest/git/refs';

async function refsByPrefix(ctx: HandlerContext, prefix: string) {
  const refs = await ctx.repo.git.listRefs('refs/');
  // GitHub matches on the string prefix, not on path components (`heads/feat` matches `heads/feature-a`).
  return refs
    .filter(r => r.ref.startsWith(prefix) && !r.ref.startsWith('refs/pull/'))
    .map(r => refJson(ctx.sim, ctx.repo, r.ref, r.sha, r.type));
}

async function closePullsForDeletedBranch(ctx: HandlerContext, branch: string) {
  let changed = false;
  for (const pr of ctx.repo.meta.pulls) {
    if (pr.state === 'open' && pr.head.ref === branch) {
      pr.state = 'closed';
      pr.closedAt = isoNow();
      pr.updatedAt = pr.closedAt;
      changed = true;
    }
  }
  if (changed) await ctx.repo.saveMeta();
}

export const gitDataRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/ref/{ref+}',
    async handler(ctx) {
      const ref = `refs/${ctx.params.ref}`;
      const sha = await ctx.repo.git.readRef(ref);
      const type = sha && (await ctx.repo.git.objectTypes([sha])).get(sha);
      if (!sha || !type) throw notFound();
      return { body: refJson(ctx.sim, ctx.repo, ref, sha, type) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/matching-refs/{ref*}',
    async handler(ctx) {
      return { body: await refsByPrefix(ctx, `refs/${ctx.params.ref}`) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/refs',
    async handler(ctx) {
      return { body: await refsByPrefix(ctx, 'refs/') };
    },
  },
  {
    // Deprecated form still used by older clients: an exact match returns one ref, a prefix returns a list.
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/refs/{ref+}',
    async handler(ctx) {
      const ref = `refs/${ctx.params.ref}`;
      const matches = await refsByPrefix(ctx, ref);
      const exact = matches.find(m => m.ref === ref);
      if (exact) return { body: exact };
      if (matches.length === 0) throw notFound();
      return { body: matches };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/refs',
    access: { level: 'write', scope: 'contents' },
    async handler(ctx) {
      const body = bodyObject(ctx);
      const ref = requireString(body, 'ref');
      const sha = requireString(body, 'sha');
      const valid =
        /^refs\/[^/]+\/.+/.test(ref) && (await checkRefFormat(ctx, ref));
      if (!valid)
        throw unprocessable(
          `Reference name must start with 'refs/' and have at least two slashes.`,
          REF_DOCS,
        );
      const type = (await ctx.repo.git.objectTypes([sha])).get(sha);
      if (!type) throw unprocessable('Object does not exist', REF_DOCS);
      if (await ctx.repo.git.readRef(ref))
        throw unprocessable('Reference already exists', REF_DOCS);
      await writeRef(ctx, ref, sha, ZERO_SHA);
      return { status: 201, body: refJson(ctx.sim, ctx.repo, ref, sha, type) };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/git/refs/{ref+}',
    access: { level: 'write', scope: 'contents' },
    async handler(ctx) {
      const body = bodyObject(ctx);
      const sha = requireString(body, 'sha');
      const ref = `refs/${ctx.params.ref.replace(/^refs\//, '')}`;
      const current = await ctx.repo.git.readRef(ref);
      if (!current) throw unprocessable('Reference does not exist', REF_DOCS);
      const type = (await ctx.repo.git.objectTypes([sha])).get(sha);
      if (!type) throw unprocessable('Object does not exist', REF_DOCS);
      const force = body.force === true || body.force === 'true';
      const branch = ref.startsWith('refs/heads/')
        ? ref.slice('refs/heads/'.length)
        : undefined;
      // A protected branch refuses force pushes (GitHub's default for a branch protection rule).
      if (
        force &&
        branch !== undefined &&
        current !== sha &&
        ctx.repo.protectionRuleFor(branch) !== undefined &&
        !(type === 'commit' && (await ctx.repo.git.isAncestor(current, sha)))
      ) {
        throw unprocessable('Cannot force-push to this branch', REF_DOCS);
      }
      if (
        !force &&
        current !== sha &&
        (type !== 'commit' || !(await ctx.repo.git.isAncestor(current, sha)))
      ) {
        throw unprocessable('Update is not a fast forward', REF_DOCS);
      }
      await writeRef(ctx, ref, sha, current);
      return { body: refJson(ctx.sim, ctx.repo, ref, sha, type) };
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/git/refs/{ref+}',
    access: { level: 'write', scope: 'contents' },
    async handler(ctx) {
      const ref = `refs/${ctx.params.ref.replace(/^refs\//, '')}`;
      const current = await ctx.repo.git.readRef(ref);
      if (!current) throw unprocessable('Reference does not exist', REF_DOCS);
      if (
        ref.startsWith('refs/heads/') &&
        ctx.repo.protectionRuleFor(ref.slice('refs/heads/'.length))
      ) {
        throw unprocessable('Cannot delete this protected branch', REF_DOCS);
      }
      if (
        ctx.sim.takeRefConflict() ||
        !(await ctx.repo.git.deleteRef(ref, current))
      ) {
        throw unprocessable('Reference cannot be updated', REF_DOCS);
      }
      if (ref.startsWith('refs/heads/'))
        await closePullsForDeletedBranch(ctx, ref.slice('refs/heads/'.length));
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    async handler(ctx) {
      const commit = await ctx.repo.git.readCommit(ctx.params.commit_sha);
      if (!commit) throw notFound();
      return { body: gitCommitJson(ctx.sim, ctx.repo, commit) };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/commits',
    access: { level: 'write', scope: 'contents' },
    async handler(ctx) {
      const body = bodyObject(ctx);
      const message = requireString(body, 'message');
      const tree = requireString(body, 'tree');
      const parents: unknown[] = body.parents ?? [];
      if (!Array.isArray(parents))
        throw unprocessable(
          "Invalid request.\n\nFor 'properties/parents', not an array.",
        );
      const types = await ctx.repo.git.objectTypes([
        tree,
        ...parents.map(String),
      ]);
      if (types.get(tree) !== 'tree')
        throw unprocessable('Tree SHA does not exist');
      if (parents.some(p => !isSha(p) || types.get(p) !== 'commit')) {
        throw unprocessable(
          'Parent SHA does not exist or is not a commit object',
        );
      }
      const author = actingPerson(ctx, body.author);
      const committer = body.committer
        ? actingPerson(ctx, body.committer)
        : { ...author };
      const sha = await ctx.repo.git.writeCommit({
        tree,
        parents: parents as string[],
        author,
        committer,
        message,
        signature:
          typeof body.signature === 'string' && body.signature
            ? body.signature
            : undefined,
      });
      const commit = await ctx.repo.git.readCommit(sha);
      return { status: 201, body: gitCommitJson(ctx.sim, ctx.repo, commit!) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/trees/{tree_sha+}',
    async handler(ctx) {
      // GitHub accepts a tree SHA, a commit SHA or a branch name here.
      const sha = await ctx.repo.git.resolve(ctx.params.tree_sha, 'tree');
      if (!sha) throw notFound();
      const recursive = (ctx.query.get('recursive') ?? '') !== '';
      const entries = await ctx.repo.git.listTree(sha, {
        recursive,
        sizes: true,
      });
      return {
        body: {
          sha,
          url: `${repoApiUrl(ctx.sim, ctx.repo)}/git/trees/${sha}`,
          tree: entries.map(entry => treeEntryJson(ctx.sim, ctx.repo, entry)),
          truncated: false,
        },
      };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/trees',
    access: { level: 'write', scope: 'contents' },
    async handler(ctx) {
      const body = bodyObject(ctx);
      if (!Array.isArray(body.tree)) throw missingField('tree');
      let baseTree: string | undefined;
      if (body.base_tree !== undefined && body.base_tree !== null) {
        baseTree = isSha(body.base_tree)
          ? await ctx.repo.git.resolve(body.base_tree, 'tree')
          : undefined;
        if (!baseTree) throw unprocessable('base_tree is not a valid tree oid');
      }
      const changes: TreeChange[] = [];
      const inlineContents: Array<{ index: number; content: Buffer }> = [];
      for (const item of body.tree as any[]) {
        const path = normalizeTreePath(item?.path);
        const mode = String(item?.mode ?? '');
        const expectedType = typeForMode(mode);
        if (!expectedType)
          throw unprocessable(`tree.mode contains an invalid value: ${mode}`);
        if (item.type !== undefined && item.type !== expectedType) {
          throw unprocessable(
            `tree.type "${item.type}" does not match mode ${mode}`,
          );
        }
        if (typeof item.content === 'string') {
          if (expectedType !== 'blob')
            throw unprocessable('tree.content is only allowed for blobs');
          inlineContents.push({
            index: changes.length,
            content: Buffer.from(item.content, 'utf8'),
          });
          changes.push({ path, mode, sha: '' });
        } else if (item.sha === null) {
          if (!baseTree) throw new ApiError(422, 'GitRPC::BadObjectState');
          changes.push({ path, mode, sha: null });
        } else if (isSha(item.sha)) {
          changes.push({ path, mode, sha: item.sha });
        } else {
          throw unprocessable('Must supply either tree.sha or tree.content');
        }
      }
      const written = await ctx.repo.git.writeBlobs(
        inlineContents.map(c => c.content),
      );
      inlineContents.forEach((c, i) => {
        changes[c.index].sha = written[i];
      });
      const referenced = changes.filter(
        c => c.sha && typeForMode(c.mode) !== 'commit',
      );
      const types = await ctx.repo.git.objectTypes(referenced.map(c => c.sha!));
      for (const change of referenced) {
        const expected = typeForMode(change.mode);
        if (types.get(change.sha!) !== expected) {
          throw unprocessable(
            `tree.sha ${change.sha} is not a valid ${expected}`,
          );
        }
      }
      const sha = await buildTree(ctx.repo.git, baseTree, changes);
      const entries = await ctx.repo.git.listTree(sha, { sizes: true });
      return {
        status: 201,
        body: {
          sha,
          url: `${repoApiUrl(ctx.sim, ctx.repo)}/git/trees/${sha}`,
          tree: entries.map(entry => treeEntryJson(ctx.sim, ctx.repo, entry)),
          truncated: false,
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/blobs/{file_sha}',
    async handler(ctx) {
      const sha = ctx.params.file_sha;
      const content = await ctx.repo.git.readBlob(sha);
      if (!content) throw notFound();
      if (wantsRaw(ctx)) return { body: content };
      return {
        body: {
          sha,
          node_id: nodeId('B', `${ctx.repo.fullName}:${sha}`),
          size: content.length,
          url: `${repoApiUrl(ctx.sim, ctx.repo)}/git/blobs/${sha}`,
          content: wrappedBase64(content),
          encoding: 'base64',
        },
      };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/git/blobs',
    access: { level: 'write', scope: 'contents' },
    async handler(ctx) {
      const body = bodyObject(ctx);
      const content = requireString(body, 'content');
      const encoding = body.encoding ?? 'utf-8';
      if (
        encoding !== 'utf-8' &&
        encoding !== 'utf8' &&
        encoding !== 'base64'
      ) {
        throw unprocessable(`encoding must be one of utf-8, base64`);
      }
      const data = Buffer.from(
        content,
        encoding === 'base64' ? 'base64' : 'utf8',
      );
      const [sha] = await ctx.repo.git.writeBlobs([data]);
      return {
        status: 201,
        body: { url: `${repoApiUrl(ctx.sim, ctx.repo)}/git/blobs/${sha}`, sha },
      };
    },
  },
];

async function checkRefFormat(
  ctx: HandlerContext,
  ref: string,
): Promise<boolean> {
  const { code } = await ctx.repo.git.git(['check-ref-format', ref], {
    okCodes: [1],
  });
  return code === 0;
}
