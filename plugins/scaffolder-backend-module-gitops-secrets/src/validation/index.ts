/*
 * Shared zod pieces for the scaffolder actions' inputs. Every field the
 * actions accept goes through one of these, so bad input is rejected with an
 * error naming the field before anything remote is touched.
 *
 * The schemas use this package's own zod (v3 API). The scaffolder hands
 * actions its own `z`; both are structurally the same at run time
 * (zod-to-json-schema reads `_def`), see `toScaffolderSchema`.
 */
import { InputError } from '@backstage/errors';
import { posix } from 'node:path';
import { z } from 'zod';

export { z };

/** RFC 1123 label: what Kubernetes requires for namespaces and most object names. */
export const DNS1123_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain (dots allowed), max 253: Secret and ExternalSecret names. */
export const DNS1123_SUBDOMAIN_PATTERN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A key inside a Kubernetes Secret (`data` key), as ESO's CRDs declare it. */
export const SECRET_KEY_PATTERN = /^[-._a-zA-Z0-9]+$/;
/** Go `time.ParseDuration` values Flux and ESO accept, e.g. `1h`, `10m`, `1h30m`, `90s`. */
export const GO_DURATION_PATTERN = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
/** An exact chart version (no ranges: floating versions are what made the seed guide drift). */
export const EXACT_VERSION_PATTERN =
  /^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** Characters that are never valid in a single-line value (they break YAML, PR titles and commands). */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f\u2028\u2029]/;

/**
 * Bidirectional overrides and isolates, and zero-width characters: invisible, they make text read differently from
 * what it is (a title that displays reversed, a name that looks like another). Stripped from free text.
 */
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE_CHARACTERS =
  /[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** `value` without bidi controls and zero-width characters. */
export function stripInvisible(value: string): string {
  return value.replace(INVISIBLE_CHARACTERS, '');
}

const stripped = (value: unknown) =>
  typeof value === 'string' ? stripInvisible(value) : value;

/**
 * Namespaces a Namespace manifest must never be written for: under a Kustomization with `prune: true`, removing
 * the file would delete the namespace and everything in it.
 */
export const SYSTEM_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'default',
  'flux-system',
];

/** The issue message when `namespace` is a system namespace, else undefined. */
export function systemNamespaceProblem(namespace: string | undefined) {
  return namespace !== undefined && SYSTEM_NAMESPACES.includes(namespace)
    ? `must not be a system namespace (${SYSTEM_NAMESPACES.join(
        ', ',
      )}): the action would write a Namespace object for it, which Flux prunes when the file is removed`
    : undefined;
}

/** A DNS-1123 label (max 63): namespaces and object names. */
export function dnsLabel(description: string) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(63, 'must be at most 63 characters (a DNS-1123 label)')
    .regex(
      DNS1123_LABEL_PATTERN,
      'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit',
    )
    .describe(description);
}

/** A DNS-1123 subdomain (max 253): names that may contain dots. */
export function dnsSubdomain(description: string) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(253, 'must be at most 253 characters (a DNS-1123 subdomain)')
    .regex(
      DNS1123_SUBDOMAIN_PATTERN,
      'must be a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
    )
    .describe(description);
}

/** A key of a Kubernetes Secret's data. */
export function secretKey(description: string) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(253, 'must be at most 253 characters')
    .regex(
      SECRET_KEY_PATTERN,
      'must contain only letters, digits, "-", "_" and "."',
    )
    .describe(description);
}

/** A single line of free text: no control characters or line breaks, bounded length. */
export function singleLine(description: string, maxLength = 256) {
  return z
    .preprocess(
      stripped,
      z
        .string()
        .min(1, 'must not be empty')
        .max(maxLength, `must be at most ${maxLength} characters`)
        .refine(v => !CONTROL_CHARACTERS.test(v), {
          message: 'must be a single line without control characters',
        })
        .refine(v => v.trim() === v, {
          message: 'must not start or end with whitespace',
        })
        .describe(description),
    )
    .describe(description);
}

/** Multi-line free text (PR descriptions): bounded, no control characters except newlines and tabs. */
export function multiLine(description: string, maxLength = 20_000) {
  return z
    .preprocess(
      stripped,
      z
        .string()
        .max(maxLength, `must be at most ${maxLength} characters`)
        .refine(
          // eslint-disable-next-line no-control-regex
          v => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(v),
          { message: 'must not contain control characters' },
        )
        .describe(description),
    )
    .describe(description);
}

