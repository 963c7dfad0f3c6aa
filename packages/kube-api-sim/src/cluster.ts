import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { SimCa, createSimCa } from './ca';
import { SimServer } from './server';
import type { SimCluster, SimClusterOptions, SimFleet } from './types';

let defaultCa: SimCa | undefined;

/** One CA per process unless given: generating keys costs tens of milliseconds per CA. */
function processCa(): SimCa {
  defaultCa ??= createSimCa();
  return defaultCa;
}

/** Starts one simulated cluster on 127.0.0.1 (`opts.port`, or a random free port). */
export async function startCluster(
  opts: SimClusterOptions,
  ca?: SimCa,
): Promise<SimCluster> {
  const server = new SimServer(opts, ca ?? processCa());
  await server.listen(opts.port ?? 0);
  return server;
}

/** A kubeconfig with one cluster, user and context per cluster; the context is named after the cluster. */
export function kubeconfigFor(
  clusters: SimCluster[],
  token: 'admin' | string = 'admin',
): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': clusters[0]?.name ?? '',
    clusters: clusters.map(c => ({
      name: c.name,
      cluster: { server: c.url, 'certificate-authority-data': c.caData },
    })),
    users: clusters.map(c => ({
      name: `${c.name}-user`,
      user: { token: token === 'admin' ? c.adminToken : token },
    })),
    contexts: clusters.map(c => ({
      name: c.name,
      context: { cluster: c.name, user: `${c.name}-user` },
    })),
  };
  return stringify(doc);
}

/** Starts several clusters sharing one CA, each on its own port. */
export async function startFleet(
  opts: SimClusterOptions[],
  ca?: SimCa,
): Promise<SimFleet> {
  const names = new Set<string>();
  for (const o of opts) {
    if (names.has(o.name))
      throw new Error(`Duplicate cluster name '${o.name}'`);
    names.add(o.name);
  }
  const fleetCa = ca ?? createSimCa();
  const clusters: SimCluster[] = [];
  try {
    for (const o of opts) clusters.push(await startCluster(o, fleetCa));
  } catch (e) {
    await Promise.all(clusters.map(c => c.stop()));
    throw e;
  }
  return {
    clusters,
    cluster(name: string): SimCluster {
      const c = clusters.find(x => x.name === name);
      if (!c) throw new Error(`No simulated cluster named '${name}'`);
      return c;
    },
    kubeconfig: (token?: 'admin' | string) => kubeconfigFor(clusters, token),
    writeKubeconfig(file: string, token?: 'admin' | string): void {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      // The file holds bearer tokens: readable by the owner only.
      fs.writeFileSync(file, kubeconfigFor(clusters, token), { mode: 0o600 });
    },
    async stop(): Promise<void> {
      await Promise.all(clusters.map(c => c.stop()));
    },
  };
}
