/*
 * Pull requests and the issue endpoints that apply to them (labels, assignees, comments).
 */
import { ApiError, notFound, unprocessable, validationFailed } from '../errors';
import type { HandlerContext, Route } from '../router';
import {
  diffFileJson,
  issueJson,
  labelJson,
  pullJson,
  repoApiUrl,
  repoJson,
  restCommitJson,
  userJson,
} from '../shapes';
import { isoNow, RepoHandle, SimState, stableId } from '../state';
import type { PullRequest } from '../types';
import { actingPerson, bodyObject, login, paginate, writeRef } from './common';

const PULLS_DOCS = 'https://docs.github.com/rest/pulls/pulls';

/** Brings head/base SHAs up to date with the branches (GitHub tracks them while the PR is open). */
export async function refreshPull(
  repo: RepoHandle,
  pr: PullRequest,
): Promise<PullRequest> {
  if (pr.state !== 'open') return pr;
  const [head, base] = await Promise.all([
    repo.git.readRef(`refs/heads/${pr.head.ref}`),
    repo.git.readRef(`refs/heads/${pr.base.ref}`),
  ]);
  if (head && head !== pr.head.sha) {
    pr.head.sha = head;
    await repo.git.updateRef(`refs/pull/${pr.number}/head`, head);
  }
  if (base) pr.base.sha = base;
  return pr;
}

async function pullView(ctx: HandlerContext, prs: PullRequest[]) {
  const repoView = repoJson(
    ctx.sim,
    ctx.repo,
    await ctx.repo.git.defaultBranch(),
  );
  const fresh = await Promise.all(prs.map(pr => refreshPull(ctx.repo, pr)));
  return fresh.map(pr => pullJson(ctx.sim, ctx.repo, pr, repoView));
}

function findPull(ctx: HandlerContext, param: string): PullRequest {
  const pr = ctx.repo.meta.pulls.find(p => String(p.number) === param);
  if (!pr) throw notFound();
  return pr;
}

function duplicateOf(
  repo: RepoHandle,
  head: string,
  base: string,
  except?: number,
) {
  return repo.meta.pulls.find(
    p =>
      p.state === 'open' &&
      p.head.label === head &&
      p.base.ref === base &&
      p.number !== except,
  );
}

