/*
 * Thin async wrapper over git plumbing for one bare repository. Every object the simulator hands out is a real git
 * object, so clients' SHAs are the SHAs `git clone` sees.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface TreeEntry {
  mode: string;
  type: ObjectType;
  sha: string;
  path: string;
  /** Blobs only. */
  size?: number;
}

export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601, UTC. */
  date: string;
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  message: string;
  signature?: string;
}

export interface NewCommit {
  tree: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  message: string;
  signature?: string;
}

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed (${exitCode}): ${stderr.trim()}`);
    this.name = 'GitCommandError';
  }
}

interface RunOptions {
  input?: Buffer | string;
  env?: Record<string, string>;
  /** Exit codes to return instead of throwing. */
  okCodes?: number[];
}

interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** Environment without the caller's git overrides, so a test runner inside a git checkout cannot redirect us. */
function cleanEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_')) env[key] = value;
  }
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_TERMINAL_PROMPT = '0';
  return { ...env, ...extra };
}

export function runGit(
  args: string[],
  opts: RunOptions & { cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: opts.cwd,
      env: cleanEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', code => {
      const result = {
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? -1,
      };
      if (code === 0 || (code !== null && opts.okCodes?.includes(code)))
        resolve(result);
      else reject(new GitCommandError(args, code, result.stderr));
    });
    // A child that exits before reading stdin must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

function epochToIso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parsePerson(value: string): GitPerson {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(value);
  if (!match) return { name: value, email: '', date: epochToIso(0) };
  return {
    name: match[1],
    email: match[2],
    date: epochToIso(Number(match[3])),
  };
}

function formatPerson(person: GitPerson): string {
  // Angle brackets and newlines would corrupt the header line.
  const clean = (s: string) => s.replace(/[<>\n\r]/g, '').trim();
  const millis = Date.parse(person.date);
  const epoch = Number.isNaN(millis)
    ? Math.floor(Date.now() / 1000)
    : Math.floor(millis / 1000);
  return `${clean(person.name)} <${clean(person.email)}> ${epoch} +0000`;
}

export function parseCommit(sha: string, raw: Buffer): CommitInfo {
  const text = raw.toString('utf8');
  const split = text.indexOf('\n\n');
  const headerText = split === -1 ? text : text.slice(0, split);
  const message = split === -1 ? '' : text.slice(split + 2);
  const headers: Array<[string, string]> = [];
  for (const line of headerText.split('\n')) {
    if (line.startsWith(' ') && headers.length > 0) {
      headers[headers.length - 1][1] += `\n${line.slice(1)}`;
    } else {
      const space = line.indexOf(' ');
      headers.push([line.slice(0, space), line.slice(space + 1)]);
    }
  }
  const get = (key: string) => headers.find(([k]) => k === key)?.[1];
  return {
    sha,
    tree: get('tree') ?? '',
    parents: headers.filter(([k]) => k === 'parent').map(([, v]) => v),
    author: parsePerson(get('author') ?? ''),
    committer: parsePerson(get('committer') ?? ''),
    message,
    signature: get('gpgsig'),
  };
}

/** A tree path must not escape or corrupt the tree: no empty, `.` or `..` segments, no NUL. */
function isSafeTreePath(p: string): boolean {
  return (
    p !== '' &&
    !p.includes('\0') &&
    p.split('/').every(s => s !== '' && s !== '.' && s !== '..')
  );
}

/** Ref names we read from disk: git's own rules, strictly enough that no name can leave the refs directory. */
export function isSafeRefName(ref: string): boolean {
  return (
    /^refs\/[^\0-\x20~^:?*[\\\x7f]+$/.test(ref) &&
    !ref.includes('..') &&
    !ref.includes('//') &&
    !ref.includes('@{') &&
    !ref.endsWith('/') &&
    !ref.endsWith('.') &&
    ref.split('/').every(s => !s.startsWith('.') && !s.endsWith('.lock'))
  );
}

interface CatFileResult {
  sha: string;
  type: ObjectType;
  size: number;
  content?: Buffer;
}

/**
 * One long-lived `git cat-file --batch-command` per repository answers object reads without a process per request
 * (spawning git costs tens of milliseconds on a busy machine). Only SHA-based names go through it: refs are read
 * from disk, where their current value always is.
 */
class CatFile {
  private child?: ReturnType<typeof spawn>;
  private buffer = Buffer.alloc(0);
  private pending: Array<{
    kind: 'info' | 'contents';
    resolve: (r: CatFileResult | undefined) => void;
    reject: (e: Error) => void;
  }> = [];

  constructor(private readonly gitDir: string) {}

  request(
    kind: 'info' | 'contents',
    name: string,
  ): Promise<CatFileResult | undefined> {
    if (/[\s]/.test(name)) return Promise.resolve(undefined);
    const child = this.child ?? this.start();
    return new Promise((resolve, reject) => {
      this.pending.push({ kind, resolve, reject });
      child.stdin!.write(`${kind} ${name}\n`);
    });
  }

  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin!.end();
      child.kill();
    }
  }

  private start() {
    const args = [`--git-dir=${this.gitDir}`, 'cat-file', '--batch-command'];
    const child = spawn('git', args, {
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.buffer = Buffer.alloc(0);
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length
        ? Buffer.concat([this.buffer, chunk])
        : chunk;
      this.drain();
    });
    // cat-file reports unresolvable names on stderr *and* as "missing" on stdout; keep only the tail for errors.
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.stdin!.on('error', () => undefined);
    const fail = (reason: string) => {
      if (this.child === child) this.child = undefined;
      const waiting = this.pending;
      this.pending = [];
      for (const p of waiting)
        p.reject(
          new GitCommandError(args.slice(1), null, `${reason}: ${stderr}`),
        );
    };
    child.on('error', error => fail(error.message));
    child.on('exit', code => fail(`exited with ${code}`));
    // Idle readers must not keep a process (or a test run) alive.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr] as any[])
      stream?.unref?.();
    return child;
  }

  private drain() {
    while (this.pending.length > 0) {
      const eol = this.buffer.indexOf(0x0a);
      if (eol === -1) return;
      const header = this.buffer.subarray(0, eol).toString('utf8').split(' ');
      const head = this.pending[0];
      if (header.length !== 3 || !/^[0-9a-f]{40}$/.test(header[0])) {
        // "<name> missing" or "<name> ambiguous"
        this.buffer = this.buffer.subarray(eol + 1);
        this.pending.shift();
        head.resolve(undefined);
        continue;
      }
      const size = Number(header[2]);
      let content: Buffer | undefined;
      if (head.kind === 'contents') {
        if (this.buffer.length < eol + 1 + size + 1) return;
        content = Buffer.from(this.buffer.subarray(eol + 1, eol + 1 + size));
        this.buffer = this.buffer.subarray(eol + 1 + size + 1);
      } else {
        this.buffer = this.buffer.subarray(eol + 1);
      }
      this.pending.shift();
      head.resolve({
        sha: header[0],
        type: header[1] as ObjectType,
        size,
        content,
      });
    }
  }
}

const MODE_TYPES: Record<string, ObjectType> = {
  '040000': 'tree',
  '160000': 'commit',
};
const DIFF_STATUSES: Record<string, DiffFile['status']> = {
  A: 'added',
  D: 'removed',
};

/** Parses a binary tree object into entries (paths relative to the tree). */
function parseTree(content: Buffer, prefix: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let offset = 0;
  while (offset < content.length) {
    const space = content.indexOf(0x20, offset);
    const nul = content.indexOf(0x00, space);
    const rawMode = content.subarray(offset, space).toString('ascii');
    const name = content.subarray(space + 1, nul).toString('utf8');
    const sha = content.subarray(nul + 1, nul + 21).toString('hex');
    offset = nul + 21;
    const mode = rawMode.padStart(6, '0');
    const type = MODE_TYPES[mode] ?? 'blob';
    entries.push({ mode, type, sha, path: prefix + name });
  }
  return entries;
}

/** Git's tree order: byte order of names, with directories compared as if their name ended in `/`. */
function treeOrder(
  a: { name: string; isTree: boolean },
  b: { name: string; isTree: boolean },
): number {
  return Buffer.compare(
    Buffer.from(a.isTree ? `${a.name}/` : a.name),
    Buffer.from(b.isTree ? `${b.name}/` : b.name),
  );
}

export class GitRepo {
  private writeQueue: Promise<unknown> = Promise.resolve();
  private readonly catFile: CatFile;

  constructor(readonly dir: string) {
    this.catFile = new CatFile(dir);
  }

  static async initBare(dir: string, defaultBranch: string): Promise<GitRepo> {
    await runGit(['init', '--quiet', '--bare', dir]);
    const repo = new GitRepo(dir);
    await repo.git(['symbolic-ref', 'HEAD', `refs/heads/${defaultBranch}`]);
    return repo;
  }

  /** Stops the background object reader. The repository stays usable (the reader restarts on demand). */
  close(): void {
    this.catFile.close();
  }

  git(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return runGit([`--git-dir=${this.dir}`, ...args], opts);
  }

  /** Runs `fn` after every earlier write on this repository has settled: writes are read-modify-write sequences. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.writeQueue.then(fn, fn);
    this.writeQueue = next.catch(() => undefined);
    return next;
  }

  async defaultBranch(): Promise<string> {
    const head = (await readFile(path.join(this.dir, 'HEAD'), 'utf8')).trim();
    return head.startsWith('ref: refs/heads/')
      ? head.slice('ref: refs/heads/'.length)
      : 'main';
  }

  /** SHA a full ref name (`refs/heads/main`) points at, or undefined: the loose ref file, else packed-refs. */
  async readRef(ref: string): Promise<string | undefined> {
    if (!isSafeRefName(ref)) return undefined;
    try {
      const value = (await readFile(path.join(this.dir, ref), 'utf8')).trim();
      if (/^[0-9a-f]{40}$/.test(value)) return value;
      // A symbolic ref inside refs/ (rare): let git follow it.
      const { stdout, code } = await this.git(
        ['rev-parse', '--verify', '--quiet', ref],
        { okCodes: [1, 128] },
      );
      return code === 0 ? stdout.toString('utf8').trim() : undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR')
        throw error;
    }
    return (await this.packedRefs()).get(ref);
  }

  private async packedRefs(): Promise<Map<string, string>> {
    const refs = new Map<string, string>();
    let text: string;
    try {
      text = await readFile(path.join(this.dir, 'packed-refs'), 'utf8');
    } catch {
      return refs;
    }
    for (const line of text.split('\n')) {
      const match = /^([0-9a-f]{40}) (refs\/\S+)$/.exec(line);
      if (match) refs.set(match[2], match[1]);
    }
    return refs;
  }

  /** Whether any branch exists (GitHub calls a repository without one "empty"). */
  async hasBranches(): Promise<boolean> {
    const anyFile = async (dir: string): Promise<boolean> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return false;
      }
      for (const entry of entries) {
        if (entry.isFile() && !entry.name.endsWith('.lock')) return true;
        if (entry.isDirectory() && (await anyFile(path.join(dir, entry.name))))
          return true;
      }
      return false;
    };
    if (await anyFile(path.join(this.dir, 'refs', 'heads'))) return true;
    return [...(await this.packedRefs()).keys()].some(ref =>
      ref.startsWith('refs/heads/'),
    );
  }

  /**
   * SHA of `rev` peeled to `type`, or undefined. `rev` is a SHA, a full ref, a branch or tag name, or (slow path)
   * any revision expression git understands.
   */
  async resolve(
    rev: string,
    type?: 'commit' | 'tree',
  ): Promise<string | undefined> {
    if (!rev || rev.startsWith('-') || /\s/.test(rev)) return undefined;
    let sha: string | undefined;
    if (/^[0-9a-f]{40}$/.test(rev)) {
      sha = rev;
    } else if (rev === 'HEAD') {
      sha = await this.readRef(`refs/heads/${await this.defaultBranch()}`);
    } else {
      const candidates = rev.startsWith('refs/')
        ? [rev]
        : [`refs/heads/${rev}`, `refs/tags/${rev}`, `refs/${rev}`];
      for (const candidate of candidates) {
        sha = await this.readRef(candidate);
        if (sha) break;
      }
      if (!sha && /[~^@:]|^[0-9a-f]{4,39}$/.test(rev)) {
        const { stdout, code } = await this.git(
          ['rev-parse', '--verify', '--quiet', '--end-of-options', rev],
          {
            okCodes: [1, 128],
          },
        );
        if (code === 0) sha = stdout.toString('utf8').trim();
      }
    }
    if (!sha) return undefined;
    const found = await this.catFile.request(
      'info',
      type ? `${sha}^{${type}}` : sha,
    );
    return found?.sha;
  }

  /** Type of each object, undefined when missing. */
  async objectTypes(
    shas: string[],
  ): Promise<Map<string, ObjectType | undefined>> {
    const result = new Map<string, ObjectType | undefined>();
    await Promise.all(
      shas.map(async sha => {
        result.set(
          sha,
          /^[0-9a-f]{40}$/.test(sha)
            ? (await this.catFile.request('info', sha))?.type
            : undefined,
        );
      }),
    );
    return result;
  }

  /** Raw content of each object, in order; undefined when missing. */
  async readObjects(
    shas: string[],
  ): Promise<Array<{ type: ObjectType; content: Buffer } | undefined>> {
    return Promise.all(
      shas.map(async sha => {
        if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
        const found = await this.catFile.request('contents', sha);
        return found
          ? { type: found.type, content: found.content! }
          : undefined;
      }),
    );
  }

  async readCommits(shas: string[]): Promise<CommitInfo[]> {
    const objects = await this.readObjects(shas);
    return objects.flatMap((object, i) =>
      object?.type === 'commit' ? [parseCommit(shas[i], object.content)] : [],
    );
  }

  async readCommit(sha: string): Promise<CommitInfo | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const [commit] = await this.readCommits([sha]);
    return commit;
  }

  async readBlob(sha: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const [object] = await this.readObjects([sha]);
    return object?.type === 'blob' ? object.content : undefined;
  }

  private async readTreeEntries(
    treeSha: string,
    prefix: string,
    sizes: boolean,
  ): Promise<TreeEntry[]> {
    const found = await this.catFile.request('contents', treeSha);
    if (!found || found.type !== 'tree')
      throw new Error(`${treeSha} is not a tree in ${this.dir}`);
    const entries = parseTree(found.content!, prefix);
    if (sizes) {
      await Promise.all(
        entries
          .filter(e => e.type === 'blob')
          .map(async e => {
            e.size = (await this.catFile.request('info', e.sha))?.size;
          }),
      );
    }
    return entries;
  }

  /**
   * Entries of the tree `treeish` (a tree or commit SHA) in `ls-tree` order. `recursive` lists the whole tree,
   * trees included, as GitHub does; `sizes` fills blob sizes.
   */
  async listTree(
    treeish: string,
    opts: { recursive?: boolean; sizes?: boolean } = {},
  ): Promise<TreeEntry[]> {
    const tree = await this.resolve(treeish, 'tree');
    if (!tree) throw new Error(`${treeish} is not a tree-ish in ${this.dir}`);
    const walk = async (sha: string, prefix: string): Promise<TreeEntry[]> => {
      const entries = await this.readTreeEntries(
        sha,
        prefix,
        opts.sizes ?? false,
      );
      if (!opts.recursive) return entries;
      const nested = await Promise.all(
        entries.map(async e =>
          e.type === 'tree' ? [e, ...(await walk(e.sha, `${e.path}/`))] : [e],
        ),
      );
      return nested.flat();
    };
    return walk(tree, '');
  }

  /** The entry at `entryPath` in `treeish` (with its size when a blob), or undefined. */
  async entryAt(
    treeish: string,
    entryPath: string,
  ): Promise<TreeEntry | undefined> {
    if (!isSafeTreePath(entryPath)) return undefined;
    let tree = await this.resolve(treeish, 'tree');
    const segments = entryPath.split('/');
    let entry: TreeEntry | undefined;
    for (let i = 0; i < segments.length; i++) {
      if (!tree) return undefined;
      const prefix = segments
        .slice(0, i)
        .map(s => `${s}/`)
        .join('');
      const entries = await this.readTreeEntries(tree, prefix, false);
      entry = entries.find(e => e.path === prefix + segments[i]);
      if (!entry) return undefined;
      tree = entry.type === 'tree' ? entry.sha : undefined;
    }
    if (entry?.type === 'blob')
      entry.size = (await this.catFile.request('info', entry.sha))?.size;
    return entry;
  }

  /** Children of the directory `dirPath` ('' for the root) in `treeish`, with blob sizes; undefined if not a directory. */
  async listDir(
    treeish: string,
    dirPath: string,
  ): Promise<TreeEntry[] | undefined> {
    if (dirPath === '') return this.listTree(treeish, { sizes: true });
    const dir = await this.entryAt(treeish, dirPath);
    if (dir?.type !== 'tree') return undefined;
    return this.readTreeEntries(dir.sha, `${dirPath}/`, true);
  }

  async listRefs(
    prefix = 'refs/',
  ): Promise<Array<{ ref: string; sha: string; type: ObjectType }>> {
    const { stdout } = await this.git([
      'for-each-ref',
      '--format=%(refname)%00%(objectname)%00%(objecttype)',
      prefix,
    ]);
    return stdout
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map(line => {
        const [ref, sha, type] = line.split('\0');
        return { ref, sha, type: type as ObjectType };
      });
  }

  /**
   * Compare-and-swap: moves `ref` to `newSha` only if it still points at `oldSha` (ZERO_SHA: must not exist).
   * Returns false when someone else moved it first. Without `oldSha` the ref is set unconditionally.
   */
  async updateRef(
    ref: string,
    newSha: string,
    oldSha?: string,
  ): Promise<boolean> {
    const args = [
      'update-ref',
      '--no-deref',
      ref,
      newSha,
      ...(oldSha === undefined ? [] : [oldSha]),
    ];
    const { code } = await this.git(args, { okCodes: [1, 128] });
    return code === 0;
  }

  async deleteRef(ref: string, oldSha: string): Promise<boolean> {
    const { code } = await this.git(
      ['update-ref', '--no-deref', '-d', ref, oldSha],
      { okCodes: [1, 128] },
    );
    return code === 0;
  }

  /** Writes blobs and returns their SHAs, in order, with one git process. */
  writeBlobs(contents: Buffer[]): Promise<string[]> {
    return this.writeObjects('blob', contents);
  }

  private async writeObjects(
    type: 'blob' | 'tree',
    contents: Buffer[],
  ): Promise<string[]> {
    if (contents.length === 0) return [];
    if (contents.length === 1) {
      const { stdout } = await this.git(
        ['hash-object', '-t', type, '-w', '--no-filters', '--stdin'],
        { input: contents[0] },
      );
      return [stdout.toString('utf8').trim()];
    }
    const tmp = await mkdtemp(
      path.join(os.tmpdir(), 'github-api-sim-objects-'),
    );
    try {
      const files = await Promise.all(
        contents.map(async (content, i) => {
          const file = path.join(tmp, String(i));
          await writeFile(file, content);
          return file;
        }),
      );
      const { stdout } = await this.git([
        'hash-object',
        '-t',
        type,
        '-w',
        '--no-filters',
        '--',
        ...files,
      ]);
      return stdout.toString('utf8').trim().split('\n');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Writes the trees for a flat path → entry map and returns the root tree SHA. Tree objects are assembled here and
   * written (and validated) by one `git hash-object -t tree`; their SHAs are checked against git's.
   */
  async writeTree(
    entries: Map<string, { mode: string; sha: string }>,
  ): Promise<string> {
    interface Dir {
      files: Map<string, { mode: string; sha: string }>;
      dirs: Map<string, Dir>;
    }
    const root: Dir = { files: new Map(), dirs: new Map() };
    for (const [entryPath, entry] of entries) {
      if (!isSafeTreePath(entryPath))
        throw new Error(`Unsafe tree path ${JSON.stringify(entryPath)}`);
      const segments = entryPath.split('/');
      let dir = root;
      for (const segment of segments.slice(0, -1)) {
        let next = dir.dirs.get(segment);
        if (!next) {
          next = { files: new Map(), dirs: new Map() };
          dir.dirs.set(segment, next);
        }
        dir = next;
      }
      dir.files.set(segments[segments.length - 1], entry);
    }
    const objects = new Map<string, Buffer>();
    const build = (dir: Dir): string => {
      const items = [
        ...[...dir.files].map(([name, e]) => ({
          name,
          isTree: false,
          mode: e.mode,
          sha: e.sha,
        })),
        ...[...dir.dirs].map(([name, d]) => ({
          name,
          isTree: true,
          mode: '40000',
          sha: build(d),
        })),
      ].sort(treeOrder);
      const content = Buffer.concat(
        items.flatMap(item => [
          Buffer.from(`${item.mode} ${item.name}\0`, 'utf8'),
          Buffer.from(item.sha, 'hex'),
        ]),
      );
      const sha = createHash('sha1')
        .update(`tree ${content.length}\0`)
        .update(content)
        .digest('hex');
      objects.set(sha, content);
      return sha;
    };
    const rootSha = build(root);
    const written = await this.writeObjects('tree', [...objects.values()]);
    const expected = [...objects.keys()];
    if (written.some((sha, i) => sha !== expected[i])) {
      throw new Error(`git disagrees about tree SHAs in ${this.dir}`);
    }
    return rootSha;
  }

  async writeCommit(commit: NewCommit): Promise<string> {
    const lines = [
      `tree ${commit.tree}`,
      ...commit.parents.map(p => `parent ${p}`),
    ];
    lines.push(
      `author ${formatPerson(commit.author)}`,
      `committer ${formatPerson(commit.committer)}`,
    );
    if (commit.signature)
      lines.push(
        `gpgsig ${commit.signature.trimEnd().split('\n').join('\n ')}`,
      );
    const raw = `${lines.join('\n')}\n\n${commit.message}`;
    const { stdout } = await this.git(
      ['hash-object', '-t', 'commit', '-w', '--stdin'],
      { input: raw },
    );
    return stdout.toString('utf8').trim();
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const { code } = await this.git(
      ['merge-base', '--is-ancestor', ancestor, descendant],
      { okCodes: [1] },
    );
    return code === 0;
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const { stdout, code } = await this.git(['merge-base', a, b], {
      okCodes: [1],
    });
    return code === 0 ? stdout.toString('utf8').trim() : undefined;
  }

  /** Commit SHAs reachable from `include` but not from `exclude`, newest first. */
  async revList(
    include: string,
    opts: { exclude?: string; max?: number; skip?: number; path?: string } = {},
  ) {
    const args = ['rev-list'];
    if (opts.max !== undefined) args.push(`--max-count=${opts.max}`);
    if (opts.skip) args.push(`--skip=${opts.skip}`);
    args.push(include);
    if (opts.exclude) args.push(`^${opts.exclude}`);
    if (opts.path) args.push('--', opts.path);
    const { stdout } = await this.git(args);
    return stdout.toString('utf8').split('\n').filter(Boolean);
  }

  /** Three-way merge without a work tree (git ≥ 2.38). Undefined on conflict. */
  async mergeTrees(ours: string, theirs: string): Promise<string | undefined> {
    const { stdout, code } = await this.git(
      ['merge-tree', '--write-tree', '--no-messages', ours, theirs],
      {
        okCodes: [1],
      },
    );
    return code === 0
      ? stdout.toString('utf8').split('\n')[0].trim()
      : undefined;
  }

  /** Changed files between two tree-ishes with GitHub-like statuses, blob SHAs and line counts. */
  async diffFiles(from: string, to: string): Promise<DiffFile[]> {
    const [raw, numstat] = await Promise.all([
      this.git(['diff-tree', '-r', '-z', '--no-renames', '--raw', from, to]),
      this.git([
        'diff-tree',
        '-r',
        '-z',
        '--no-renames',
        '--numstat',
        from,
        to,
      ]),
    ]);
    const counts = new Map<string, { additions: number; deletions: number }>();
    for (const record of numstat.stdout
      .toString('utf8')
      .split('\0')
      .filter(Boolean)) {
      const [additions, deletions, file] = record.split('\t');
      counts.set(file, {
        additions: Number(additions) || 0,
        deletions: Number(deletions) || 0,
      });
    }
    // --raw -z: ":<old mode> <new mode> <old sha> <new sha> <letter>\0<path>\0"
    const parts = raw.stdout.toString('utf8').split('\0').filter(Boolean);
    const files: DiffFile[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const [, , oldSha, newSha, letter] = parts[i].slice(1).split(' ');
      const filename = parts[i + 1];
      const status = DIFF_STATUSES[letter] ?? 'modified';
      const count = counts.get(filename) ?? { additions: 0, deletions: 0 };
      files.push({
        filename,
        status,
        sha: letter === 'D' ? oldSha : newSha,
        ...count,
      });
    }
    return files;
  }
}

export interface DiffFile {
  filename: string;
  /** Blob SHA after the change (before it, for removals). */
  sha: string;
  status: 'added' | 'removed' | 'modified';
  additions: number;
  deletions: number;
}
