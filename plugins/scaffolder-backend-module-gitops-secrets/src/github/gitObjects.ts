/*
 * Git object names computed locally, so comparing content with GitHub costs no
 * request: a file's blob SHA, and the root tree SHA that `POST git/trees` with
 * `base_tree` would answer for a set of new files.
 */
import { createHash } from 'node:crypto';

/** Git's blob SHA of `content` (UTF-8): sha1 of `blob <byte length>\0<bytes>`, as `git hash-object` computes it. */
export function gitBlobSha(content: string | Buffer): string {
  const bytes =
    typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha1')
    .update(`blob ${bytes.length}\0`)
    .update(bytes)
    .digest('hex');
}

/** One entry of a recursive tree listing (`GET git/trees/{sha}?recursive=1`). */
export interface TreeEntry {
  path: string;
  /** As GitHub lists it: `100644`, `100755`, `120000`, `040000` (folder), `160000` (submodule). */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

interface DirEntry {
  mode: string;
  sha: string;
  isTree: boolean;
}

function treeObjectSha(entries: Map<string, DirEntry>): string {
  const sorted = [...entries].sort(([a, x], [b, y]) =>
    // Git's order: byte order of names, folders compared as if their name ended in "/".
    Buffer.compare(
      Buffer.from(x.isTree ? `${a}/` : a),
      Buffer.from(y.isTree ? `${b}/` : b),
    ),
  );
  const body = Buffer.concat(
    sorted.flatMap(([name, entry]) => [
      // Git writes modes without leading zeros ("40000"); GitHub lists folders as "040000".
      Buffer.from(`${entry.mode.replace(/^0+/, '')} ${name}\0`),
      Buffer.from(entry.sha, 'hex'),
    ]),
  );
  return createHash('sha1')
    .update(`tree ${body.length}\0`)
    .update(body)
    .digest('hex');
}

/**
 * The root tree SHA of the complete tree `listing` (every entry of a
 * recursive listing, folders included) with `files` written as regular files
 * (mode 100644) — the tree `POST git/trees` answers for `base_tree` plus these
 * files. Undefined when a file's path runs through a file, or a file would
 * replace a folder: GitHub alone decides what that gives.
 */
export function treeShaWithFiles(
  listing: Iterable<TreeEntry>,
  files: Array<{ path: string; sha: string }>,
): string | undefined {
  const dirs = new Map<string, Map<string, DirEntry>>([['', new Map()]]);
  const dirOf = (path: string) => {
    const slash = path.lastIndexOf('/');
    return slash < 0
      ? { dir: '', name: path }
      : { dir: path.slice(0, slash), name: path.slice(slash + 1) };
  };
  const entriesOf = (dir: string) => {
    let entries = dirs.get(dir);
    if (!entries) {
      entries = new Map();
      dirs.set(dir, entries);
    }
    return entries;
  };
  for (const entry of listing) {
    const { dir, name } = dirOf(entry.path);
    entriesOf(dir).set(name, {
      mode: entry.mode,
      sha: entry.sha,
      isTree: entry.type === 'tree',
    });
  }

  const dirty = new Set<string>(['']);
  for (const file of files) {
    const segments = file.path.split('/');
    let dir = '';
    for (const segment of segments.slice(0, -1)) {
      const existing = dirs.get(dir)?.get(segment);
      if (existing && !existing.isTree) return undefined;
      dir = dir ? `${dir}/${segment}` : segment;
      dirty.add(dir);
      if (!existing) {
        // A new folder: its entry in the parent gets its SHA below.
        entriesOf(dirOf(dir).dir).set(segment, {
          mode: '40000',
          sha: '',
          isTree: true,
        });
      }
    }
    const name = segments[segments.length - 1];
    const entries = entriesOf(dir);
    if (entries.get(name)?.isTree) return undefined;
    entries.set(name, { mode: '100644', sha: file.sha, isTree: false });
  }

  // Deepest folders first, so each parent sees its children's new SHAs; the root ('') last.
  const depth = (dir: string) => (dir ? dir.split('/').length : 0);
  const order = [...dirty].sort((a, b) => depth(b) - depth(a));
  let root = '';
  for (const dir of order) {
    const sha = treeObjectSha(entriesOf(dir));
    if (dir === '') {
      root = sha;
    } else {
      const { dir: parent, name } = dirOf(dir);
      entriesOf(parent).set(name, { mode: '40000', sha, isTree: true });
    }
  }
  return root;
}
