import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startCluster } from './cluster';
import {
  fixtureClusterDirs,
  fixturesDir,
  loadFixtureCluster,
  shiftTimestamp,
} from './fixtures';
import { request } from './testing';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

describe('shiftTimestamp', () => {
  it.each([
    ['2026-11-01T11:50:00Z', 60_000, '2026-11-01T11:51:00Z'],
    ['2026-11-01T11:50:00.123Z', 1_000, '2026-11-01T11:50:01.123Z'],
    ['2026-11-01T11:50:00.123456Z', -3_600_000, '2026-11-01T10:50:00.123456Z'],
    ['2026-11-01T13:50:00+02:00', 0, '2026-11-01T11:50:00Z'],
    ['2026-12-31T23:59:30Z', 60_000, '2027-01-01T00:00:30Z'],
  ])('shifts %s by %d ms', (input, delta, expected) => {
    expect(shiftTimestamp(input, delta)).toBe(expected);
  });

  it.each(['10m', 'main@sha1:2026-11-01T11:50:00Z', '2026-11-01', 'True', ''])(
    'leaves %j alone',
    s => {
      expect(shiftTimestamp(s, 60_000)).toBe(s);
    },
  );
});

describe('loadFixtureCluster', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sim-fixture-'));
    fs.writeFileSync(
      path.join(dir, 'cluster.yaml'),
      stringify({
        name: 'edge-1',
        description: 'a test cluster',
        crdSets: ['flux', 'external-secrets'],
        crdLabels: {
          'external-secrets': { 'app.kubernetes.io/managed-by': 'flux' },
        },
        fixtureTime: '2026-11-01T12:00:00Z',
        faults: { latencyMs: 7 },
      }),
    );
    const ks = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: 'apps',
        namespace: 'flux-system',
        creationTimestamp: '2026-10-01T12:00:00Z',
        annotations: {
          'reconcile.fluxcd.io/requestedAt': '2026-11-01T11:55:00Z',
          note: 'not a time',
        },
      },
      spec: {
        interval: '10m',
        path: './apps',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'ReconciliationSucceeded',
            message: 'Applied revision: main@sha1:abc',
            lastTransitionTime: '2026-11-01T11:50:00Z',
          },
        ],
      },
    };
    const es = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'apps' },
      spec: {
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
        target: { name: 'db' },
      },
      status: {
        refreshTime: '2026-11-01T11:50:00Z',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastTransitionTime: '2026-11-01T10:00:00Z',
          },
        ],
      },
    };
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'apps' },
      data: { at: '2026-11-01T11:00:00Z' },
    };
    fs.writeFileSync(
      path.join(dir, 'flux.yaml'),
      `${stringify(ks)}---\n${stringify(es)}`,
    );
    fs.writeFileSync(
      path.join(dir, 'core.yaml'),
      `# comment only document\n---\n${stringify(cm)}`,
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads cluster.yaml and every other YAML file, shifting every timestamp by now − fixtureTime', () => {
    const now = new Date('2027-03-15T08:30:00Z');
    const opts = loadFixtureCluster(dir, now);
    expect(opts.name).toBe('edge-1');
    expect(opts.crdSets).toEqual(['flux', 'external-secrets']);
    expect(opts.crdLabels).toEqual({
      'external-secrets': { 'app.kubernetes.io/managed-by': 'flux' },
    });
    expect(opts.faults).toEqual({ latencyMs: 7 });
    expect(opts.objects!.map(o => o.kind).sort()).toEqual([
      'ConfigMap',
      'ExternalSecret',
      'Kustomization',
    ]);

    const ks = opts.objects!.find(o => o.kind === 'Kustomization')!;
    const delta = now.getTime() - Date.parse('2026-11-01T12:00:00Z');
    const shifted = (s: string) =>
      new Date(Date.parse(s) + delta).toISOString().replace('.000Z', 'Z');
    expect(ks.metadata.creationTimestamp).toBe(shifted('2026-10-01T12:00:00Z'));
    expect(ks.metadata.annotations).toEqual({
      'reconcile.fluxcd.io/requestedAt': '2027-03-15T08:25:00Z',
      note: 'not a time',
    });
    const ready = (
      ks.status as {
        conditions: Array<{ lastTransitionTime: string; message: string }>;
      }
    ).conditions[0];
    expect(ready.lastTransitionTime).toBe('2027-03-15T08:20:00Z'); // still 10 minutes before now
    expect(ready.message).toBe('Applied revision: main@sha1:abc');

    const es = opts.objects!.find(o => o.kind === 'ExternalSecret')!;
    expect((es.status as { refreshTime: string }).refreshTime).toBe(
      '2027-03-15T08:20:00Z',
    );
    // missing creationTimestamp becomes "now", uid is filled and stable across loads
    expect(es.metadata.creationTimestamp).toBe('2027-03-15T08:30:00Z');
    expect(es.metadata.uid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(
      loadFixtureCluster(dir, now).objects!.find(
        o => o.kind === 'ExternalSecret',
      )!.metadata.uid,
    ).toBe(es.metadata.uid);
    expect(es.metadata.generation).toBe(1);
    const cm = opts.objects!.find(o => o.kind === 'ConfigMap')!;
    expect(cm.metadata.generation).toBeUndefined();
    expect(cm.data).toEqual({ at: '2027-03-15T07:30:00Z' });
  });

  it('starts a cluster from the loaded options, with the CRD labels merged', async () => {
    const cluster = await startCluster(loadFixtureCluster(dir));
    try {
      cluster.setFaults({});
      const list = await request(
        cluster,
        'GET',
        '/apis/external-secrets.io/v1/externalsecrets',
      );
      expect(
        list.body.items.map(
          (i: { metadata: { name: string } }) => i.metadata.name,
        ),
      ).toEqual(['db']);
      const crd = await request(
        cluster,
        'GET',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/externalsecrets.external-secrets.io',
      );
      expect(crd.body.metadata.labels['app.kubernetes.io/managed-by']).toBe(
        'flux',
      );
      // the namespaces the objects live in exist
      const ns = await request(cluster, 'GET', '/api/v1/namespaces/apps');
      expect(ns.status).toBe(200);
      expect(ns.body.status.phase).toBe('Active');
    } finally {
      await cluster.stop();
    }
  });

  it('rejects a cluster.yaml without fixtureTime or with an unknown CRD set', () => {
    fs.writeFileSync(
      path.join(dir, 'cluster.yaml'),
      stringify({ name: 'x', crdSets: ['flux'] }),
    );
    expect(() => loadFixtureCluster(dir)).toThrow(/fixtureTime/);
    fs.writeFileSync(
      path.join(dir, 'cluster.yaml'),
      stringify({
        name: 'x',
        crdSets: ['nope'],
        fixtureTime: '2026-11-01T12:00:00Z',
      }),
    );
    expect(() => loadFixtureCluster(dir)).toThrow(/unknown crdSet 'nope'/);
  });

  it('finds fixture folders under a root', () => {
    expect(fixtureClusterDirs(dir)).toEqual([dir]);
    expect(fixtureClusterDirs(path.dirname(dir)).length).toBeGreaterThanOrEqual(
      1,
    );
  });
});