/** A Go duration such as `1h` or `10m`. */
export function goDuration(description: string) {
  return z
    .string()
    .max(32, 'must be at most 32 characters')
    .regex(
      GO_DURATION_PATTERN,
      'must be a Go duration such as "1h", "10m" or "1h30m"',
    )
    .describe(description);
}

/** An exact semantic version such as `2.9.0`. */
export function exactVersion(description: string) {
  return z
    .string()
    .max(64, 'must be at most 64 characters')
    .regex(
      EXACT_VERSION_PATTERN,
      'must be an exact version such as "2.9.0" (no ranges, no leading "v")',
    )
    .describe(description);
}

/**
 * Normalises a repository-relative path: forward slashes, no `.` segments,
 * no trailing slash. Returns an error message instead when the path is
 * absolute, leaves the repository (`..`) or is empty.
 */
export function normaliseRepoPath(
  value: string,
): { path: string } | { error: string } {
  if (CONTROL_CHARACTERS.test(value))
    return { error: 'must not contain control characters' };
  if (value.includes('\\'))
    return { error: 'must use "/" as separator, not "\\"' };
  if (value.startsWith('/') || /^[a-zA-Z]:/.test(value))
    return {
      error: 'must be relative to the repository root, not an absolute path',
    };
  if (value.split('/').some(segment => segment === '..'))
    return { error: 'must not contain ".." segments' };
  const normalised = posix.normalize(value).replace(/^(\.\/)+/, '');
  const trimmed = normalised.replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.')
    return { error: 'must name a folder inside the repository, not its root' };
  if (trimmed.split('/').some(s => s.startsWith('.')))
    return { error: 'must not contain hidden segments such as ".git"' };
  if (!/^[A-Za-z0-9._\-/]+$/.test(trimmed))
    return {
      error: 'may contain only letters, digits, ".", "_", "-" and "/"',
    };
  return { path: trimmed };
}

/** A folder relative to the repository root, normalised (`./clusters//a/` → `clusters/a`). */
export function repoPath(description: string) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters')
    .transform((value, ctx) => {
      const result = normaliseRepoPath(value);
      if ('error' in result) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: result.error });
        return z.NEVER;
      }
      return result.path;
    })
    .describe(description);
}

/**
 * A cluster's folder: a repository path (see {@link repoPath}) that is not `flux-system` or inside it, where
 * `flux bootstrap` keeps Flux's own manifests (gotk-components.yaml, gotk-sync.yaml) and writing breaks Flux.
 */
export function clusterPath(description: string) {
  return repoPath(description).refine(
    // After a refused path the transform gives z.NEVER: already reported.
    path =>
      typeof path !== 'string' || !path.split('/').includes('flux-system'),
    {
      message:
        'must not be a flux-system folder or inside one (Flux keeps its own manifests there); give the cluster folder that holds flux-system',
    },
  );
}

/** A git branch name that `git check-ref-format --branch` accepts (see {@link branchNameProblem}). */
export function branchName(description: string) {
  return z
    .string()
    .superRefine((value, ctx) => {
      const problem = branchNameProblem(value);
      if (problem)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `must be a valid git branch name: ${problem}`,
        });
    })
    .describe(description);
}

/**
 * Why `value` is not a branch name the actions accept, or undefined when it is one: what
 * `git check-ref-format --branch` accepts, restricted to ASCII letters, digits and `._-/` (no look-alike
 * characters), given without `refs/heads/` (GitHub would create `refs/heads/refs/heads/x`).
 */
export function branchNameProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > 200) return 'must be at most 200 characters';
  if (!/^[A-Za-z0-9._\-/]+$/.test(value))
    return 'may contain only ASCII letters, digits, ".", "_", "-" and "/" (no spaces, control or look-alike characters)';
  if (/^(refs|heads|remotes|tags)\//.test(value) || value === 'HEAD')
    return 'must be a branch name without "refs/heads/" (or "heads/", "tags/"), and not HEAD';
  if (value.startsWith('/') || value.endsWith('/') || value.includes('//'))
    return 'must not start or end with "/" or contain "//"';
  if (value.startsWith('-')) return 'must not start with "-"';
  if (value.includes('..')) return 'must not contain ".."';
  if (value === '@') return 'must not be "@"';
  const segments = value.split('/');
  if (segments.some(s => s.startsWith('.') || s.endsWith('.')))
    return 'no path segment may start or end with "."';
  if (segments.some(s => s.endsWith('.lock')))
    return 'no path segment may end with ".lock"';
  return undefined;
}

