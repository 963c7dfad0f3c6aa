/*
 * One backend configuration for both plugins: the clusters are configured once, under Backstage's
 * `kubernetes.clusterLocatorMethods` (type config, serviceAccount token, the fleet's CA), which our plugin reads when
 * `gitopsSecrets.clusters` is absent. The catalog holds the benchmarked Component and one `kubernetes-cluster`
 * Resource per cluster.
 */
import type { Entity } from '@backstage/catalog-model';
import { ENTITY_TEAM } from '../fleet/generate';
import type { SimClusterInfo } from '../util/simAdmin';

/** The kinds both plugins read for the entity (the anchor as customResources). */
export const CUSTOM_RESOURCES = [
  { group: 'external-secrets.io', apiVersion: 'v1', plural: 'externalsecrets' },
  {
    group: 'kustomize.toolkit.fluxcd.io',
    apiVersion: 'v1',
    plural: 'kustomizations',
  },
  { group: 'helm.toolkit.fluxcd.io', apiVersion: 'v2', plural: 'helmreleases' },
];

export interface BackendOptions {
  /** Our per-cluster timeout (ms), the cost cap of a black-holed cluster. */
  clusterTimeoutMs: number;
}

export function backendConfig(
  clusters: SimClusterInfo[],
  opts: BackendOptions,
): Record<string, unknown> {
  return {
    backend: { baseUrl: 'http://localhost:7007' },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: clusters.map(c => ({
            name: c.name,
            url: c.url,
            authProvider: 'serviceAccount',
            serviceAccountToken: c.adminToken,
            caData: c.caData,
            skipTLSVerify: false,
            skipMetricsLookup: true,
          })),
        },
      ],
      customResources: CUSTOM_RESOURCES,
      // Only the three custom resources: the anchor's cheapest configuration (no pods, services, … lists).
      objectTypes: [],
    },
    gitopsSecrets: {
      // Clusters come from kubernetes.clusterLocatorMethods; only the per-cluster timeout is ours.
      timeout: { milliseconds: opts.clusterTimeoutMs },
    },
  };
}

export const ENTITY_REF = `component:default/${ENTITY_TEAM}`;

export function catalogEntities(clusters: SimClusterInfo[]): Entity[] {
  const clusterRefs = clusters.map(c => `resource:default/${c.name}`);
  const component: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: ENTITY_TEAM,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': ENTITY_TEAM,
        'gitops-secrets.io/namespaces': ENTITY_TEAM,
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/platform',
      dependsOn: clusterRefs,
    },
    relations: clusterRefs.map(targetRef => ({ type: 'dependsOn', targetRef })),
  };
  const resources: Entity[] = clusters.map(c => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: c.name,
      namespace: 'default',
      annotations: { 'gitops-secrets.io/cluster-name': c.name },
    },
    spec: { type: 'kubernetes-cluster', owner: 'group:default/platform' },
    relations: [
      { type: 'dependencyOf', targetRef: `component:default/${ENTITY_TEAM}` },
    ],
  }));
  return [component, ...resources];
}

/** The requests a Component's page makes: ours (status and the card's summary), and the Kubernetes plugin's (as its frontend client sends it). */
export function requests(baseUrl: string, entities: Entity[]) {
  const component = entities[0];
  return {
    ours: {
      url: `${baseUrl}/api/gitops-secrets/entities/default/component/${ENTITY_TEAM}/status`,
      method: 'GET' as const,
    },
    /** What our entity card reads: counts, findings, the worst few objects per cluster. */
    card: {
      url: `${baseUrl}/api/gitops-secrets/entities/default/component/${ENTITY_TEAM}/summary`,
      method: 'GET' as const,
    },
    anchor: {
      url: `${baseUrl}/api/kubernetes/services/${ENTITY_TEAM}`,
      method: 'POST' as const,
      body: { entity: component, auth: {} },
    },
  };
}
