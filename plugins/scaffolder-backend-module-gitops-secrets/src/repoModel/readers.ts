/*
 * Ways to read a repository for the model: the snapshot an action opened
 * (one GraphQL query per BLOBS_PER_QUERY manifests) or a folder on disk
 * (tests and the corpus trimmer).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GitopsRepo } from '../github';
import { isManifestPath, MAX_MANIFEST_BYTES } from './build';
import { RepoReader } from './types';

/** A reader over an opened snapshot, with blob sizes so large manifests are not fetched. */
export async function readerFromSnapshot(
  repo: GitopsRepo,
): Promise<{ reader: RepoReader; sizes: Map<string, number> }> {
  const listing = repo.allFiles?.();
  const sizes = new Map<string, number>();
  let paths: string[];
  if (listing) {
    paths = listing.map(f => f.path);
    for (const f of listing)
      if (f.size !== undefined) sizes.set(f.path, f.size);
  } else {
    // Truncated listing (over 100,000 entries): fall back to walking from the root.
    paths = await repo.listFiles('');
  }
  const reader: RepoReader = {
    paths,
    async read(wanted) {
      if (repo.readFiles) return repo.readFiles(wanted);
      const out = new Map<string, string>();
      for (const p of wanted) {
        const text = await repo.readFile(p);
        if (text !== undefined) out.set(p, text);
      }
      return out;
    },
  };
  return { reader, sizes };
}

/** A reader over a folder on disk (every file below it, `.git` excluded). */
export async function readerFromDir(
  root: string,
): Promise<{ reader: RepoReader; sizes: Map<string, number> }> {
  const paths: string[] = [];
  const walk = async (rel: string) => {
    for (const entry of await readdir(path.join(root, rel), {
      withFileTypes: true,
    })) {
      if (entry.name === '.git') continue;
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) paths.push(p);
    }
  };
  await walk('');
  paths.sort();
  const sizes = new Map<string, number>();
  return {
    sizes,
    reader: {
      paths,
      async read(wanted) {
        const out = new Map<string, string>();
        for (const p of wanted) {
          const text = await readFile(path.join(root, p), 'utf8');
          sizes.set(p, Buffer.byteLength(text));
          if (
            Buffer.byteLength(text) <= MAX_MANIFEST_BYTES ||
            !isManifestPath(p)
          )
            out.set(p, text);
        }
        return out;
      },
    },
  };
}

/** A reader over files in memory (unit tests). */
export function readerFromFiles(files: Record<string, string>): RepoReader {
  return {
    paths: Object.keys(files).sort(),
    async read(wanted) {
      return new Map(wanted.filter(p => p in files).map(p => [p, files[p]]));
    },
  };
}

/** `reader` with `files` written over it: the repository as a pull request would leave it. */
export function readerWithChanges(
  reader: RepoReader,
  files: Array<{ path: string; content: string }>,
): RepoReader {
  const changed = new Map(files.map(f => [f.path, f.content]));
  return {
    paths: [...new Set([...reader.paths, ...changed.keys()])].sort(),
    async read(wanted) {
      const out = await reader.read(wanted.filter(p => !changed.has(p)));
      for (const p of wanted) if (changed.has(p)) out.set(p, changed.get(p)!);
      return out;
    },
  };
}
