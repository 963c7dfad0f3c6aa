import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFleet } from './cluster';
import type { SimFleet } from './types';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

// @kubernetes/client-node is an ESM package; it runs in a child Node process (conformance/client-node.mjs)
// against clusters started here, and reports what it saw as JSON.
const script = path.resolve(__dirname, '..', 'conformance', 'client-node.mjs');

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

describe('@kubernetes/client-node conformance', () => {
  let fleet: SimFleet;
  let dir: string;

  beforeAll(async () => {
    fleet = await startFleet([
      {
        name: 'edge-eu',
        crdSets: ['external-secrets'],
        watchHistorySize: 5,
        objects: [
          {
            apiVersion: 'external-secrets.io/v1',
            kind: 'ExternalSecret',
            metadata: { name: 'db', namespace: 'apps' },
            spec: {
              secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
              target: { name: 'db' },
            },
            status: {
              conditions: [
                { type: 'Ready', status: 'True', reason: 'SecretSynced' },
              ],
            },
          },
        ],
      },
      {
        name: 'management',
        crdSets: ['flux'],
        objects: [
          {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            metadata: { name: 'flux-system', namespace: 'flux-system' },
            spec: {
              interval: '10m',
              path: './clusters/management',
              prune: true,
              sourceRef: { kind: 'GitRepository', name: 'flux-system' },
            },
          },
        ],
      },
    ]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sim-client-node-'));
  });

  afterAll(async () => {
    await fleet.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists, gets, watches with an informer, and recovers from dropped watches and 410 Gone', async () => {
    const file = path.join(dir, 'kubeconfig');
    fleet.writeKubeconfig(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const out = JSON.parse(await run([file, 'edge-eu', 'management']));

    expect(out.listed).toEqual(['db']);
    expect(out.listKind).toBe('ExternalSecretList');
    expect(out.got).toEqual({ name: 'db', ready: 'True' });
    expect(out.missing.code).toBe(404);
    expect(out.missing.body.message).toBe(
      'externalsecrets.external-secrets.io "missing" not found',
    );
    expect(out.otherCluster).toEqual(['flux-system']);

    expect(out.informerEvents).toEqual([
      'add db',
      'add cache',
      'update cache False',
      'delete cache',
    ]);
    // dropped watches were resumed from their resourceVersion, not relisted
    expect(out.afterDrop.lists).toBe(0);
    expect(out.afterDrop.watches).toBeGreaterThanOrEqual(2);
    // after the 410 the informer listed again and caught up
    expect(out.after410.lists).toBe(1);
    expect(out.after410.faultConsumed).toBe(true);
    expect(out.after410.cached).toEqual(['db', 'missed']);
    expect(out.afterTrim.lists).toBe(1);
    expect(out.afterTrim.cachedCount).toBe(10);
  });

  it('writes a kubeconfig with one context per cluster and the fleet CA', () => {
    const kc = fleet.kubeconfig();
    for (const c of fleet.clusters) {
      expect(kc).toContain(c.url);
      expect(kc).toContain(c.adminToken);
    }
    expect(fleet.clusters[0].caData).toBe(fleet.clusters[1].caData);
    const reader = fleet.kubeconfig('some-token');
    expect(reader).toContain('token: some-token');
    expect(reader).not.toContain(fleet.clusters[0].adminToken);
    expect(fleet.cluster('management').name).toBe('management');
    expect(() => fleet.cluster('nope')).toThrow(/nope/);
  });
});
