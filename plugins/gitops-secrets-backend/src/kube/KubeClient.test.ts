import { ConfigReader } from '@backstage/config';
import type { SimCluster, SimFleet } from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';
import type { CountingProxy } from '../__testUtils__/proxy';
import { startCountingProxy } from '../__testUtils__/proxy';
import { clusterConfig, eventually } from '../__testUtils__/sim';
import { readSettings } from '../config/clusters';
import type { WatchEvent } from './KubeClient';
import { KubeConfigClient } from './KubeClient';

jest.setTimeout(60_000);

const ES_PATH = '/apis/external-secrets.io/v1/externalsecrets';

describe('KubeConfigClient', () => {
  let sim: SimFleet;
  let edge: SimCluster;
  let proxy: CountingProxy;
  const clients: KubeConfigClient[] = [];

  beforeAll(async () => {
    sim = await startFleet([{ name: 'edge', crdSets: ['external-secrets'] }]);
    edge = sim.cluster('edge');
  });
  afterAll(() => sim.stop());
  beforeEach(async () => {
    proxy = await startCountingProxy(edge.url);
    edge.resetCounters();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await proxy.stop();
  });

  /** A client for `edge`, through the counting proxy. */
  function client(extra: Record<string, unknown> = {}): KubeConfigClient {
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: [{ ...clusterConfig(edge), url: proxy.url, ...extra }],
        },
      }),
    );
    const c = KubeConfigClient.fromCluster(settings.clusters[0]);
    clients.push(c);
    return c;
  }

  it('sends every request of a cluster through one agent, reusing its keep-alive connection', async () => {
    const c = client();
    await c.getJson('/apis');
    for (let i = 0; i < 5; i++) {
      const page = (await c.getJson(ES_PATH, { limit: '10' })) as {
        items: unknown[];
      };
      expect(Array.isArray(page.items)).toBe(true);
    }
    // Six requests, each with the token (the simulator answers 401 without it)...
    expect(edge.counters().total).toBe(6);
    // ...over one TLS connection of one agent (before: one agent and one connection per request).
    expect(proxy.opened).toBe(1);
    expect(c.agentsCreated).toBe(1);
  });

  it('keeps a watch on its own connection while lists share a pooled one; closing ends both', async () => {
    const c = client();
    const abort = new AbortController();
    const events: WatchEvent[] = [];
    const { ended } = await c.watch(
      ES_PATH,
      { allowWatchBookmarks: 'true' },
      e => events.push(e),
      abort.signal,
      60_000,
    );
    for (let i = 0; i < 3; i++) await c.getJson(ES_PATH, { limit: '10' });
    expect(proxy.opened).toBe(2);
    expect(edge.counters().openWatches).toBe(1);

    edge.upsert({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'apps' },
      spec: { target: { name: 'db' } },
    });
    await eventually(() => events.some(e => e.type === 'ADDED'));
    expect(c.agentsCreated).toBe(1);

    // The cache stopped: the open watch and the idle pooled connection close at once.
    c.close();
    // Ended (cleanly or as a broken connection, either is fine): without close() it would stay open.
    await ended.catch(() => undefined);
    await eventually(() => proxy.open === 0);
    await eventually(() => edge.counters().openWatches === 0);
    await expect(c.getJson('/apis')).rejects.toMatchObject({
      failure: 'aborted',
    });
    expect(proxy.opened).toBe(2);
  });

  it('ends a watch whose connection is cut mid-stream with a network error, and connects anew', async () => {
    const c = client();
    const { ended } = await c.watch(
      ES_PATH,
      {},
      () => undefined,
      new AbortController().signal,
      60_000,
    );
    proxy.dropAll();
    await expect(ended).rejects.toMatchObject({ failure: 'network' });
    await expect(c.getJson('/apis')).resolves.toMatchObject({
      kind: 'APIGroupList',
    });
    expect(proxy.opened).toBe(2);
  });

  it('opens a connection per request in flight at once, and keeps reusing them afterwards', async () => {
    const c = client();
    await Promise.all([1, 2, 3].map(() => c.getJson('/apis')));
    expect(proxy.opened).toBe(3);
    for (let i = 0; i < 4; i++) await c.getJson('/apis');
    await Promise.all([1, 2].map(() => c.getJson('/apis')));
    expect(proxy.opened).toBe(3);
    expect(c.agentsCreated).toBe(1);
  });

  it('verifies the server with the configured CA, or not at all with skipTLSVerify', async () => {
    const wrongCa = client({ caData: undefined });
    await expect(wrongCa.getJson('/apis')).rejects.toMatchObject({
      failure: 'network',
      message: expect.stringContaining('TLS verification'),
    });
    const skip = client({ caData: undefined, skipTLSVerify: true });
    await expect(skip.getJson('/apis')).resolves.toMatchObject({
      kind: 'APIGroupList',
    });
  });
});