describe('shipped fixtures', () => {
  const management = path.join(fixturesDir, 'management');

  it.each(findFixtureDirsForTest())(
    'starts fixtures/%s with every object it declares being served',
    async name => {
      const opts = loadFixtureCluster(path.join(fixturesDir, name));
      const cluster = await startCluster({ ...opts, faults: {} });
      try {
        for (const o of opts.objects!) {
          const got = cluster.get(
            o.apiVersion,
            o.kind,
            o.metadata.namespace,
            o.metadata.name!,
          );
          expect(got?.metadata.name).toBe(o.metadata.name);
        }
      } finally {
        await cluster.stop();
      }
    },
  );

  it('starts fixtures/management and lists its Kustomizations', async () => {
    if (!fs.existsSync(path.join(management, 'cluster.yaml'))) {
      // eslint-disable-next-line no-console
      console.log(`skipped: ${management} does not exist yet`);
      return;
    }
    const opts = loadFixtureCluster(management);
    const cluster = await startCluster({ ...opts, faults: {} });
    try {
      const r = await request(
        cluster,
        'GET',
        '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
      );
      expect(r.status).toBe(200);
      const expected = opts
        .objects!.filter(o => o.kind === 'Kustomization')
        .map(o => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(
        r.body.items.map(
          (i: { metadata: { namespace: string; name: string } }) =>
            `${i.metadata.namespace}/${i.metadata.name}`,
        ),
      ).toEqual(expected);
    } finally {
      await cluster.stop();
    }
  });
});

function findFixtureDirsForTest(): string[] {
  return fs
    .readdirSync(fixturesDir)
    .filter(d => fs.existsSync(path.join(fixturesDir, d, 'cluster.yaml')));
}
