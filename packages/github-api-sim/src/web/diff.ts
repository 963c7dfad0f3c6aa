/*
 * The unified diff of a pull request, as GitHub shows it: base...head, i.e. from the merge base to the head commit,
 * split per file and matched with the simulator's own list of changed files.
 */
import type { DiffFile } from '../git';
import type { RepoHandle } from '../state';

/** Lines shown per file and per page before the rest is summarised (a browser page, not an archive). */
export const MAX_LINES_PER_FILE = 2000;
export const MAX_LINES_TOTAL = 20000;

export type DiffLineKind = 'add' | 'del' | 'hunk' | 'context' | 'info';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
}

export interface FilePatch extends DiffFile {
  /** Hunks (or git's note, e.g. "Binary files … differ"); undefined when git printed nothing for the file. */
  lines?: DiffLine[];
  /** Lines left out because of the limits above. */
  omitted: number;
}

export interface PullDiff {
  /** The commit the diff starts from (merge base of base and head, else the base). */
  from: string;
  to: string;
  files: FilePatch[];
  /** The whole patch as git printed it (for `.diff`). */
  text: string;
}

function kindOf(line: string): DiffLineKind {
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  if (line.startsWith(' ') || line === '') return 'context';
  return 'info';
}

/** Splits `git diff-tree -p` output at each `diff --git` header; keeps the hunks, or git's notes when there are none. */
export function splitPatch(text: string): DiffLine[][] {
  const chunks: string[][] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('diff --git ')) chunks.push([]);
    else if (chunks.length > 0) chunks[chunks.length - 1].push(line);
  }
  return chunks.map(chunk => {
    const firstHunk = chunk.findIndex(l => l.startsWith('@@'));
    if (firstHunk !== -1)
      return chunk.slice(firstHunk).map(l => ({ kind: kindOf(l), text: l }));
    // No hunks: a binary file, an empty file or a mode change. Keep git's human-readable notes.
    return chunk
      .filter(
        l =>
          !/^(index |--- |\+\+\+ |similarity |old mode |new mode )/.test(l) &&
          l !== '',
      )
      .map(l => ({ kind: 'info' as const, text: l }));
  });
}

export async function pullDiff(
  repo: RepoHandle,
  baseSha: string,
  headSha: string,
): Promise<PullDiff> {
  const from = (await repo.git.mergeBase(baseSha, headSha)) ?? baseSha;
  const [files, patch] = await Promise.all([
    repo.git.diffFiles(from, headSha),
    repo.git.git([
      'diff-tree',
      '-r',
      '-p',
      '--no-renames',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      from,
      headSha,
    ]),
  ]);
  const text = patch.stdout.toString('utf8');
  const chunks = splitPatch(text);
  // Both listings come from the same diff queue, in the same (path) order.
  const matched = chunks.length === files.length;
  let budget = MAX_LINES_TOTAL;
  return {
    from,
    to: headSha,
    text,
    files: files.map((file, i) => {
      const lines = matched ? chunks[i] : undefined;
      if (!lines) return { ...file, omitted: 0 };
      const shown = Math.max(
        0,
        Math.min(lines.length, MAX_LINES_PER_FILE, budget),
      );
      budget -= shown;
      return {
        ...file,
        lines: lines.slice(0, shown),
        omitted: lines.length - shown,
      };
    }),
  };
}
