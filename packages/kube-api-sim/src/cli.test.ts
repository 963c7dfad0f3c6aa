import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { parseArgs } from './cli';

describe('parseArgs', () => {
  it('reads repeated --fixtures, --port and --kubeconfig-out', () => {
    expect(
      parseArgs([
        'serve',
        '--fixtures',
        'a',
        '--fixtures=b',
        '--port',
        '7443',
        '--kubeconfig-out',
        'k.yaml',
      ]),
    ).toEqual({
      fixtures: ['a', 'b'],
      port: 7443,
      kubeconfigOut: 'k.yaml',
    });
  });

  it('reads --http1-only', () => {
    expect(parseArgs(['serve', '--fixtures', 'a', '--http1-only'])).toEqual({
      fixtures: ['a'],
      http2: false,
    });
  });

  it.each([
    [[], /Usage/],
    [['serve'], /--fixtures is required/],
    [['serve', '--fixtures'], /--fixtures needs a value/],
    [
      ['serve', '--fixtures', 'a', '--port', 'x'],
      /--port must be a port number/,
    ],
    [['serve', '--fixtures', 'a', '--what'], /Unknown argument --what/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(message);
  });
});

describe('bin/kube-api-sim', () => {
  it('serves each fixture folder over HTTPS, writes a kubeconfig, and stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sim-cli-'));
    try {
      for (const name of ['alpha', 'beta']) {
        fs.mkdirSync(path.join(dir, name));
        fs.writeFileSync(
          path.join(dir, name, 'cluster.yaml'),
          stringify({
            name,
            crdSets: ['flux'],
            fixtureTime: '2026-11-01T12:00:00Z',
          }),
        );
        fs.writeFileSync(
          path.join(dir, name, 'objects.yaml'),
          stringify({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `${name}-cm`, namespace: 'default' },
          }),
        );
      }
      const kubeconfig = path.join(dir, 'out', 'kubeconfig.yaml');
      const bin = path.resolve(__dirname, '..', 'bin', 'kube-api-sim');
      const child = spawn(process.execPath, [
        bin,
        'serve',
        '--fixtures',
        dir,
        '--kubeconfig-out',
        kubeconfig,
      ]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => (stdout += d));
      child.stderr.on('data', d => (stderr += d));
      const exited = new Promise<number | null>(resolve =>
        child.on('exit', code => resolve(code)),
      );
      for (let i = 0; i < 300 && !stdout.includes('kubeconfig written'); i++) {
        await new Promise(r => setTimeout(r, 50));
      }
      expect(stderr).toBe('');
      const urls = Object.fromEntries(
        stdout
          .split('\n')
          .filter(l => l.includes('\thttps://'))
          .map(l => l.split('\t')),
      );
      expect(Object.keys(urls)).toEqual(['alpha', 'beta']);
      const kc = parse(fs.readFileSync(kubeconfig, 'utf8'));
      expect(kc.contexts.map((c: { name: string }) => c.name)).toEqual([
        'alpha',
        'beta',
      ]);
      expect(kc.clusters[0].cluster.server).toBe(urls.alpha);
      expect(kc.clusters[0].cluster['certificate-authority-data']).toBe(
        kc.clusters[1].cluster['certificate-authority-data'],
      );
      // the server answers with the CA from the kubeconfig and the token from it
      const ca = Buffer.from(
        kc.clusters[1].cluster['certificate-authority-data'],
        'base64',
      );
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(
            `${urls.beta}/api/v1/namespaces/default/configmaps`,
            {
              ca,
              headers: { Authorization: `Bearer ${kc.users[1].user.token}` },
              agent: false,
            },
            res => {
              let t = '';
              res.on('data', c => (t += c));
              res.on('end', () => resolve(t));
            },
          )
          .on('error', reject);
      });
      expect(
        JSON.parse(body).items.map(
          (i: { metadata: { name: string } }) => i.metadata.name,
        ),
      ).toEqual(['beta-cm']);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
