import { mockServices } from '@backstage/backend-test-utils';
import type { SimFleet } from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';
import { readSettings } from '../config/clusters';
import { ConfigReader } from '@backstage/config';
import { startCountingProxy } from '../__testUtils__/proxy';
import { clusterConfig, eventually } from '../__testUtils__/sim';
import type { ClusterDetails } from '../config/clusters';
import type { KubeClient } from '../kube/KubeClient';
import { KubeConfigClient } from '../kube/KubeClient';
import { Fleet } from './Fleet';

jest.setTimeout(60_000);

describe('Fleet', () => {
  let sim: SimFleet;
  beforeAll(async () => {
    sim = await startFleet([
      { name: 'edge', crdSets: ['external-secrets'] },
      // The same cluster behind something that speaks HTTP/1.1 only (ALPN refuses h2).
      { name: 'edge-h1', crdSets: ['external-secrets'], http2: false },
    ]);
  });
  afterAll(() => sim.stop());

  it('starts a cluster cache on first use, keeps it while used, stops it when idle, restarts on demand', async () => {
    const edge = sim.cluster('edge');
    let now = 1_000_000;
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: [clusterConfig(edge)],
          cache: { idleTimeout: '10m' },
        },
      }),
    );
    const fleet = new Fleet({
      settings,
      logger: mockServices.logger.mock(),
      now: () => now,
    });
    try {
      expect(edge.counters().total).toBe(0);
      expect(fleet.peek('edge')!.isStarted).toBe(false);
      const cache = fleet.acquire('edge')!;
      expect(await cache.whenSettled()).toBe(true);
      const served = Object.values(
        cache.summary(undefined).servedVersions!,
      ).length;
      await eventually(() => edge.counters().openWatches === served);
      expect(cache.stats().watches).toBe(served);

      now += 9 * 60_000;
      fleet.acquire('edge'); // used again: the idle clock restarts
      now += 9 * 60_000;
      expect(fleet.reap()).toEqual([]);
      now += 60_000;
      expect(fleet.reap()).toEqual(['edge']);
      expect(cache.isStarted).toBe(false);
      await eventually(() => edge.counters().openWatches === 0);

      edge.resetCounters();
      fleet.acquire('edge');
      expect(await cache.whenSettled()).toBe(true);
      // Listed again: every served kind once more.
      expect(
        Object.keys(edge.counters().byPath).filter(k => k.startsWith('list ')),
      ).toHaveLength(served);
      expect(fleet.acquire('nope')).toBeUndefined();
    } finally {
      fleet.stop();
    }
  });

  it.each([
    ['one HTTP/2 connection', 'edge'],
    ['one pooled HTTP/1.1 agent', 'edge-h1'],
  ])(
    'reads a cluster over %s, at most 4 lists at a time, and closes its connections when stopped',
    async (_how, name) => {
      const edge = sim.cluster(name);
      const h2 = name === 'edge';
      const proxy = await startCountingProxy(edge.url);
      const settings = readSettings(
        new ConfigReader({
          gitopsSecrets: {
            clusters: [{ ...clusterConfig(edge), url: proxy.url }],
          },
        }),
      );
      const clients: KubeConfigClient[] = [];
      const closed: KubeConfigClient[] = [];
      let listsInFlight = 0;
      let peakLists = 0;
      // The real client, watched: how many list requests are in flight at once, and whether it is closed.
      const clientFactory = (d: ClusterDetails): KubeClient => {
        const real = KubeConfigClient.fromCluster(d);
        clients.push(real);
        return {
          getJson: async (path, query, signal) => {
            const isList = query?.limit !== undefined;
            if (isList) peakLists = Math.max(peakLists, ++listsInFlight);
            try {
              return await real.getJson(path, query, signal);
            } finally {
              if (isList) listsInFlight--;
            }
          },
          watch: (...args) => real.watch(...args),
          close: () => {
            closed.push(real);
            real.close();
          },
        };
      };
      edge.resetCounters();
      let now = 1_000_000;
      const fleet = new Fleet({
        settings,
        logger: mockServices.logger.mock(),
        clientFactory,
        now: () => now,
      });
      try {
        const cache = fleet.acquire(name)!;
        expect(await cache.whenSettled()).toBe(true);
        const served = Object.values(
          cache.summary(undefined).servedVersions!,
        ).filter(Boolean).length;
        expect(served).toBeGreaterThan(4);
        await eventually(() => edge.counters().openWatches === served);

        // Every kind started listing at once; only 4 requests were sent at a time.
        expect(peakLists).toBe(4);
        const requests = edge.counters().total;
        expect(requests).toBeGreaterThanOrEqual(1 + 2 * served);
        expect(clients).toHaveLength(1);
        // h2: every watch and list of the cluster as streams of one session on one connection. HTTP/1.1: one
        // connection per open watch, plus the few that discovery and lists shared, and the ALPN probe (before
        // either: one connection and one TLS context per request).
        expect(clients[0].sessionsCreated).toBe(h2 ? 1 : 0);
        expect(clients[0].agentsCreated).toBe(h2 ? 0 : 1);
        expect(proxy.opened).toBeLessThanOrEqual(h2 ? 1 : served + 5);
        expect(proxy.opened).toBeLessThan(requests);
        expect(edge.counters()).toMatchObject({
          openH2Sessions: h2 ? 1 : 0,
          openH2Streams: h2 ? served : 0,
        });

        now += settings.idleTimeoutMs;
        expect(fleet.reap()).toEqual([name]);
        expect(closed).toEqual(clients);
        await eventually(() => proxy.open === 0);
        await eventually(() => edge.counters().openWatches === 0);
      } finally {
        fleet.stop();
        await proxy.stop();
      }
    },
  );

  it.each([
    ['an HTTP/2 session', 'edge'],
    ['HTTP/1.1 connections', 'edge-h1'],
  ])(
    'resumes every watch when the server drops %s (a restart: GOAWAY, then closed)',
    async (_how, name) => {
      const edge = sim.cluster(name);
      const clients: KubeConfigClient[] = [];
      const settings = readSettings(
        new ConfigReader({
          gitopsSecrets: {
            clusters: [clusterConfig(edge)],
            cache: { backoff: { initial: '50ms', max: '200ms' } },
          },
        }),
      );
      const fleet = new Fleet({
        settings,
        logger: mockServices.logger.mock(),
        clientFactory: d => {
          const real = KubeConfigClient.fromCluster(d);
          clients.push(real);
          return real;
        },
      });
      try {
        const cache = fleet.acquire(name)!;
        expect(await cache.whenSettled()).toBe(true);
        const watches = Object.values(
          cache.summary(undefined).servedVersions!,
        ).filter(Boolean).length;
        await eventually(() => edge.counters().openWatches === watches);
        edge.dropConnections();
        const es = `after-drop-${name}`;
        edge.upsert({
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: es, namespace: 'apps' },
          spec: { target: { name: es } },
        });
        // Seen through a resumed watch (or the list after it), not left stale.
        await eventually(() =>
          cache.objects().some(o => o.metadata.name === es),
        );
        await eventually(() => edge.counters().openWatches === watches);
        expect(clients[0].sessionsCreated).toBe(name === 'edge' ? 2 : 0);
      } finally {
        fleet.stop();
      }
    },
  );

  it('reads CustomResourceDefinitions without their OpenAPI schemas, and still knows what is installed', async () => {
    const edge = sim.cluster('edge');
    const settings = readSettings(
      new ConfigReader({ gitopsSecrets: { clusters: [clusterConfig(edge)] } }),
    );
    const omitted = new Map<string, string[]>();
    const clientFactory = (d: ClusterDetails): KubeClient => {
      const real = KubeConfigClient.fromCluster(d);
      const note = (what: string, keys?: ReadonlySet<string>) =>
        omitted.set(what, [...(keys ?? [])]);
      return {
        getJson: (path, query, signal, options) => {
          if (query?.limit !== undefined)
            note(`list ${path}`, options?.omitKeys);
          return real.getJson(path, query, signal, options);
        },
        getList: (path, query, onItem, signal, options) => {
          note(`list ${path}`, options?.omitKeys);
          return real.getList(path, query, onItem, signal, options);
        },
        watch: (path, query, onEvent, signal, idle, options) => {
          note(`watch ${path}`, options?.omitKeys);
          return real.watch(path, query, onEvent, signal, idle, options);
        },
        close: () => real.close(),
      };
    };
    const fleet = new Fleet({
      settings,
      logger: mockServices.logger.mock(),
      clientFactory,
    });
    try {
      const cache = fleet.acquire('edge')!;
      expect(await cache.whenSettled()).toBe(true);
      const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
      await eventually(() => omitted.has(`watch ${crdPath}`));
      expect(omitted.get(`list ${crdPath}`)).toContain('openAPIV3Schema');
      expect(omitted.get(`watch ${crdPath}`)).toContain('openAPIV3Schema');
      // Other kinds have no schema to cut; their managedFields are cut (slimming drops them anyway).
      expect(
        omitted.get('list /apis/external-secrets.io/v1/externalsecrets'),
      ).toEqual(['managedFields']);
      // The CRDs are cached with the versions they serve.
      const crds = cache
        .objects()
        .filter(o => o.kind === 'CustomResourceDefinition');
      expect(crds.length).toBeGreaterThan(0);
      expect(
        crds.find(
          o => o.metadata.name === 'externalsecrets.external-secrets.io',
        )?.spec,
      ).toMatchObject({
        versions: expect.arrayContaining([
          expect.objectContaining({ name: 'v1' }),
        ]),
      });
      expect(cache.summary(undefined).servedVersions).toMatchObject({
        'externalsecrets.external-secrets.io': 'v1',
      });
    } finally {
      fleet.stop();
    }
  });

  it('follows a changing cluster list: keeps unchanged caches and their watches, replaces changed ones, stops removed ones', async () => {
    const edge = sim.cluster('edge');
    const settings = readSettings(
      new ConfigReader({ gitopsSecrets: { clusters: [] } }),
    );
    const fleet = new Fleet({ settings, logger: mockServices.logger.mock() });
    const details = (name: string, fingerprint: string): ClusterDetails => ({
      ...readSettings(
        new ConfigReader({
          gitopsSecrets: { clusters: [clusterConfig(edge, { name })] },
        }),
      ).clusters[0],
      source: 'a supplier',
      fingerprint,
    });
    try {
      expect(fleet.setClusters([details('a', '1'), details('b', '1')])).toEqual(
        { added: ['a', 'b'], removed: [], replaced: [] },
      );
      const a = fleet.acquire('a')!;
      const b = fleet.acquire('b')!;
      expect(await a.whenSettled()).toBe(true);
      expect(await b.whenSettled()).toBe(true);

      expect(
        fleet.setClusters([
          details('c', '1'),
          details('a', '1'),
          details('b', '2'),
        ]),
      ).toEqual({ added: ['c'], removed: [], replaced: ['b'] });
      expect(fleet.names()).toEqual(['c', 'a', 'b']);
      expect(fleet.peek('a')).toBe(a);
      expect(a.isStarted).toBe(true);
      expect(b.isStarted).toBe(false);
      expect(fleet.peek('b')).not.toBe(b);

      expect(fleet.setClusters([details('b', '2')])).toEqual({
        added: [],
        removed: ['c', 'a'],
        replaced: [],
      });
      expect(a.isStarted).toBe(false);
      expect(fleet.has('a')).toBe(false);
    } finally {
      fleet.stop();
    }
    await eventually(() => edge.counters().openWatches === 0);
  });
});
