import { ApiError, unprocessable } from '../errors';
import type { GitPerson } from '../git';
import type { HandlerContext } from '../router';
import { isoNow, RepoHandle } from '../state';

export function bodyObject(ctx: HandlerContext): Record<string, any> {
  if (ctx.body === undefined || ctx.body === null) return {};
  if (typeof ctx.body !== 'object' || Array.isArray(ctx.body)) {
    throw new ApiError(400, 'Problems parsing JSON');
  }
  return ctx.body;
}

/** GitHub's wording for a missing required body field. */
export function missingField(name: string): ApiError {
  return new ApiError(422, `Invalid request.\n\n"${name}" wasn't supplied.`);
}

export function requireString(body: Record<string, any>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) throw missingField(name);
  if (typeof value !== 'string') {
    throw new ApiError(
      422,
      `Invalid request.\n\nFor 'properties/${name}', ${JSON.stringify(
        value,
      )} is not a string.`,
    );
  }
  return value;
}

export function isSha(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40}$/.test(value);
}

/** The person GitHub records for writes made with this token when the request names none. */
export function actingPerson(
  ctx: HandlerContext,
  given?: { name?: string; email?: string; date?: string },
): GitPerson {
  const user = login(ctx);
  return {
    name: given?.name ?? user,
    email:
      given?.email ?? `${user}@users.noreply.${ctx.sim.host.split(':')[0]}`,
    date: given?.date
      ? new Date(given.date).toISOString().replace(/\.\d{3}Z$/, 'Z')
      : isoNow(),
  };
}

export function login(ctx: HandlerContext): string {
  return ctx.identity.grant?.login ?? 'ghost';
}

/**
 * Moves a ref, failing like GitHub when another writer got there first (or a conflict fault is armed).
 * `oldSha` ZERO_SHA means the ref must not exist yet.
 */
export async function writeRef(
  ctx: HandlerContext,
  ref: string,
  newSha: string,
  oldSha: string,
): Promise<void> {
  if (
    ctx.sim.takeRefConflict() ||
    !(await ctx.repo.git.updateRef(ref, newSha, oldSha))
  ) {
    throw unprocessable(
      'Reference cannot be updated',
      'https://docs.github.com/rest/git/refs#update-a-reference',
    );
  }
}

export function pagination(query: URLSearchParams): {
  perPage: number;
  page: number;
} {
  const perPage = Math.min(
    100,
    Math.max(1, Number(query.get('per_page')) || 30),
  );
  const page = Math.max(1, Number(query.get('page')) || 1);
  return { perPage, page };
}

/** One page of `items` plus GitHub's `link` header when there is a next page. */
export function paginate<T>(
  ctx: HandlerContext,
  path: string,
  items: T[],
): { body: T[]; headers: Record<string, string> } {
  const { perPage, page } = pagination(ctx.query);
  const start = (page - 1) * perPage;
  const headers: Record<string, string> = {};
  if (start + perPage < items.length) {
    const next = new URLSearchParams(ctx.query);
    next.set('page', String(page + 1));
    next.set('per_page', String(perPage));
    const last = new URLSearchParams(next);
    last.set('page', String(Math.ceil(items.length / perPage)));
    headers.link = `<${ctx.sim.url}/api/v3${path}?${next}>; rel="next", <${ctx.sim.url}/api/v3${path}?${last}>; rel="last"`;
  }
  return { body: items.slice(start, start + perPage), headers };
}

/** Base64 wrapped at 60 characters, as the contents and blobs APIs return it. */
export function wrappedBase64(content: Buffer): string {
  const encoded = content.toString('base64');
  const lines = encoded.match(/.{1,60}/g) ?? [];
  return lines.map(line => `${line}\n`).join('');
}

/** The commit a user-supplied ref names: sha, branch, tag or full ref. */
export function resolveCommitish(
  repo: RepoHandle,
  ref: string,
): Promise<string | undefined> {
  return repo.git.resolve(ref, 'commit');
}

export function wantsRaw(ctx: HandlerContext): boolean {
  const accept = ctx.headers.accept;
  const value = Array.isArray(accept) ? accept.join(',') : accept ?? '';
  return /application\/vnd\.github(\.v3)?\.raw/.test(value);
}
