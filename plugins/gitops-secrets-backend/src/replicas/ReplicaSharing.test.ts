import { ConfigReader } from '@backstage/config';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { SimFleet } from '@golden-gitops/kube-api-sim';
import type {
  ClusterStatus,
  SlimObject,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { findWatchedKind } from '@golden-gitops/plugin-gitops-secrets-common';
import { Fleet } from '../cache/Fleet';
import { readSettings } from '../config/clusters';
import { StatusService } from '../service/StatusService';
import {
  recordingScheduler,
  sharedCache,
} from '../__testUtils__/sharedServices';
import {
  clusterConfig,
  eventually,
  externalSecret,
  startSimFleet,
} from '../__testUtils__/sim';
import { headKey } from './published';
import { ReplicaSharing } from './ReplicaSharing';
import { readReplicaSettings } from './settings';

jest.setTimeout(90_000);

const CLUSTERS = ['management', 'leaf-dev', 'leaf-prod', 'leaf-staging'];

/** The parts of a status that must be the same on every replica (observedAt is the time of the answer). */
function comparable(s: ClusterStatus) {
  const { observedAt: _o, ...rest } = s;
  return rest;
}

describe('ReplicaSharing: two replicas sharing a database and a cache', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let sim: SimFleet;
  beforeAll(async () => {
    sim = await startSimFleet(CLUSTERS);
  });
  afterAll(() => sim.stop());

  it('is off unless configured', () => {
    expect(readReplicaSettings(new ConfigReader({})).enabled).toBe(false);
    expect(
      readReplicaSettings(
        new ConfigReader({
          gitopsSecrets: {
            replicas: { enabled: true, heartbeatInterval: '2s' },
          },
        }),
      ),
    ).toEqual({
      enabled: true,
      heartbeatMs: 2_000,
      deadAfterMs: 6_000,
      staleAfterMs: 6_000,
    });
  });

  it('watches each cluster from one replica, answers alike on both, and moves a dead replica’s clusters with stale answers meanwhile', async () => {
    const knex = await databases.init('SQLITE_3');
    const database = { getClient: async () => knex };
    const cache = sharedCache();
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: CLUSTERS.map(c => clusterConfig(sim.cluster(c))),
        },
      }),
    );
    // A long heartbeat: the test drives heartbeats, assignment and publishing itself, step by step.
    const replicaSettings = {
      enabled: true,
      heartbeatMs: 60_000,
      deadAfterMs: 10_000,
      staleAfterMs: 10_000,
    };
    let skewA = 0;
    const make = (
      id: string,
      now: () => number,
      replicaCache: typeof cache = cache,
    ) => {
      const fleet = new Fleet({ settings, logger: mockServices.logger.mock() });
      const scheduler = recordingScheduler();
      const sharing = new ReplicaSharing({
        fleet,
        database,
        cache: replicaCache,
        scheduler,
        logger: mockServices.logger.mock(),
        settings: replicaSettings,
        summaryTtlMs: settings.summaryTtlMs,
        idleTimeoutMs: settings.idleTimeoutMs,
        replicaId: id,
        now,
      });
      const status = new StatusService(
        fleet,
        mockServices.logger.mock(),
        now,
        sharing,
      );
      return { fleet, sharing, status, scheduler };
    };
    // B's view of the shared cache dies with it (a crash: no goodbye written).
    let bDead = false;
    const bCache = {
      ...cache,
      get: (k: string) =>
        bDead ? Promise.reject(new Error('dead')) : cache.get(k),
      set: (k: string, v: any, o?: any) =>
        bDead ? Promise.reject(new Error('dead')) : cache.set(k, v, o),
    } as typeof cache;
    const a = make('replica-a', () => Date.now() + skewA);
    const b = make('replica-b', Date.now, bCache);
    try {
      await a.sharing.start();
      await b.sharing.start();
      // The assignment is a global task of the scheduler: one replica runs it.
      expect(a.scheduler.tasks.map(t => [t.id, t.scope])).toEqual([
        ['gitops-secrets-assign-clusters', 'global'],
      ]);
      await a.scheduler.tasks[0].fn(new AbortController().signal as any);
      await a.sharing.beat();
      await b.sharing.beat();

      const ownedA = a.sharing.ownedClusters();
      const ownedB = b.sharing.ownedClusters();
      expect([...ownedA, ...ownedB].sort()).toEqual([...CLUSTERS].sort());
      expect(ownedA.length).toBeGreaterThan(0);
      expect(ownedB.length).toBeGreaterThan(0);

      // One set of watches per cluster: the owner's. The other replica never starts the cluster's cache.
      for (const name of CLUSTERS) {
        const [owner, other] = ownedA.includes(name) ? [a, b] : [b, a];
        expect(await owner.fleet.peek(name)!.whenSettled()).toBe(true);
        const watches = Object.keys(
          owner.fleet.peek(name)!.summaryInputs().servedVersions,
        ).filter(
          k => owner.fleet.peek(name)!.summaryInputs().servedVersions[k],
        ).length;
        const simCluster = sim.cluster(name);
        await eventually(() => simCluster.counters().openWatches === watches);
        expect(other.fleet.peek(name)!.isStarted).toBe(false);
      }

      await a.sharing.publishTick();
      await b.sharing.publishTick();
      // The same answer on both replicas, whole and cut, for every cluster, owner or not.
      for (const name of CLUSTERS) {
        for (const limit of [undefined, 1]) {
          const fromA = await a.status.clusterStatus(name, undefined, limit);
          const fromB = await b.status.clusterStatus(name, undefined, limit);
          expect(fromA.error).toBeUndefined();
          expect(comparable(fromB)).toEqual(comparable(fromA));
        }
        const scope = { namespaces: ['apps'] };
        expect(comparable(await b.status.clusterStatus(name, scope))).toEqual(
          comparable(await a.status.clusterStatus(name, scope)),
        );
      }
      // The template picker's read answers alike on the replica that does not own the cluster.
      const esKey = findWatchedKind(
        'external-secrets.io/v1',
        'ExternalSecret',
      )!.key;
      const names = (objects: SlimObject[]) =>
        objects.map(o => `${o.metadata.namespace}/${o.metadata.name}`).sort();
      for (const name of CLUSTERS) {
        const fromA = await a.status.cachedObjects(name, [esKey]);
        const fromB = await b.status.cachedObjects(name, [esKey]);
        expect(fromA.kinds[esKey]).toBe('listed');
        expect(fromB.kinds).toEqual(fromA.kinds);
        expect(names(fromB.objects)).toEqual(names(fromA.objects));
      }
      for (const name of CLUSTERS) {
        const other = ownedA.includes(name) ? b : a;
        expect(other.fleet.peek(name)!.isStarted).toBe(false);
      }

      // A change on a cluster owned by B reaches A's answers through B's next publication.
      const bCluster = ownedB[0];
      sim.cluster(bCluster).upsert(externalSecret('replica-probe', 'False'));
      await eventually(async () => {
        await b.sharing.publishTick();
        const s = await a.status.clusterStatus(bCluster);
        return (
          s.eso?.externalSecrets.some(e => e.ref.name === 'replica-probe') ===
          true
        );
      });

      expect(
        names((await a.status.cachedObjects(bCluster, [esKey])).objects),
      ).toContain('apps/replica-probe');

      // B dies: its timers stop, its watches end with the process (no goodbye in the cache or the database).
      bDead = true;
      await b.sharing.stop().catch(() => undefined);
      await knex('gitops_secrets_replicas').insert({
        replica_id: 'replica-b',
        seen_at: Date.now(),
      });
      b.fleet.stop();
      await eventually(
        () => sim.cluster(bCluster).counters().openWatches === 0,
      );
      // Time passes beyond deadAfter on A's clock; B's published data is now old.
      skewA = 15_000;
      const stale = await a.status.clusterStatus(bCluster);
      expect(stale.error?.type).toBe('TIMEOUT');
      expect(stale.health).toBe('Unknown');
      expect(stale.cacheAgeSeconds).toBeGreaterThanOrEqual(15);
      // Old published objects are not offered as the cluster's (the picker reads the repository instead).
      expect((await a.status.cachedObjects(bCluster, [esKey])).kinds).toEqual({
        [esKey]: 'unknown',
      });
      // Still what B last saw, not presented as current.
      expect(
        stale.eso?.externalSecrets.some(e => e.ref.name === 'replica-probe'),
      ).toBe(true);

      // The next assignment sees B dead and gives A everything; A watches B's clusters and answers current data.
      await a.scheduler.tasks[0].fn(new AbortController().signal as any);
      await a.sharing.beat();
      expect(a.sharing.ownedClusters().sort()).toEqual([...CLUSTERS].sort());
      const after = await a.status.clusterStatus(bCluster);
      expect(after.error).toBeUndefined();
      expect(after.cacheAgeSeconds).toBe(0);
      expect(
        after.eso?.externalSecrets.find(e => e.ref.name === 'replica-probe')
          ?.health,
      ).toBe('Degraded');

      // The new owner publishes B's old clusters; when A stops normally its heads say so, and the others
      // mark its clusters stale at once.
      await a.sharing.publishTick();
      expect(await cache.get(headKey(bCluster))).toMatchObject({
        owner: 'replica-a',
      });
      await a.sharing.stop();
      expect(await cache.get(headKey(bCluster))).toMatchObject({
        owner: 'replica-a',
        stopped: true,
      });
    } finally {
      await a.sharing.stop();
      await b.sharing.stop();
      a.fleet.stop();
      b.fleet.stop();
    }
  });
});