export function isValidBranchName(value: string): boolean {
  return branchNameProblem(value) === undefined;
}

/** Backstage's `host?owner=…&repo=…` (RepoUrlPicker output). */
export function repoUrl(description: string) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(512, 'must be at most 512 characters')
    .refine(v => !CONTROL_CHARACTERS.test(v), {
      message: 'must not contain control characters',
    })
    .describe(description);
}

/** A GitHub label name. */
export const githubLabel = singleLine(
  'A label to add to the pull request.',
  50,
);

/** A GitHub login (user) to request a review from. */
export const githubLogin = z
  .string()
  .max(39, 'must be at most 39 characters')
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9]))*$/,
    'must be a GitHub user login',
  )
  .describe('A GitHub user login to request a review from.');

/** The pull-request options every gitops action shares. */
export const pullRequestOptionsShape = {
  targetBranch: branchName(
    "The branch to open the pull request against. Default: the repository's default branch.",
  ).optional(),
  branchName: branchName(
    'The branch the change is committed to (created or updated). Re-running with the same branch updates it.',
  ).optional(),
  title: singleLine('Title of the pull request.', 256).optional(),
  description: multiLine(
    'Extra text placed at the top of the pull request description.',
    20_000,
  ).optional(),
  commitMessage: multiLine('Message of the single commit.', 5_000)
    .refine(v => v.trim().length > 0, { message: 'must not be empty' })
    .optional(),
  labels: z
    .array(githubLabel)
    .max(20, 'must list at most 20 labels')
    .optional()
    .describe('Labels to add to the pull request.'),
  reviewers: z
    .array(githubLogin)
    .max(15, 'must list at most 15 reviewers')
    .optional()
    .describe('GitHub logins to request reviews from.'),
  draft: z.boolean().optional().describe('Open the pull request as a draft.'),
  overwrite: z
    .boolean()
    .optional()
    .describe(
      'Replace files that already exist with other content. Without it the action stops and names them.',
    ),
  token: z
    .string()
    .max(4096, 'must be at most 4096 characters')
    // eslint-disable-next-line no-control-regex
    .refine(v => !/[\s\u0000-\u001f\u007f]/.test(v), {
      message:
        'must not contain spaces, line breaks or control characters (the value is not shown)',
    })
    .optional()
    .describe(
      'A GitHub token to act with instead of the integration credentials (e.g. the user token from RepoUrlPicker). Never logged.',
    ),
};

/** Renders zod issues as `field: problem` lines. */
export function formatIssues(issues: z.ZodIssue[]): string {
  return issues
    .map(issue => {
      const field = issue.path.length ? formatPath(issue.path) : '(input)';
      let message = issue.message;
      if (issue.code === z.ZodIssueCode.unrecognized_keys) {
        message = `unknown field(s) ${issue.keys
          .map(k => `"${k}"`)
          .join(', ')}; this action accepts no such input`;
      } else if (issue.code === z.ZodIssueCode.invalid_union_discriminator) {
        message = `must be one of ${issue.options
          .map(o => `"${String(o)}"`)
          .join(', ')}`;
      } else if (
        issue.code === z.ZodIssueCode.invalid_type &&
        issue.received === 'undefined'
      ) {
        message = `is required (${issue.expected})`;
      }
      return `${field}: ${message}`;
    })
    .join('; ');
}

export function formatPath(path: Array<string | number>): string {
  return path
    .map((p, i) => {
      if (typeof p === 'number') return `[${p}]`;
      return i ? `.${p}` : p;
    })
    .join('');
}

/**
 * Parses an action's input with its schema; throws an InputError listing
 * every invalid field. The scaffolder validates against the JSON Schema
 * derived from the zod schema too, but refinements (paths, cross-field rules)
 * only exist here, and tests call handlers directly.
 */
export function parseActionInput<T extends z.ZodTypeAny>(
  actionId: string,
  schema: T,
  input: unknown,
): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(
      `Invalid input to ${actionId}: ${formatIssues(result.error.issues)}`,
    );
  }
  return result.data;
}

/**
 * Hands one of our schemas to `createTemplateAction`. The scaffolder types its
 * schema callbacks with its own zod; ours is a different copy of the same v3
 * API, so TypeScript sees unrelated types. The handler re-parses its input
 * with `parseActionInput`, which restores the static types.
 */
export function toScaffolderSchema(
  schema: z.ZodTypeAny,
): (zImpl: unknown) => any {
  return () => schema;
}
