/*
 * Child process holding the simulated fleet, so the simulators' CPU and memory are neither measured as the backend's
 * nor compete with the load driver's event loop. Protocol (IPC):
 *   parent → { type: 'start', fleet?, size, blackholed: number[] }
 *   child  → { type: 'ready', clusters: [{ name, url, caData, adminToken }], seedMs, objects, rssMb }
 *   parent → { type: 'upsert', fleet?, cluster, objects }   child → { type: 'done' }
 *   parent → { type: 'stopFleet', fleet }                  child → { type: 'done' }
 *   parent → { type: 'syntheticCrds', fleet?, count, schemaBytes }   child → { type: 'done' }
 *            (`count` synthetic unrelated CRDs into every cluster of the fleet, generated here: tens of MB)
 *   parent → { type: 'stop' }                               (the child stops every fleet and exits)
 * `fleet` names one of several fleets (default 'main').
 * Counters and faults go through each cluster's admin HTTP API (`/_sim/counters`, `/_sim/faults`).
 */
import {
  KubeObject,
  SimFleet,
  startFleet,
  syntheticCrds,
} from '@golden-gitops/kube-api-sim';
import { clusterOptions, FleetSize } from './generate';

type Message =
  | {
      type: 'start';
      id: number;
      fleet?: string;
      size: FleetSize;
      blackholed: number[];
    }
  | {
      type: 'upsert';
      id: number;
      fleet?: string;
      cluster: string;
      objects: KubeObject[];
    }
  | { type: 'stopFleet'; id: number; fleet: string }
  | {
      type: 'syntheticCrds';
      id: number;
      fleet?: string;
      count: number;
      schemaBytes: number;
    }
  | { type: 'stop' };

const fleets = new Map<string, SimFleet>();

function send(msg: unknown) {
  process.send!(msg);
}

async function start(
  id: number,
  key: string,
  size: FleetSize,
  blackholed: number[],
) {
  const t0 = performance.now();
  const now = new Date();
  const options = Array.from({ length: size.clusters }, (_, i) => ({
    ...clusterOptions(i, size, now),
    ...(blackholed.includes(i) ? { faults: { blackhole: true } } : {}),
  }));
  const objects = options.reduce((n, o) => n + (o.objects?.length ?? 0), 0);
  const fleet = await startFleet(options);
  fleets.set(key, fleet);
  const seedMs = performance.now() - t0;
  send({
    type: 'ready',
    id,
    clusters: fleet.clusters.map(c => ({
      name: c.name,
      url: c.url,
      caData: c.caData,
      adminToken: c.adminToken,
    })),
    seedMs,
    objects,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  });
}

process.on('message', (msg: Message) => {
  (async () => {
    if (msg.type === 'start') {
      await start(msg.id, msg.fleet ?? 'main', msg.size, msg.blackholed);
    } else if (msg.type === 'upsert') {
      const cluster = fleets.get(msg.fleet ?? 'main')!.cluster(msg.cluster);
      for (const o of msg.objects) cluster.upsert(o);
      send({ type: 'done', id: msg.id });
    } else if (msg.type === 'syntheticCrds') {
      const crds = syntheticCrds(msg.count, { schemaBytes: msg.schemaBytes });
      for (const c of fleets.get(msg.fleet ?? 'main')!.clusters) {
        for (const crd of crds) c.upsert(crd);
      }
      send({ type: 'done', id: msg.id });
    } else if (msg.type === 'stopFleet') {
      await fleets.get(msg.fleet)?.stop();
      fleets.delete(msg.fleet);
      send({ type: 'done', id: msg.id });
    } else if (msg.type === 'stop') {
      for (const f of fleets.values()) await f.stop();
      process.exit(0);
    }
  })().catch(error => {
    send({ type: 'error', message: String(error?.stack ?? error) });
  });
});

// The parent going away (Ctrl-C, crash) ends the fleet too.
process.on('disconnect', () => process.exit(0));
