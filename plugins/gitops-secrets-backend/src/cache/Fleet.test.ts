import { mockServices } from '@backstage/backend-test-utils';
import type { SimFleet } from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';
import { readSettings } from '../config/clusters';
import { ConfigReader } from '@backstage/config';
import { clusterConfig, eventually } from '../__testUtils__/sim';
import { Fleet } from './Fleet';

jest.setTimeout(60_000);

describe('Fleet', () => {
  let sim: SimFleet;
  beforeAll(async () => {
    sim = await startFleet([{ name: 'edge', crdSets: ['external-secrets'] }]);
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
});
