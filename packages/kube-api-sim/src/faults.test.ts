import { startCluster } from './cluster';
import { openWatch, request } from './testing';
import type { SimCluster } from './types';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

const CM = '/api/v1/namespaces/default/configmaps';

describe('faults', () => {
  let cluster: SimCluster;

  beforeEach(async () => {
    cluster = await startCluster({ name: 'faulty' });
    cluster.upsert({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' },
    });
  });
  afterEach(() => cluster.stop());

  it('delays answers by latencyMs', async () => {
    const fast = Date.now();
    await request(cluster, 'GET', CM);
    const base = Date.now() - fast;
    cluster.setFaults({ latencyMs: 300 });
    const start = Date.now();
    const r = await request(cluster, 'GET', CM);
    expect(r.status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(300);
    expect(base).toBeLessThan(300);
  });

  it('black hole: accepts and never answers, so the client times out; stop() still completes', async () => {
    cluster.setFaults({ blackhole: true });
    await expect(
      request(cluster, 'GET', CM, { timeoutMs: 300 }),
    ).rejects.toThrow(/timed out/);
    // a request left hanging must not keep stop() waiting
    const hanging = request(cluster, 'GET', '/healthz', { token: null }).catch(
      e => e,
    );
    await new Promise(r => setTimeout(r, 50));
    await cluster.stop();
    const outcome = await hanging;
    expect(outcome.status).toBeUndefined(); // no answer, the connection was closed
    expect(String(outcome.message)).toMatch(/socket hang up|ECONNRESET/);
  });

  it('black hole: what was open dies with the link (no bookmarks keep a watch alive), new requests hang', async () => {
    const w = openWatch(cluster, `${CM}?watch=true&allowWatchBookmarks=true`);
    await w.until(events => events.some(e => e.type === 'ADDED'));
    cluster.setFaults({ blackhole: true });
    await w.ended; // resolves on the cut; a watch left open would time this test out
    expect(cluster.counters().openConnections).toBe(0);
    await expect(
      request(cluster, 'GET', CM, { timeoutMs: 300 }),
    ).rejects.toThrow(/timed out/);
  });

  it('answers the next N requests with 500 InternalError, then recovers', async () => {
    cluster.setFaults({ serverErrors: 2 });
    const a = await request(cluster, 'GET', CM);
    const b = await request(cluster, 'GET', `${CM}/c`);
    const c = await request(cluster, 'GET', CM);
    expect([a.status, b.status, c.status]).toEqual([500, 500, 200]);
    expect(a.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Internal error occurred: etcdserver: request timed out',
      reason: 'InternalError',
      details: { causes: [{ message: 'etcdserver: request timed out' }] },
      code: 500,
    });
    expect(cluster.faults().serverErrors).toBe(0);
  });

  it('answers every request with 500 under failAll500', async () => {
    cluster.setFaults({ failAll500: true });
    for (let i = 0; i < 3; i++)
      expect((await request(cluster, 'GET', CM)).status).toBe(500);
    cluster.setFaults({});
    expect((await request(cluster, 'GET', CM)).status).toBe(200);
  });

  it('drops watch streams after dropWatchesAfterMs', async () => {
    cluster.setFaults({ dropWatchesAfterMs: 200 });
    const start = Date.now();
    const w = openWatch(cluster, `${CM}?watch=true`);
    await w.ended;
    expect(Date.now() - start).toBeGreaterThanOrEqual(190);
    expect(w.events.map(e => e.type)).toEqual(['ADDED']);
  });

  it('expires the next watch that resumes from a resourceVersion', async () => {
    cluster.setFaults({ expireWatchHistory: true });
    const fresh = openWatch(cluster, `${CM}?watch=true&timeoutSeconds=1`);
    await fresh.ended;
    expect(fresh.events.map(e => e.type)).toEqual(['ADDED']); // no resourceVersion: not affected
    const rv = cluster.resourceVersion();
    const w = openWatch(cluster, `${CM}?watch=true&resourceVersion=${rv}`);
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.events[0].object).toMatchObject({
      kind: 'Status',
      reason: 'Expired',
      code: 410,
    });
    expect(w.events[0].object.message).toMatch(/^too old resource version: /);
    expect(cluster.faults().expireWatchHistory).toBe(false);
    const again = openWatch(
      cluster,
      `${CM}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`,
    );
    await again.ended;
    expect(again.events).toEqual([]);
  });

  it('expires every watch that resumes from a resourceVersion while expireEveryWatch is set', async () => {
    cluster.setFaults({ expireEveryWatch: true });
    const rv = cluster.resourceVersion();
    for (let i = 0; i < 2; i++) {
      const w = openWatch(cluster, `${CM}?watch=true&resourceVersion=${rv}`);
      await w.ended;
      expect(w.events.map(e => (e.object as any).code)).toEqual([410]);
    }
    expect(cluster.faults().expireEveryWatch).toBe(true);
    cluster.setFaults({});
  });

  it('takes faults from the options and from the admin API', async () => {
    const pre = await startCluster({
      name: 'pre',
      faults: { failAll500: true },
    });
    try {
      expect((await request(pre, 'GET', '/api/v1/namespaces')).status).toBe(
        500,
      );
      // the admin API is never subject to faults
      const put = await request(pre, 'PUT', '/_sim/faults', {
        body: { latencyMs: 5 },
      });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ latencyMs: 5 });
      expect((await request(pre, 'GET', '/_sim/faults')).body).toEqual({
        latencyMs: 5,
      });
      expect((await request(pre, 'GET', '/api/v1/namespaces')).status).toBe(
        200,
      );
    } finally {
      await pre.stop();
    }
  });
});

