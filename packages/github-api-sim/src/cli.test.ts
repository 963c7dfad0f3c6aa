import { ChildProcess, spawn } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseServeArgs, parseTokenSpec } from './cli';
import { allowFetchTo } from './testing';

describe('github-api-sim CLI', () => {
  it('parses token specs into grants', () => {
    expect(parseTokenSpec('abc')).toEqual([
      'abc',
      { login: 'admin', repos: '*', permission: 'admin' },
    ]);
    expect(parseTokenSpec('abc=bot:write:acme/a,acme/b')).toEqual([
      'abc',
      { login: 'bot', repos: ['acme/a', 'acme/b'], permission: 'write' },
    ]);
    expect(parseTokenSpec('abc=bot:read')).toEqual([
      'abc',
      { login: 'bot', repos: '*', permission: 'read' },
    ]);
    expect(() => parseTokenSpec('abc=bot:owner')).toThrow(/read\|write\|admin/);
  });

  it('parses serve options and rejects unknown ones', () => {
    const opts = parseServeArgs([
      '--repos',
      'r',
      '--port',
      '8099',
      '--token',
      't',
      '--seed',
      'demo/fleet=./seed',
      '--private',
    ]);
    expect(opts).toMatchObject({
      reposDir: path.resolve('r'),
      port: 8099,
      private: true,
      seeds: [{ fullName: 'demo/fleet', dir: path.resolve('seed') }],
    });
    expect(Object.keys(opts.tokens)).toEqual(['t']);
    expect(() => parseServeArgs(['--port', '1'])).toThrow(
      /--repos is required/,
    );
    expect(() => parseServeArgs(['--repos', 'r', '--bogus'])).toThrow(
      /Unknown option --bogus/,
    );
    expect(() =>
      parseServeArgs(['--repos', 'r', '--seed', 'no-owner=dir']),
    ).toThrow(/owner\/name/);
  });

  describe('bin/github-api-sim serve', () => {
    let tmp: string;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'github-api-sim-cli-'));
    });

    afterAll(async () => {
      if (child?.pid && child.exitCode === null) {
        const exited = new Promise(resolve => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(tmp, { recursive: true, force: true });
    });

    it('seeds a repository from a directory and serves it under /api/v3', async () => {
      const seedDir = path.join(tmp, 'seed');
      await mkdir(path.join(seedDir, 'clusters'), { recursive: true });
      await writeFile(
        path.join(seedDir, 'clusters', 'mgmt.yaml'),
        'kind: Kustomization\n',
      );
      await writeFile(path.join(seedDir, 'run.sh'), '#!/bin/sh\n');
      await chmod(path.join(seedDir, 'run.sh'), 0o755);
      const tokenFile = path.join(tmp, 'admin-token');

      child = spawn(
        process.execPath,
        [
          path.resolve(__dirname, '../bin/github-api-sim'),
          'serve',
          '--repos',
          path.join(tmp, 'repos'),
          '--seed',
          `demo/fleet=${seedDir}`,
          '--admin-token-file',
          tokenFile,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "serving" line within 30s:\n${output}`)),
          30_000,
        );
        child!.stderr!.on('data', chunk => {
          output += chunk;
        });
        child!.stdout!.on('data', chunk => {
          output += chunk;
          const match = /serving .* at (http:\/\/\S+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child!.once('exit', code =>
          reject(new Error(`exited with ${code}:\n${output}`)),
        );
      });
      expect(output).toContain('demo/fleet: seeded 2 files');
      const token = (await readFile(tokenFile, 'utf8')).trim();

      const restore = allowFetchTo(url);
      try {
        const headers = { authorization: `Bearer ${token}` };
        const repo = await (
          await fetch(`${url}/api/v3/repos/demo/fleet`, { headers })
        ).json();
        expect(repo).toMatchObject({
          full_name: 'demo/fleet',
          default_branch: 'main',
          private: false,
        });
        const file = await (
          await fetch(
            `${url}/api/v3/repos/demo/fleet/contents/clusters/mgmt.yaml`,
            { headers },
          )
        ).json();
        expect(Buffer.from(file.content, 'base64').toString()).toBe(
          'kind: Kustomization\n',
        );
        const tree = await (
          await fetch(`${url}/api/v3/repos/demo/fleet/git/trees/main`, {
            headers,
          })
        ).json();
        expect(
          tree.tree.find((e: { path: string }) => e.path === 'run.sh').mode,
        ).toBe('100755');
      } finally {
        restore();
      }
    }, 60_000);
  });
});
