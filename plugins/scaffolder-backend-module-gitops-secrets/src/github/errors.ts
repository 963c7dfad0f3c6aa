import { CustomErrorBase } from '@backstage/errors';

// Credentials as they may appear in a message: PEM private keys (a GitHub App's key), GitHub tokens (classic,
// fine-grained, app installation, OAuth), JWTs (an App's signed assertion), the value of an Authorization-like
// header, and a header value undici quotes whole when it rejects it ("… is an invalid header value").
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    '[REDACTED]',
  ],
  [
    /\b(gh[pousr]_[A-Za-z0-9_]{10,}|github_pat_[A-Za-z0-9_]{10,})/g,
    '[REDACTED]',
  ],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[REDACTED]'],
  [
    /\b(authorization|password|secret|private[_-]?key|token)(\s*[:=]\s*)(?!\[REDACTED\])("[^"]*"|'[^']*'|[^\s"',;]+)/gi,
    '$1$2[REDACTED]',
  ],
  [/\b(token|bearer|basic)(\s+)[A-Za-z0-9_.~+/=-]{16,}/gi, '$1$2[REDACTED]'],
  [/"[^"]*"(?=\s+is an invalid header)/g, '"[REDACTED]"'],
];

const known = new Set<string>();

/**
 * Registers a credential value (a token, an App key) so every message this module shows has it replaced, also
 * when it appears in pieces (split at line breaks). Values under 8 characters are not registered (too common).
 */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  for (const part of [value, ...value.split(/[\r\n]+/)]) {
    const trimmed = part.trim();
    if (trimmed.length >= 8) known.add(trimmed);
  }
  // Bounded: a long-running backend sees many user tokens; the oldest are forgotten.
  while (known.size > 1000) known.delete(known.values().next().value!);
}

/** `text` with every known credential and anything that looks like one replaced by `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join('[REDACTED]');
  for (const [pattern, replacement] of SECRET_PATTERNS)
    out = out.replace(pattern, replacement);
  return out;
}

/**
 * A GitHub call failed. The message says what the action was doing and what
 * state the repository is left in. Message and cause are redacted
 * ({@link redactSecrets}): the cause is replaced by a plain error holding its
 * name, redacted message and HTTP status, so no request (or header) travels on.
 */
export class GithubPublishError extends CustomErrorBase {
  name = 'GithubPublishError' as const;

  constructor(message?: string, cause?: Error | unknown) {
    super(redactSecrets(message ?? ''), sanitizedCause(cause));
    this.message = redactSecrets(this.message);
    if (this.stack) this.stack = redactSecrets(this.stack);
  }
}

function sanitizedCause(cause: unknown): Error | undefined {
  if (cause === undefined || cause === null) return undefined;
  const original = cause as {
    name?: unknown;
    message?: unknown;
    status?: unknown;
  };
  const plain = new Error(redactSecrets(String(original.message ?? cause)));
  plain.name = typeof original.name === 'string' ? original.name : 'Error';
  plain.stack = undefined;
  const status = statusOf(cause);
  return status === undefined ? plain : Object.assign(plain, { status });
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
  if (gql.length) return redactSecrets(gql.join('; '));
  const data = e?.response?.data;
  const parts: string[] = [];
  if (data?.message) parts.push(data.message);
  for (const item of data?.errors ?? []) {
    if (typeof item === 'string') parts.push(item);
    else if (item && typeof item === 'object' && 'message' in item)
      parts.push(String((item as { message: unknown }).message));
  }
  if (!parts.length && e?.message) parts.push(e.message);
  return redactSecrets(parts.join(': ') || String(error));
}