function alreadyExists(label: string) {
  return validationFailed(
    [
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${label}.`,
      },
    ],
    'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
  );
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    throw new ApiError(
      422,
      `Invalid request.\n\nFor 'properties/${field}', ${JSON.stringify(
        value,
      )} is not an array of strings.`,
    );
  }
  return value as string[];
}

/** Labels from `{labels: [...]}`, a bare array, or `[{name}]`. */
function labelNames(body: unknown): string[] {
  const list = Array.isArray(body) ? body : (body as any)?.labels;
  if (!Array.isArray(list))
    throw new ApiError(422, 'Invalid request.\n\n"labels" wasn\'t supplied.');
  return list
    .map(l => (typeof l === 'string' ? l : l?.name))
    .filter((l): l is string => typeof l === 'string' && l !== '');
}

function ensureLabels(repo: RepoHandle, names: string[]) {
  for (const name of names)
    repo.meta.labels[name] ??= { color: 'ededed', description: null };
}

function commentJson(
  sim: SimState,
  repo: RepoHandle,
  number: number,
  c: {
    id: number;
    user: string;
    body: string;
    createdAt: string;
    updatedAt: string;
  },
) {
  const api = repoApiUrl(sim, repo);
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${api}/issues/comments/${c.id}`,
    html_url: `${sim.url}/${repo.fullName}/pull/${number}#issuecomment-${c.id}`,
    issue_url: `${api}/issues/${number}`,
    body: c.body,
    user: userJson(sim, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'MEMBER',
  };
}

export const pullRoutes: Route[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/pulls',
    access: { level: 'write', scope: 'pull_requests' },
    async handler(ctx) {
      const body = bodyObject(ctx);
      for (const field of ['head', 'base'] as const) {
        if (typeof body[field] !== 'string' || !body[field]) {
          throw validationFailed(
            [{ resource: 'PullRequest', code: 'missing_field', field }],
            PULLS_DOCS,
          );
        }
      }
      if (typeof body.title !== 'string' || !body.title) {
        throw validationFailed(
          [{ resource: 'PullRequest', code: 'missing_field', field: 'title' }],
          PULLS_DOCS,
        );
      }
      const [headOwner, headBranch] = body.head.includes(':')
        ? body.head.split(':', 2)
        : [ctx.repo.owner, body.head];
      const base: string = body.base;
      // Pull requests from forks are out of scope: a head in another owner's repository is "invalid" as on GitHub
      // when that fork does not exist.
      const headSha =
        headOwner.toLowerCase() === ctx.repo.owner.toLowerCase()
          ? await ctx.repo.git.readRef(`refs/heads/${headBranch}`)
          : undefined;
      if (!headSha)
        throw validationFailed(
          [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
          PULLS_DOCS,
        );
      const baseSha = await ctx.repo.git.readRef(`refs/heads/${base}`);
      if (!baseSha)
        throw validationFailed(
          [{ resource: 'PullRequest', field: 'base', code: 'invalid' }],
          PULLS_DOCS,
        );
      const label = `${ctx.repo.owner}:${headBranch}`;
      if (duplicateOf(ctx.repo, label, base)) throw alreadyExists(label);
      if (
        (await ctx.repo.git.revList(headSha, { exclude: baseSha, max: 1 }))
          .length === 0
      ) {
        throw validationFailed(
          [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `No commits between ${base} and ${headBranch}`,
            },
          ],
          PULLS_DOCS,
        );
      }
      const now = isoNow();
      const pr: PullRequest = {
        number: ctx.repo.meta.nextNumber,
        title: body.title,
        body: typeof body.body === 'string' ? body.body : null,
        state: 'open',
        draft: body.draft === true,
        user: login(ctx),
        head: { ref: headBranch, sha: headSha, label },
        base: { ref: base, sha: baseSha, label: `${ctx.repo.owner}:${base}` },
        labels: [],
        requestedReviewers: [],
        requestedTeams: [],
        assignees: [],
        createdAt: now,
        updatedAt: now,
        closedAt: null,
        mergedAt: null,
        mergeCommitSha: null,
        mergedBy: null,
      };
      ctx.repo.meta.nextNumber += 1;
      ctx.repo.meta.pulls.push(pr);
      // GitHub keeps refs/pull/N/head so the PR can be fetched even after its branch is gone.
      await ctx.repo.git.updateRef(`refs/pull/${pr.number}/head`, headSha);
      await ctx.repo.saveMeta();
      const [view] = await pullView(ctx, [pr]);
      return { status: 201, body: view };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls',
    async handler(ctx) {
      const state = ctx.query.get('state') ?? 'open';
      const head = ctx.query.get('head');
      const base = ctx.query.get('base');
      const direction = ctx.query.get('direction') ?? 'desc';
      const sortKey =
        ctx.query.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
      const selected = ctx.repo.meta.pulls
        .filter(p => state === 'all' || p.state === state)
        // `head` must be `owner:branch`: GitHub silently ignores a bare branch name (a classic client bug to surface).
        .filter(p => !head?.includes(':') || p.head.label === head)
        .filter(p => !base || p.base.ref === base)
        .sort((a, b) => {
          const order =
            a[sortKey].localeCompare(b[sortKey]) || a.number - b.number;
          return direction === 'asc' ? order : -order;
        });
      const page = paginate(ctx, `/repos/${ctx.repo.fullName}/pulls`, selected);
      return { body: await pullView(ctx, page.body), headers: page.headers };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    async handler(ctx) {
      const [view] = await pullView(ctx, [
        findPull(ctx, ctx.params.pull_number),
      ]);
      return { body: view };
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    access: { level: 'write', scope: 'pull_requests' },
    async handler(ctx) {
      const pr = await refreshPull(
        ctx.repo,
        findPull(ctx, ctx.params.pull_number),
      );
      const body = bodyObject(ctx);
      if (typeof body.title === 'string') pr.title = body.title;
      if (typeof body.body === 'string') pr.body = body.body;
      if (typeof body.base === 'string' && body.base !== pr.base.ref) {
        const baseSha = await ctx.repo.git.readRef(`refs/heads/${body.base}`);
        if (!baseSha)
          throw validationFailed(
            [{ resource: 'PullRequest', field: 'base', code: 'invalid' }],
            PULLS_DOCS,
          );
        pr.base = {
          ref: body.base,
          sha: baseSha,
          label: `${ctx.repo.owner}:${body.base}`,
        };
      }
      if (body.state === 'closed' && pr.state === 'open') {
        pr.state = 'closed';
        pr.closedAt = isoNow();
      } else if (body.state === 'open' && pr.state === 'closed') {
        if (pr.mergedAt)
          throw unprocessable(
            'state cannot be changed. The pull request cannot be reopened.',
          );
        if (duplicateOf(ctx.repo, pr.head.label, pr.base.ref, pr.number))
          throw alreadyExists(pr.head.label);
        pr.state = 'open';
        pr.closedAt = null;
      }
      pr.updatedAt = isoNow();
      await ctx.repo.saveMeta();
      const [view] = await pullView(ctx, [pr]);
      return { body: view };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/files',
    async handler(ctx) {
      const pr = await refreshPull(
        ctx.repo,
        findPull(ctx, ctx.params.pull_number),
      );
      const mergeBase =
        (await ctx.repo.git.mergeBase(pr.base.sha, pr.head.sha)) ?? pr.base.sha;
      const files = await ctx.repo.git.diffFiles(mergeBase, pr.head.sha);
      const views = files.map(f =>
        diffFileJson(ctx.sim, ctx.repo, f, pr.head.sha),
      );
      return paginate(
        ctx,
        `/repos/${ctx.repo.fullName}/pulls/${pr.number}/files`,
        views,
      );
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/commits',
    async handler(ctx) {
      const pr = await refreshPull(
        ctx.repo,
        findPull(ctx, ctx.params.pull_number),
      );
      const shas = await ctx.repo.git.revList(pr.head.sha, {
        exclude: pr.base.sha,
      });
      const commits = await ctx.repo.git.readCommits(shas.reverse());
      const views = commits.map(c => restCommitJson(ctx.sim, ctx.repo, c));
      return paginate(
        ctx,
        `/repos/${ctx.repo.fullName}/pulls/${pr.number}/commits`,
        views,
      );
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    async handler(ctx) {
      if (!findPull(ctx, ctx.params.pull_number).mergedAt) throw notFound();
      return { status: 204 };
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    access: { level: 'write', scope: 'contents' },
    async handler(ctx) {
      const pr = await refreshPull(
        ctx.repo,
        findPull(ctx, ctx.params.pull_number),
      );
      const body = bodyObject(ctx);
      if (pr.state !== 'open')
        throw new ApiError(405, 'Pull Request is not mergeable');
      if (pr.draft) throw new ApiError(405, 'Pull Request is still a draft');
      if (typeof body.sha === 'string' && body.sha !== pr.head.sha) {
        throw new ApiError(
          409,
          'Head branch was modified. Review and try the merge again.',
        );
      }
      const method = body.merge_method ?? 'merge';
      if (!['merge', 'squash', 'rebase'].includes(method)) {
        throw validationFailed([
          { resource: 'PullRequest', field: 'merge_method', code: 'invalid' },
        ]);
      }
      const git = ctx.repo.git;
      let mergeSha: string;
      if (method === 'rebase') {
        // Rebasing is only simulated when it is a fast-forward (no commits are rewritten).
        if (!(await git.isAncestor(pr.base.sha, pr.head.sha)))
          throw new ApiError(405, "This branch can't be rebased");
        mergeSha = pr.head.sha;
      } else {
        const tree = await git.mergeTrees(pr.base.sha, pr.head.sha);
        if (!tree) throw new ApiError(405, 'Pull Request is not mergeable');
        const title =
          body.commit_title ??
          (method === 'merge'
            ? `Merge pull request #${pr.number} from ${pr.head.label.replace(
                ':',
                '/',
              )}`
            : `${pr.title} (#${pr.number})`);
        const details =
          body.commit_message ?? (method === 'merge' ? pr.title : '');
        mergeSha = await git.writeCommit({
          tree,
          parents:
            method === 'merge' ? [pr.base.sha, pr.head.sha] : [pr.base.sha],
          author: actingPerson(ctx),
          committer: {
            name: 'GitHub',
            email: 'noreply@github.com',
            date: isoNow(),
          },
          message: details ? `${title}\n\n${details}\n` : `${title}\n`,
        });
      }
      await writeRef(ctx, `refs/heads/${pr.base.ref}`, mergeSha, pr.base.sha);
      const now = isoNow();
      Object.assign(pr, {
        state: 'closed',
        closedAt: now,
        mergedAt: now,
        updatedAt: now,
        mergeCommitSha: mergeSha,
        mergedBy: login(ctx),
      });
      await ctx.repo.saveMeta();
      return {
        body: {
          sha: mergeSha,
          merged: true,
          message: 'Pull Request successfully merged',
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    async handler(ctx) {
      const pr = findPull(ctx, ctx.params.pull_number);
      const [view] = await pullView(ctx, [pr]);
      return {
        body: { users: view.requested_reviewers, teams: view.requested_teams },
      };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    access: { level: 'write', scope: 'pull_requests' },
    async handler(ctx) {
      const pr = findPull(ctx, ctx.params.pull_number);
      const body = bodyObject(ctx);
      const reviewers = stringList(body.reviewers, 'reviewers');
      const teams = stringList(body.team_reviewers, 'team_reviewers');
      if (reviewers.some(r => r.toLowerCase() === pr.user.toLowerCase())) {
        throw unprocessable(
          'Review cannot be requested from pull request author.',
        );
      }
      pr.requestedReviewers = [
        ...new Set([...pr.requestedReviewers, ...reviewers]),
      ];
      pr.requestedTeams = [...new Set([...pr.requestedTeams, ...teams])];
      pr.updatedAt = isoNow();
      await ctx.repo.saveMeta();
      const [view] = await pullView(ctx, [pr]);
      return { status: 201, body: view };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    async handler(ctx) {
      return {
        body: issueJson(
          ctx.sim,
          ctx.repo,
          findPull(ctx, ctx.params.issue_number),
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    async handler(ctx) {
      const pr = findPull(ctx, ctx.params.issue_number);
      return {
        body: pr.labels.map(name => labelJson(ctx.sim, ctx.repo, name)),
      };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    access: { level: 'write', scope: 'issues' },
    async handler(ctx) {
      const pr = findPull(ctx, ctx.params.issue_number);
      const names = labelNames(ctx.body);
      ensureLabels(ctx.repo, names);
      pr.labels = [...new Set([...pr.labels, ...names])];
      pr.updatedAt = isoNow();
      await ctx.repo.saveMeta();
      return {
        body: pr.labels.map(name => labelJson(ctx.sim, ctx.repo, name)),
      };
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    access: { level: 'write', scope: 'issues' },
    async handler(ctx) {
      const pr = findPull(ctx, ctx.params.issue_number);
      const names = labelNames(ctx.body);
      ensureLabels(ctx.repo, names);
      pr.labels = [...new Set(names)];
      pr.updatedAt = isoNow();
      await ctx.repo.saveMeta();
      return {
        body: pr.labels.map(name => labelJson(ctx.sim, ctx.repo, name)),
      };
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/assignees',
    access: { level: 'write', scope: 'issues' },
    async handler(ctx) {
      const pr = findPull(ctx, ctx.params.issue_number);
      const assignees = stringList(bodyObject(ctx).assignees, 'assignees');
      // GitHub silently ignores assignees beyond ten.
      pr.assignees = [...new Set([...pr.assignees, ...assignees])].slice(0, 10);
      pr.updatedAt = isoNow();
      await ctx.repo.saveMeta();
      return { status: 201, body: issueJson(ctx.sim, ctx.repo, pr) };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    async handler(ctx) {
      const pr = findPull(ctx, ctx.params.issue_number);
      const comments = ctx.repo.meta.comments[String(pr.number)] ?? [];
      const views = comments.map(c =>
        commentJson(ctx.sim, ctx.repo, pr.number, c),
      );
      return paginate(
        ctx,
        `/repos/${ctx.repo.fullName}/issues/${pr.number}/comments`,
        views,
      );
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    access: { level: 'write', scope: 'issues' },
    async handler(ctx) {
      const pr = findPull(ctx, ctx.params.issue_number);
      const body = bodyObject(ctx);
      if (typeof body.body !== 'string' || !body.body) {
        throw validationFailed([
          { resource: 'IssueComment', code: 'missing_field', field: 'body' },
        ]);
      }
      const now = isoNow();
      const comment = {
        id:
          stableId(`comment:${ctx.repo.fullName}`) +
          ctx.repo.meta.nextCommentId,
        user: login(ctx),
        body: body.body,
        createdAt: now,
        updatedAt: now,
      };
      ctx.repo.meta.nextCommentId += 1;
      (ctx.repo.meta.comments[String(pr.number)] ??= []).push(comment);
      await ctx.repo.saveMeta();
      return {
        status: 201,
        body: commentJson(ctx.sim, ctx.repo, pr.number, comment),
      };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/labels',
    async handler(ctx) {
      const views = Object.keys(ctx.repo.meta.labels).map(name =>
        labelJson(ctx.sim, ctx.repo, name),
      );
      return paginate(ctx, `/repos/${ctx.repo.fullName}/labels`, views);
    },
  },
];
