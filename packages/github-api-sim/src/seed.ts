/*
 * Initial content for new repositories: from a record of strings (tests) or a directory on disk (CLI `--seed`).
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { ZERO_SHA } from './git';
import type { RepoHandle } from './state';
import { isoNow } from './state';

export interface SeedFile {
  path: string;
  content: Buffer;
  mode: '100644' | '100755' | '120000';
}

export const SEED_AUTHOR = {
  name: 'GitHub API Sim',
  email: 'github-api-sim@localhost',
};

/** Commits `files` as the first commit of `branch`. Returns the commit SHA. */
export async function writeInitialCommit(
  repo: RepoHandle,
  branch: string,
  files: SeedFile[],
  message: string,
) {
  const shas = await repo.git.writeBlobs(files.map(f => f.content));
  const entries = new Map(
    files.map((f, i) => [f.path, { mode: f.mode, sha: shas[i] }]),
  );
  const tree = await repo.git.writeTree(entries);
  const person = { ...SEED_AUTHOR, date: isoNow() };
  const sha = await repo.git.writeCommit({
    tree,
    parents: [],
    author: person,
    committer: person,
    message,
  });
  if (!(await repo.git.updateRef(`refs/heads/${branch}`, sha, ZERO_SHA))) {
    throw new Error(`Branch ${branch} of ${repo.fullName} already exists`);
  }
  return sha;
}

/** Every file under `dir` (symlinks kept as links, executable bits kept), skipping `.git`. */
export async function readSeedDirectory(dir: string): Promise<SeedFile[]> {
  const files: SeedFile[] = [];
  async function walk(relative: string) {
    for (const entry of await readdir(path.join(dir, relative), {
      withFileTypes: true,
    })) {
      if (entry.name === '.git') continue;
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const abs = path.join(dir, rel);
      if (entry.isDirectory()) {
        await walk(rel);
      } else if (entry.isSymbolicLink()) {
        files.push({
          path: rel,
          content: Buffer.from(await readlink(abs)),
          mode: '120000',
        });
      } else if (entry.isFile()) {
        const executable = ((await stat(abs)).mode & 0o111) !== 0;
        files.push({
          path: rel,
          content: await readFile(abs),
          mode: executable ? '100755' : '100644',
        });
      }
    }
  }
  await walk('');
  return files;
}
