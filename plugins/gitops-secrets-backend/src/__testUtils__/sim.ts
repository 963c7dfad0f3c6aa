import fs from 'node:fs';
import path from 'node:path';
import type {
  SimCluster,
  SimClusterOptions,
  SimFleet,
} from '@golden-gitops/kube-api-sim';
import {
  fixturesDir,
  loadFixtureCluster,
  startFleet,
} from '@golden-gitops/kube-api-sim';

/** The fixture clusters of the simulator (packages/kube-api-sim/fixtures). */
export const FIXTURE_CLUSTERS = [
  'management',
  'leaf-dev',
  'leaf-prod',
  'leaf-staging',
  'leaf-uat',
  'crd-race',
  'invalid-store',
  'leaf-pending',
  'no-eso',
] as const;

export type FixtureCluster = (typeof FIXTURE_CLUSTERS)[number];

/** Start fixture clusters (by name) plus any extra clusters, sharing one CA. */
export function startSimFleet(
  fixtures: readonly string[],
  extra: SimClusterOptions[] = [],
): Promise<SimFleet> {
  return startFleet([
    ...fixtures.map(name => loadFixtureCluster(path.join(fixturesDir, name))),
    ...extra,
  ]);
}

/** A `gitopsSecrets.clusters[]` entry for a simulated cluster. */
export function clusterConfig(
  c: SimCluster,
  opts: { token?: string; timeout?: string; name?: string } = {},
) {
  return {
    name: opts.name ?? c.name,
    url: c.url,
    serviceAccountToken: opts.token ?? c.adminToken,
    caData: c.caData,
    ...(opts.timeout ? { timeout: opts.timeout } : {}),
  };
}

/** Paths the backend requested from a cluster, from the simulator's counters. */
export function requestedPaths(c: SimCluster): string[] {
  return Object.keys(c.counters().byPath);
}

/**
 * Poll until `check` stops throwing (or returns true), as long as `timeoutMs`
 * allows; the last failure is rethrown. Condition-based, not timed.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 15_000,
): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== false) return v;
      last = new Error('condition still false');
    } catch (e) {
      last = e;
    }
    if (Date.now() - started > timeoutMs) throw last;
    await new Promise(r => setTimeout(r, 25));
  }
}

/** An ExternalSecret as ESO reports it: synced (`True`) or failing to sync (`False`), refreshed just now. */
export function externalSecret(name: string, ready: 'True' | 'False') {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: 'apps' },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
      target: { name },
      data: [{ secretKey: 'password', remoteRef: { key: `apps/${name}` } }],
    },
    status: {
      refreshTime: new Date().toISOString(),
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason: ready === 'True' ? 'SecretSynced' : 'SecretSyncedError',
          message:
            ready === 'True'
              ? 'secret synced'
              : 'could not get secret data from provider',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    },
  };
}

/** A store as ESO reports it: validated (`True`) or not (`False`, with `failure` as its message). */
export function secretStore(
  kind: 'ClusterSecretStore' | 'SecretStore',
  name: string,
  ready: 'True' | 'False',
  opts: { namespace?: string; failure?: string } = {},
) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind,
    metadata: {
      name,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
    },
    spec: {
      provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } },
    },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason: ready === 'True' ? 'Valid' : 'InvalidProviderConfig',
          message:
            ready === 'True'
              ? 'store validated'
              : opts.failure ?? 'unable to validate store',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    },
  };
}

/**
 * Write a kubeconfig (JSON is YAML) for one simulated cluster, context `edge`, with the given user; `cluster` adds to
 * its cluster entry (e.g. `proxy-url`). Returns the file.
 */
export function writeKubeconfig(
  file: string,
  c: Pick<SimCluster, 'url' | 'caData'>,
  user: object,
  cluster: Record<string, string> = {},
): string {
  fs.writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'edge',
      clusters: [
        {
          name: 'edge',
          cluster: {
            server: c.url,
            'certificate-authority-data': c.caData,
            ...cluster,
          },
        },
      ],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'edge', context: { cluster: 'edge', user: 'u' } }],
    }),
  );
  return file;
}
