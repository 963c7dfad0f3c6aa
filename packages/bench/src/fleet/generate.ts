/*
 * The benchmark fleet: every cluster is the simulator's healthy `management` fixture (Flux, the three-step ESO chain,
 * a ClusterSecretStore, CAPI leaves) topped up with generated, healthy team objects until it holds exactly the asked
 * numbers of ExternalSecrets, Kustomizations and HelmReleases. Objects are spread over `teams` namespaces
 * `team-00`, `team-01`, …; every generated object carries `backstage.io/kubernetes-id: <its namespace>`, so the
 * benchmarked Component `team-00` selects the same objects in our plugin (namespace or label) and in Backstage's
 * Kubernetes backend (label selector).
 */
import path from 'node:path';
import {
  fixturesDir,
  KubeObject,
  loadFixtureCluster,
  SimClusterOptions,
} from '@golden-gitops/kube-api-sim';

/** Objects per cluster (totals, the fixture's own objects included). */
export interface FleetSize {
  clusters: number;
  externalSecrets: number;
  kustomizations: number;
  helmReleases: number;
  /** Namespaces the generated objects are spread over; the benchmarked entity owns the first. */
  teams: number;
}

export const ENTITY_TEAM = 'team-00';

export function teamName(i: number) {
  return `team-${String(i).padStart(2, '0')}`;
}

export function clusterName(i: number) {
  return `cluster-${String(i + 1).padStart(2, '0')}`;
}

const REVISION = 'main@sha1:0cdbc00f9c9fef851aaaa4eb25c8a3ac21c662f5';
const ESO = 'external-secrets.io/v1';
const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io/v1';
const HELM = 'helm.toolkit.fluxcd.io/v2';

function labels(team: string) {
  return {
    'backstage.io/kubernetes-id': team,
    'kustomize.toolkit.fluxcd.io/name': 'apps',
    'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
  };
}

function ready(reason: string, message: string, at: string) {
  return [
    {
      type: 'Ready',
      status: 'True',
      reason,
      message,
      lastTransitionTime: at,
      observedGeneration: 1,
    },
  ];
}

/** A synced ExternalSecret that refreshed `minutesAgo` minutes ago (well inside 2× its 1 h refreshInterval). */
export function externalSecret(
  team: string,
  n: number,
  now: Date,
  extra = '',
): KubeObject {
  const name = `${team}-secret-${String(n).padStart(4, '0')}${extra}`;
  const refreshed = new Date(now.getTime() - ((n * 7) % 50) * 60_000);
  return {
    apiVersion: ESO,
    kind: 'ExternalSecret',
    metadata: { name, namespace: team, generation: 1, labels: labels(team) },
    spec: {
      refreshInterval: '1h0m0s',
      secretStoreRef: {
        kind: 'ClusterSecretStore',
        name: 'aws-secrets-manager',
      },
      target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [
        {
          secretKey: 'value',
          remoteRef: { key: `prod/${team}/${name}`, property: 'value' },
        },
      ],
    },
    status: {
      binding: { name },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'SecretSynced',
          message: 'secret synced',
          lastTransitionTime: '2026-10-02T12:02:44Z',
        },
      ],
      refreshTime: refreshed.toISOString().replace(/\.\d+Z$/, 'Z'),
      syncedResourceVersion: `1-${name}`,
    },
  };
}

function kustomization(team: string, n: number): KubeObject {
  const name = `${team}-app-${String(n).padStart(3, '0')}`;
  return {
    apiVersion: KUSTOMIZE,
    kind: 'Kustomization',
    metadata: { name, namespace: team, generation: 1, labels: labels(team) },
    spec: {
      interval: '10m0s',
      path: `./apps/${team}/${name}`,
      prune: true,
      sourceRef: {
        kind: 'GitRepository',
        name: 'flux-system',
        namespace: 'flux-system',
      },
      targetNamespace: team,
      timeout: '5m0s',
    },
    status: {
      conditions: ready(
        'ReconciliationSucceeded',
        `Applied revision: ${REVISION}`,
        '2026-10-02T12:03:20Z',
      ),
      lastAppliedRevision: REVISION,
      lastAttemptedRevision: REVISION,
      observedGeneration: 1,
    },
  };
}

function helmRelease(team: string, n: number): KubeObject {
  const name = `${team}-chart-${String(n).padStart(3, '0')}`;
  return {
    apiVersion: HELM,
    kind: 'HelmRelease',
    metadata: { name, namespace: team, generation: 1, labels: labels(team) },
    spec: {
      interval: '1h0m0s',
      chart: {
        spec: {
          chart: 'podinfo',
          version: '6.9.2',
          sourceRef: {
            kind: 'HelmRepository',
            name: 'podinfo',
            namespace: 'flux-system',
          },
        },
      },
      releaseName: name,
    },
    status: {
      conditions: ready(
        'InstallSucceeded',
        `Helm install succeeded for release ${team}/${name}.v1 with chart podinfo@6.9.2`,
        '2026-10-02T12:04:10Z',
      ),
      lastAttemptedRevision: '6.9.2',
      observedGeneration: 1,
    },
  };
}

function podinfoRepository(): KubeObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name: 'podinfo', namespace: 'flux-system', generation: 1 },
    spec: { interval: '1h0m0s', url: 'https://stefanprodan.github.io/podinfo' },
    status: {
      conditions: ready(
        'Succeeded',
        'stored artifact: revision sha256:2f1d',
        '2026-10-02T12:01:00Z',
      ),
      observedGeneration: 1,
    },
  };
}

/** Spreads `total` objects over `teams` namespaces as evenly as possible: the count of team `t`. */
export function share(total: number, teams: number, t: number) {
  return Math.floor(total / teams) + (t < total % teams ? 1 : 0);
}

function count(objects: KubeObject[], kind: string) {
  return objects.filter(o => o.kind === kind).length;
}

/** The simulator options of cluster `i`: the management fixture plus generated team objects. */
export function clusterOptions(
  i: number,
  size: FleetSize,
  now = new Date(),
): SimClusterOptions {
  const base = loadFixtureCluster(path.join(fixturesDir, 'management'), now);
  const objects = [...(base.objects ?? []), podinfoRepository()];
  const wanted = {
    ExternalSecret: Math.max(
      0,
      size.externalSecrets - count(objects, 'ExternalSecret'),
    ),
    Kustomization: Math.max(
      0,
      size.kustomizations - count(objects, 'Kustomization'),
    ),
    HelmRelease: Math.max(0, size.helmReleases - count(objects, 'HelmRelease')),
  };
  for (let t = 0; t < size.teams; t++) {
    const team = teamName(t);
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: team, labels: { 'backstage.io/kubernetes-id': team } },
    });
    for (let n = 0; n < share(wanted.ExternalSecret, size.teams, t); n++)
      objects.push(externalSecret(team, n, now));
    for (let n = 0; n < share(wanted.Kustomization, size.teams, t); n++)
      objects.push(kustomization(team, n));
    for (let n = 0; n < share(wanted.HelmRelease, size.teams, t); n++)
      objects.push(helmRelease(team, n));
  }
  return { ...base, name: clusterName(i), objects };
}

/** What the benchmarked entity owns on one cluster (generated objects in its namespace). */
export function entityShare(
  size: FleetSize,
  fixture = { es: 6, ks: 5, hr: 1 },
) {
  return {
    externalSecrets: share(size.externalSecrets - fixture.es, size.teams, 0),
    kustomizations: share(size.kustomizations - fixture.ks, size.teams, 0),
    helmReleases: share(size.helmReleases - fixture.hr, size.teams, 0),
  };
}
