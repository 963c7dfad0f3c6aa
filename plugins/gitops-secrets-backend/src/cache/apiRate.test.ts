import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { FaultConfig, SimFleet } from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';
import { WATCHED_KINDS } from '@golden-gitops/plugin-gitops-secrets-common';
import {
  clusterConfig,
  eventually,
  externalSecret,
} from '../__testUtils__/sim';
import { DEFAULTS, readSettings } from '../config/clusters';
import { KubeConfigClient } from '../kube/KubeClient';
import { StringPool } from './intern';
import { HEALTHY_WATCH_MS, KindReflector } from './KindReflector';

jest.setTimeout(120_000);

const ES_KIND = WATCHED_KINDS.find(k => k.kind === 'ExternalSecret')!;
const MINUTE = 60_000;

/**
 * How many API requests one kind costs a cluster per minute under a fault, on a fake clock: every backoff
 * sleep advances the clock instead of waiting, and the simulator counts the requests made in each (fake)
 * minute. The default backoff (1 s doubling to 30 s) is used, with the worst jitter for the ceiling (always
 * the shortest delay). No real time is measured, so the figures do not depend on the machine's load.
 */
describe('API requests per kind per minute under faults (fake clock, counted by the simulator)', () => {
  let sim: SimFleet;

  beforeAll(async () => {
    sim = await startFleet([
      {
        name: 'edge',
        crdSets: ['external-secrets'],
        objects: [externalSecret('db', 'True')],
      },
    ]);
  });
  afterAll(() => sim.stop());

  function start(opts: { random?: () => number } = {}) {
    const edge = sim.cluster('edge');
    const [details] = readSettings(
      new ConfigReader({ gitopsSecrets: { clusters: [clusterConfig(edge)] } }),
    ).clusters;
    const client = KubeConfigClient.fromCluster(details);
    let now = 0;
    const delays: number[] = [];
    /** Requests on the kind's path (list and watch), so far. */
    const count = () =>
      Object.entries(edge.counters().byPath)
        .filter(([k]) => k.endsWith('/externalsecrets'))
        .reduce((n, [, v]) => n + v, 0);
    const lists = () =>
      Object.entries(edge.counters().byPath)
        .filter(
          ([k]) => k.startsWith('list ') && k.endsWith('/externalsecrets'),
        )
        .reduce((n, [, v]) => n + v, 0);
    const perMinute: number[] = [];
    const listsPerMinute: number[] = [];
    let counted = 0;
    let listed = 0;
    let stopAt = Infinity;
    const r = new KindReflector({
      client,
      kind: ES_KIND,
      version: 'v1',
      pageSize: 100,
      backoffInitialMs: DEFAULTS.backoffInitialMs,
      backoffMaxMs: DEFAULTS.backoffMaxMs,
      watchTimeoutSeconds: 300,
      requestTimeoutMs: 5_000,
      pool: new StringPool(),
      logger: mockServices.logger.mock(),
      onChange: () => undefined,
      onGone: () => undefined,
      now: () => now,
      random: opts.random ?? (() => 0.999),
      sleep: async ms => {
        delays.push(ms);
        // What was requested since the last sleep happened at `now`.
        const m = Math.floor(now / MINUTE);
        const c = count();
        const l = lists();
        perMinute[m] = (perMinute[m] ?? 0) + c - counted;
        listsPerMinute[m] = (listsPerMinute[m] ?? 0) + l - listed;
        counted = c;
        listed = l;
        now += ms;
        if (now >= stopAt) r.stop();
        await new Promise(res => setImmediate(res));
      },
    });
    return {
      r,
      client,
      delays,
      perMinute,
      listsPerMinute,
      advance: (ms: number) => {
        now += ms;
      },
      runFor: async (ms: number) => {
        stopAt = now + ms;
        r.start();
        await eventually(() => r.stopped, 60_000);
        client.close();
      },
    };
  }

  // [fault, what it stands for, max requests in the first minute, max requests in any later minute]
  it.each<[string, FaultConfig, number, number]>([
    ['410 storm', { expireEveryWatch: true }, 14, 6],
    ['500 on every request', { failAll500: true }, 7, 3],
    ['watches dropped at once', { dropWatchesAfterMs: 1 }, 8, 3],
  ])(
    '%s: at most a few requests per minute once backed off',
    async (_name, faults, firstMinute, laterMinutes) => {
      const edge = sim.cluster('edge');
      edge.resetCounters();
      edge.setFaults(faults);
      try {
        const h = start();
        await h.runFor(10 * MINUTE);
        const [first, ...later] = h.perMinute;
        expect(first).toBeLessThanOrEqual(firstMinute);
        expect(Math.max(...later)).toBeLessThanOrEqual(laterMinutes);
        // The fault was hit: requests kept coming, every minute.
        expect(later.length).toBeGreaterThanOrEqual(9);
        expect(Math.min(...later)).toBeGreaterThanOrEqual(1);
        // Issue 18's done-when: a 410 storm (or any fault) costs at most a few lists per minute per kind.
        expect(Math.max(...h.listsPerMinute.slice(1))).toBeLessThanOrEqual(3);
        // Backoff reached its maximum (with jitter, never above it).
        expect(Math.max(...h.delays)).toBeLessThanOrEqual(
          DEFAULTS.backoffMaxMs,
        );
        expect(Math.max(...h.delays)).toBeGreaterThan(
          DEFAULTS.backoffMaxMs * 0.79,
        );
      } finally {
        edge.setFaults({});
      }
    },
  );

  it('jitters every delay within 20% below the backoff', async () => {
    const edge = sim.cluster('edge');
    edge.setFaults({ failAll500: true });
    try {
      const h = start({ random: Math.random });
      await h.runFor(3 * MINUTE);
      let backoff: number = DEFAULTS.backoffInitialMs;
      for (const d of h.delays) {
        expect(d).toBeLessThanOrEqual(backoff);
        expect(d).toBeGreaterThanOrEqual(Math.floor(backoff * 0.8));
        backoff = Math.min(backoff * 2, DEFAULTS.backoffMaxMs);
      }
    } finally {
      edge.setFaults({});
    }
  });

  it('starts backing off from the beginning once a watch has been current for a while', async () => {
    const edge = sim.cluster('edge');
    edge.setFaults({ failAll500: true });
    const h = start({ random: () => 0 });
    try {
      h.r.start();
      // A long outage: the backoff reaches its maximum.
      await eventually(() => h.delays.includes(DEFAULTS.backoffMaxMs), 60_000);
      // Recovery: the next attempt lists and watches.
      edge.setFaults({});
      await eventually(() => h.r.connected, 60_000);
      const before = h.delays.length;
      // The watch stays current for a while, then a second short outage ends it.
      h.advance(HEALTHY_WATCH_MS);
      edge.setFaults({ failAll500: true, dropWatchesAfterMs: 1 });
      await eventually(() => h.delays.length > before, 60_000);
      // Before the fix this waited the maximum (30 s) again; now the first retry comes after the initial backoff.
      expect(h.delays[before]).toBe(DEFAULTS.backoffInitialMs);
    } finally {
      h.r.stop();
      h.client.close();
      edge.setFaults({});
    }
  });
});
