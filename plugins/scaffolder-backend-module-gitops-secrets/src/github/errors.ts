import { CustomErrorBase } from '@backstage/errors';

/**
 * A GitHub call failed. The message says what the action was doing and what
 * state the repository is left in; the Octokit error is kept as the cause
 * (its request headers are redacted by Octokit, so no token leaks).
 */
export class GithubPublishError extends CustomErrorBase {
  name = 'GithubPublishError' as const;
}

/** HTTP status of an Octokit RequestError, if it is one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The GraphQL errors of an `octokit.graphql` call that GitHub answered with `errors` (GraphqlResponseError). */
export function graphqlErrors(
  error: unknown,
): Array<{ type?: string; message?: string; path?: unknown[] }> {
  const errors = (error as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? errors : [];
}

/** GitHub's error message (and validation errors), without the request. */
export function githubMessage(error: unknown): string {
  const e = error as {
    message?: string;
    response?: { data?: { message?: string; errors?: unknown[] } };
  };
  const gql = graphqlErrors(error)
    .map(item => item?.message)
    .filter(Boolean);
  if (gql.length) return gql.join('; ');
  const data = e?.response?.data;
  const parts: string[] = [];
  if (data?.message) parts.push(data.message);
  for (const item of data?.errors ?? []) {
    if (typeof item === 'string') parts.push(item);
    else if (item && typeof item === 'object' && 'message' in item)
      parts.push(String((item as { message: unknown }).message));
  }
  if (!parts.length && e?.message) parts.push(e.message);
  return parts.join(': ') || String(error);
}
