/*
 * GitHub's "create a tree" semantics over a flat path map: entries replace paths in `base_tree`, nested paths create
 * intermediate directories, `sha: null` deletes a file or a whole directory.
 */
import { ApiError, unprocessable } from './errors';
import type { GitRepo } from './git';

export interface TreeChange {
  path: string;
  mode: string;
  /** null deletes. */
  sha: string | null;
}

const MODE_TYPES: Record<string, 'blob' | 'tree' | 'commit'> = {
  '100644': 'blob',
  '100755': 'blob',
  '120000': 'blob',
  '040000': 'tree',
  '160000': 'commit',
};

export function typeForMode(
  mode: string,
): 'blob' | 'tree' | 'commit' | undefined {
  return MODE_TYPES[mode];
}

export function normalizeTreePath(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '')
    throw unprocessable('tree.path contains a malformed path component');
  const segments = raw.split('/');
  if (segments.some(s => s === '' || s === '.' || s === '..' || s === '.git')) {
    throw unprocessable('tree.path contains a malformed path component');
  }
  return raw;
}

/** Flat map of every non-tree entry under `tree`, keyed by full path. */
export async function flattenTree(
  git: GitRepo,
  tree: string | undefined,
  prefix = '',
) {
  const entries = new Map<string, { mode: string; sha: string }>();
  if (!tree) return entries;
  for (const entry of await git.listTree(tree, { recursive: true })) {
    if (entry.type !== 'tree')
      entries.set(prefix + entry.path, { mode: entry.mode, sha: entry.sha });
  }
  return entries;
}

function removeUnder(entries: Map<string, unknown>, path: string): number {
  let removed = 0;
  for (const key of [...entries.keys()]) {
    if (key === path || key.startsWith(`${path}/`)) {
      entries.delete(key);
      removed += 1;
    }
  }
  return removed;
}

/** A file at `a` must go when `a/b` is written (GitHub replaces it with a directory). */
function removeFileParents(entries: Map<string, unknown>, path: string) {
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++)
    entries.delete(segments.slice(0, i).join('/'));
}

/** Applies `changes` to `baseTree` (undefined: start empty) and writes the result. Returns the new tree SHA. */
export async function buildTree(
  git: GitRepo,
  baseTree: string | undefined,
  changes: TreeChange[],
): Promise<string> {
  const entries = await flattenTree(git, baseTree);
  for (const change of changes) {
    if (change.sha === null) {
      // Deleting what is not there is an error on GitHub (clients guard against it with a HEAD on contents).
      if (removeUnder(entries, change.path) === 0)
        throw new ApiError(422, 'GitRPC::BadObjectState');
      continue;
    }
    removeUnder(entries, change.path);
    removeFileParents(entries, change.path);
    if (change.mode === '040000') {
      for (const [p, e] of await flattenTree(
        git,
        change.sha,
        `${change.path}/`,
      ))
        entries.set(p, e);
    } else {
      entries.set(change.path, { mode: change.mode, sha: change.sha });
    }
  }
  return git.writeTree(entries);
}
