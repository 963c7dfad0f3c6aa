/**
 * P5: Kubernetes API requests per cluster per minute while a fault is on. One simulated cluster serving every
 * watched kind (Flux, ESO, Cluster API CRDs) with one fault; our backend in this process (the figure is a
 * request count, not a latency) with its default backoff; one status request starts the cache, then the
 * simulator counts every API request for `windowMs` of real time. The first minute is the worst (the backoff
 * climbs from 1 s); the ceiling is what the backoff allows in the window per served kind (14 requests in
 * the first minute, as plugins/gitops-secrets-backend/src/cache/apiRate.test.ts proves on a fake clock), plus
 * discovery. With the full window (60 s) the figure is the first minute's: the worst one.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { FaultConfig } from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';

export interface FaultRate {
  fault: string;
  windowS: number;
  /** Watched kinds the cluster serves (each lists and watches on its own). */
  kinds: number;
  requests: number;
  requestsPerMinute: number;
  listsPerMinute: number;
  watchesPerMinute: number;
  /** At most this many requests in the window: 2 (a list and a watch) per attempt per kind, plus 30 for discovery. */
  ceiling: number;
  met: boolean;
}

export interface FaultResults {
  rates: FaultRate[];
  errors: string[];
}

/**
 * Faults, as the simulator injects them. The watches open when a fault starts are ended with it
 * (`dropWatchesAfterMs`), so every kind meets the fault at once instead of when its watch times out.
 */
export const FAULTS: Array<{ name: string; faults: FaultConfig }> = [
  {
    name: '410 on every watch',
    faults: { expireEveryWatch: true, dropWatchesAfterMs: 1 },
  },
  {
    name: '500 on every request',
    faults: { failAll500: true, dropWatchesAfterMs: 1 },
  },
  { name: 'watches end at once', faults: { dropWatchesAfterMs: 1 } },
];

const DISCOVERY_ALLOWANCE = 30;

/**
 * Attempts one kind can make within `windowMs` with the default backoff (1 s doubling to 30 s) at its shortest
 * (jitter takes up to 20% off): one at once, then one after each delay. 7 in the first minute.
 */
export function attemptsWithin(windowMs: number): number {
  let attempts = 1;
  let t = 0;
  let backoff = 1_000;
  for (;;) {
    t += backoff * 0.8;
    if (t > windowMs) return attempts;
    attempts++;
    backoff = Math.min(backoff * 2, 30_000);
  }
}

export async function runFaultBench(opts: {
  windowMs: number;
  log: (line: string) => void;
}): Promise<FaultResults> {
  const rates: FaultRate[] = [];
  const errors: string[] = [];
  for (const { name, faults } of FAULTS) {
    opts.log(`P5: ${name}, ${opts.windowMs / 1000} s`);
    const fleet = await startFleet([
      {
        name: 'edge',
        crdSets: ['flux', 'external-secrets', 'cluster-api'],
      },
    ]);
    const edge = fleet.cluster('edge');
    const backend = await startTestBackend({
      features: [
        mockServices.rootConfig.factory({
          data: {
            gitopsSecrets: {
              clusters: [
                {
                  name: 'edge',
                  url: edge.url,
                  serviceAccountToken: edge.adminToken,
                  caData: edge.caData,
                },
              ],
            },
          },
        }),
        catalogServiceMock.factory({ entities: [] }),
        import('@golden-gitops/plugin-gitops-secrets-backend'),
      ],
    });
    try {
      const address = backend.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const get = () =>
        fetch(
          `http://127.0.0.1:${port}/api/gitops-secrets/clusters/edge/status`,
        );
      // Start the cache on a healthy cluster (discovery, lists and watches), then turn the fault on.
      const first = await get();
      if (first.status !== 200)
        throw new Error(`status answered ${first.status}`);
      await first.arrayBuffer();
      const served = Object.keys(edge.counters().byPath).filter(k =>
        k.startsWith('list '),
      ).length;
      edge.resetCounters();
      edge.setFaults(faults);
      await new Promise(r => setTimeout(r, opts.windowMs));
      const c = edge.counters();
      const perMinute = (n: number) => (n * 60_000) / opts.windowMs;
      const ceiling =
        served * 2 * attemptsWithin(opts.windowMs) + DISCOVERY_ALLOWANCE;
      rates.push({
        fault: name,
        windowS: opts.windowMs / 1000,
        kinds: served,
        requests: c.total,
        requestsPerMinute: perMinute(c.total),
        listsPerMinute: perMinute(c.byVerb.list ?? 0),
        watchesPerMinute: perMinute(c.byVerb.watch ?? 0),
        ceiling,
        met: c.total <= ceiling,
      });
    } catch (error) {
      errors.push(`P5 ${name}: ${(error as Error).stack ?? error}`);
    } finally {
      edge.setFaults({});
      await backend.stop().catch(() => undefined);
      await fleet.stop();
    }
  }
  return { rates, errors };
}