describe('counters', () => {
  let cluster: SimCluster;

  beforeAll(async () => {
    cluster = await startCluster({ name: 'counted', crdSets: ['flux'] });
  });
  afterAll(() => cluster.stop());

  it('counts requests per verb and per `${verb} ${path}`', async () => {
    cluster.resetCounters();
    await request(cluster, 'GET', '/apis');
    await request(cluster, 'GET', '/apis/kustomize.toolkit.fluxcd.io/v1');
    await request(
      cluster,
      'GET',
      '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?limit=5',
    );
    await request(
      cluster,
      'GET',
      '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
    );
    await request(cluster, 'POST', CM, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    });
    await request(cluster, 'GET', `${CM}/x`);
    await request(cluster, 'PUT', `${CM}/x`, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x' },
        data: { a: 'b' },
      },
    });
    await request(cluster, 'PATCH', `${CM}/x`, {
      contentType: 'application/merge-patch+json',
      body: { data: { c: 'd' } },
    });
    await request(cluster, 'DELETE', `${CM}/x`);
    const w = openWatch(cluster, `${CM}?watch=true&timeoutSeconds=1`);
    await w.ended;
    await request(cluster, 'GET', '/healthz', { token: null }); // not an API request

    const c = cluster.counters();
    expect(c.total).toBe(10);
    expect(c.byVerb).toEqual({
      discovery: 2,
      list: 2,
      create: 1,
      get: 1,
      update: 1,
      patch: 1,
      delete: 1,
      watch: 1,
    });
    expect(c.byPath).toEqual({
      'discovery /apis': 1,
      'discovery /apis/kustomize.toolkit.fluxcd.io/v1': 1,
      'list /apis/kustomize.toolkit.fluxcd.io/v1/kustomizations': 2,
      [`create ${CM}`]: 1,
      [`get ${CM}/x`]: 1,
      [`update ${CM}/x`]: 1,
      [`patch ${CM}/x`]: 1,
      [`delete ${CM}/x`]: 1,
      [`watch ${CM}`]: 1,
    });
  });

  it('serves the counters over the admin API and resets them', async () => {
    await request(cluster, 'GET', '/api/v1/namespaces');
    const got = await request(cluster, 'GET', '/_sim/counters');
    expect(got.body.byPath['list /api/v1/namespaces']).toBeGreaterThanOrEqual(
      1,
    );
    const reset = await request(cluster, 'POST', '/_sim/counters/reset');
    expect(reset.body).toEqual({
      total: 0,
      byVerb: {},
      byPath: {},
      bytes: 0,
      bytesByPath: {},
      openWatches: 0,
      connectionsAccepted: 0,
      // The admin request's own connection (testing.ts's request speaks HTTP/1.1).
      openConnections: 1,
      openH2Sessions: 0,
      openH2Streams: 0,
    });
    expect(cluster.counters().total).toBe(0);
  });

  it('upserts objects through the admin API', async () => {
    const r = await request(cluster, 'POST', '/_sim/objects', {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'via-admin', namespace: 'new-ns' },
        data: { k: 'v' },
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.metadata.resourceVersion).toBe(cluster.resourceVersion());
    expect(cluster.get('v1', 'ConfigMap', 'new-ns', 'via-admin')?.data).toEqual(
      { k: 'v' },
    );
    expect(cluster.get('v1', 'Namespace', undefined, 'new-ns')).toBeDefined();
    const bad = await request(cluster, 'POST', '/_sim/objects', {
      body: {
        apiVersion: 'external-secrets.io/v1beta1',
        kind: 'ExternalSecret',
        metadata: { name: 'x', namespace: 'default' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe(
      'no matches for kind "ExternalSecret" in version "external-secrets.io/v1beta1"',
    );
  });
});
