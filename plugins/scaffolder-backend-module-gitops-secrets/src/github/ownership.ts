/*
 * Branch ownership: the actions create and update only branches they made. Every commit an action writes ends with
 * git trailers naming the action, a digest of its target and a digest of its inputs; every pull request it opens
 * carries a hidden marker with the same action and target. Before any write, the branch's commits since the target
 * branch (one GraphQL `compare`, read with the snapshot) and its open pull request must all carry them.
 */
import { InputError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import type { BranchState, PullSummary } from './graphql';

/** Who writes: the action, and what the change is about. */
export interface PublishIdentity {
  /** The action id, e.g. `gitops:secrets:bootstrap`. */
  action: string;
  /**
   * What the change is about, e.g. the cluster path (bootstrap) or the cluster path and ExternalSecret (add). Only
   * a digest of it (with the repository and target branch) is written.
   */
  target: string;
  /** Digest of the inputs that made the change (see {@link inputsDigest}); written for audit, not compared. */
  inputs?: string;
}

export const TRAILER_ACTION = 'Golden-Gitops-Action';
export const TRAILER_TARGET = 'Golden-Gitops-Target';
export const TRAILER_INPUTS = 'Golden-Gitops-Inputs';

function sha256(value: unknown, length = 16): string {
  return createHash('sha256')
    .update(JSON.stringify(value))
    .digest('hex')
    .slice(0, length);
}

/** The digest of a target in one repository and target branch (owner/name compared case-insensitively, as GitHub does). */
export function targetDigest(
  repo: { owner: string; repo: string; baseBranch: string },
  identity: PublishIdentity,
): string {
  return sha256([
    `${repo.owner}/${repo.repo}`.toLowerCase(),
    repo.baseBranch,
    identity.action,
    identity.target,
  ]);
}

/** Inputs that do not change what is committed, or must never be hashed (the token). */
const NOT_DIGESTED = new Set([
  'token',
  'title',
  'description',
  'commitMessage',
  'labels',
  'reviewers',
  'draft',
  'branchName',
]);

/** A digest of an action's parsed input: everything that shapes the commit, never the token. */
export function inputsDigest(input: Record<string, unknown>): string {
  const kept = Object.keys(input)
    .filter(k => !NOT_DIGESTED.has(k))
    .sort()
    .map(k => [k, input[k]]);
  return sha256(kept);
}

/**
 * A branch name derived from the target and the inputs: `<prefix>/<readable>-<8 hex of the inputs digest>`, so two
 * runs for the same target with different inputs (two people, same cluster name) never share a branch, and the same
 * inputs again find their own branch and pull request.
 */
export function derivedBranchName(
  prefix: string,
  readable: string,
  input: Record<string, unknown>,
): string {
  const digest = inputsDigest(input).slice(0, 8);
  const part = readable.slice(0, 180 - prefix.length).replace(/[-./]+$/, '');
  return `${prefix}/${part}-${digest}`;
}

/** The commit message with the ownership trailers as its last paragraph. */
export function withTrailers(
  message: string,
  repo: { owner: string; repo: string; baseBranch: string },
  identity: PublishIdentity,
): string {
  const lines = [
    `${TRAILER_ACTION}: ${identity.action}`,
    `${TRAILER_TARGET}: ${targetDigest(repo, identity)}`,
    ...(identity.inputs ? [`${TRAILER_INPUTS}: ${identity.inputs}`] : []),
  ];
  return `${message.replace(/\s+$/, '')}\n\n${lines.join('\n')}\n`;
}

/** The trailers of a commit message: `Key: value` lines of its last paragraph. */
export function parseTrailers(message: string): Record<string, string> {
  const paragraphs = message
    .replace(/\r\n/g, '\n')
    .trim()
    .split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? '';
  const out: Record<string, string> = {};
  for (const line of last.split('\n')) {
    const match = /^([A-Za-z0-9-]+):\s*(.*?)\s*$/.exec(line);
    if (match) out[match[1]] = match[2];
  }
  return out;
}

function isOwnCommit(message: string, action: string, target: string) {
  const trailers = parseTrailers(message);
  return (
    trailers[TRAILER_ACTION] === action && trailers[TRAILER_TARGET] === target
  );
}

/** The hidden line a pull request's body carries when this action opened it for this target. */
export function pullMarker(
  repo: { owner: string; repo: string; baseBranch: string },
  identity: PublishIdentity,
): string {
  return `<!-- golden-gitops action=${identity.action} target=${targetDigest(
    repo,
    identity,
  )} -->`;
}

/** The PR body with the marker as its last line. */
export function withMarker(
  body: string,
  repo: { owner: string; repo: string; baseBranch: string },
  identity: PublishIdentity,
): string {
  return `${body.replace(/\s+$/, '')}\n\n${pullMarker(repo, identity)}`;
}

export function isOwnPull(
  pull: PullSummary,
  repo: { owner: string; repo: string; baseBranch: string },
  identity: PublishIdentity,
): boolean {
  return pull.body.includes(pullMarker(repo, identity));
}

/** A name from git, shown in an error: one line, no control or format characters, bounded. */
function shown(text: string | undefined): string {
  const clean = (text ?? '')
    .replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g,
      '',
    )
    .slice(0, 80);
  return JSON.stringify(clean || 'unknown');
}

