/*
 * Child processes of the benchmark, driven over IPC. Each runs a TypeScript module of this package through
 * bin/child.js (the Backstage CLI's Node transform), so nothing needs building.
 */
import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

// The package runs from its sources (bin/bench), never bundled, so __dirname is src/util.
// eslint-disable-next-line no-restricted-syntax
const CHILD_ENTRY = path.resolve(__dirname, '..', '..', 'bin', 'child.js');

type Msg = { type: string; [key: string]: unknown };

export class Child {
  private readonly proc: ChildProcess;
  private readonly waiters: Array<{
    match: (m: Msg) => boolean;
    resolve: (m: Msg) => void;
    reject: (e: Error) => void;
  }> = [];
  private exited: Error | undefined;
  private nextId = 1;
  /** Lines the child wrote to stderr (last 200), for error reports. */
  readonly stderr: string[] = [];

  constructor(
    readonly name: string,
    module: string,
    opts: {
      execArgv?: string[];
      env?: NodeJS.ProcessEnv;
      verbose?: boolean;
    } = {},
  ) {
    this.proc = fork(CHILD_ENTRY, [module], {
      execArgv: opts.execArgv ?? [],
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', opts.verbose ? 'inherit' : 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        this.stderr.push(line);
        if (this.stderr.length > 200) this.stderr.shift();
        if (opts.verbose) process.stderr.write(`[${name}] ${line}\n`);
      }
    });
    this.proc.on('message', (m: Msg) => {
      if (m.type === 'error') {
        this.failAll(new Error(`${name}: ${m.message}`));
        return;
      }
      const i = this.waiters.findIndex(w => w.match(m));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = new Error(
        `${name} exited (${signal ?? code})${
          this.stderr.length
            ? `; stderr:\n${this.stderr.slice(-30).join('\n')}`
            : ''
        }`,
      );
      this.failAll(this.exited);
    });
  }

  get pid() {
    return this.proc.pid;
  }

  private failAll(error: Error) {
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  /** Sends a message and waits for the first answer of `replyType` (with the same id when one is sent). */
  request<T extends Msg>(
    msg: Msg,
    replyType: string,
    timeoutMs = 600_000,
  ): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const waiter = {
        match: (m: Msg) =>
          m.type === replyType && (m.id === undefined || m.id === id),
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m as T);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new Error(`${this.name}: no ${replyType} after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
      this.proc.send({ ...msg, id });
    });
  }

  /** Asks the child to stop, then kills it if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>(resolve =>
      this.proc.once('exit', () => resolve()),
    );
    try {
      this.proc.send({ type: 'stop' });
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