/**
 * Throws an InputError (nothing written yet) unless the branch may be written by this identity:
 * - not the repository's default branch, not the target branch, not covered by a branch protection rule;
 * - when it exists: every commit on it since the target branch carries this action's trailers for this target
 *   (a branch whose commits were all merged must have our commit at its head);
 * - its open pull request against the target branch carries this action's marker for this target.
 */
export function assertOwnBranch(
  state: BranchState,
  repo: {
    owner: string;
    repo: string;
    baseBranch: string;
    defaultBranch?: string;
  },
  branch: string,
  identity: PublishIdentity,
): void {
  const name = `${repo.owner}/${repo.repo}`;
  const refuse = (why: string) =>
    new InputError(`branchName: ${why}; nothing was written`);
  if (branch === repo.baseBranch || branch === repo.defaultBranch) {
    throw refuse(
      `${branch} is the ${
        branch === repo.baseBranch ? 'target' : 'default'
      } branch of ${name}; the change is proposed from a branch of its own`,
    );
  }
  if (state.protectedBy !== undefined) {
    throw refuse(
      `branch ${branch} of ${name} is protected (rule ${shown(
        state.protectedBy,
      )}); the action never writes to a protected branch. Choose another branchName`,
    );
  }
  const target = targetDigest(repo, identity);
  if (state.head) {
    const compare = state.compare;
    let own: boolean;
    if (!compare) own = false;
    else if (compare.aheadBy === 0)
      own = isOwnCommit(state.head.message ?? '', identity.action, target);
    else
      own =
        compare.aheadBy <= compare.commits.length &&
        compare.commits.every(c =>
          isOwnCommit(c.message, identity.action, target),
        );
    if (!own) {
      const count = compare ? `${compare.aheadBy} commit(s)` : 'commits';
      throw refuse(
        `branch ${branch} already exists in ${name} with ${count} since ${
          repo.baseBranch
        } that ${
          identity.action
        } did not write for this target (last commit ${state.head.sha.slice(
          0,
          7,
        )} by ${shown(
          state.head.author,
        )}). The action only updates branches it made; choose another branchName, or omit it for a branch of its own`,
      );
    }
  }
  for (const pull of state.pulls) {
    if (pull.baseRef === repo.baseBranch && !isOwnPull(pull, repo, identity)) {
      throw refuse(
        `branch ${branch} of ${name} has open pull request #${pull.number} that ${identity.action} did not open for this target; the action never rewrites a pull request it did not open. Choose another branchName`,
      );
    }
  }
}
