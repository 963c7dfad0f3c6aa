/**
 * Status fixtures for tests and the dev app, built the way the backend builds
 * them: objects from -common's shared builders (as controllers leave them) →
 * `slimObject` → `summarizeCluster`. Nothing here spells out what the card renders.
 */
import { Entity } from '@backstage/catalog-model';
import {
  ClusterErrorType,
  ClusterStatus,
  EntityStatusResponse,
  SlimObject,
  slimObject,
  summarizeCluster,
  summarizeEntity,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  cond as condition,
  deployment,
  esoCrd as esoCrdObject,
  obj,
} from '@golden-gitops/plugin-gitops-secrets-common/testing';

export const NOW = new Date('2026-11-01T12:00:00Z');
const minutesAgo = (m: number) =>
  new Date(NOW.getTime() - m * 60_000).toISOString();

/** A condition that changed 30 minutes ago. */
const cond = (
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason?: string,
  message?: string,
) => ({
  ...condition(type, status, reason, message),
  lastTransitionTime: minutesAgo(30),
});

/** One object from the shared builders, slimmed as the backend slims what it reads. */
function k8s(
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | undefined,
  rest: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    spec?: object;
    status?: object;
  } = {},
): SlimObject {
  return slimObject(
    obj(apiVersion, kind, name, {
      namespace,
      generation: 1,
      labels: rest.labels,
      annotations: rest.annotations,
      spec: rest.spec ?? {},
      status: { observedGeneration: 1, ...(rest.status ?? {}) },
    }),
  );
}

const FLUX_NS = 'flux-system';

export function gitRepository(name: string, tag: string, ready = true) {
  return k8s('source.toolkit.fluxcd.io/v1', 'GitRepository', name, FLUX_NS, {
    spec: { url: `https://github.com/acme/${name}`, ref: { tag } },
    status: {
      artifact: { revision: `${tag}@sha1:0123456789abcdef` },
      conditions: [
        ready
          ? cond(
              'Ready',
              'True',
              'Succeeded',
              `stored artifact for revision '${tag}'`,
            )
          : cond(
              'Ready',
              'False',
              'GitOperationFailed',
              'authentication required',
            ),
      ],
    },
  });
}

export function helmRepository(name: string) {
  return k8s('source.toolkit.fluxcd.io/v1', 'HelmRepository', name, FLUX_NS, {
    spec: { url: 'https://charts.external-secrets.io' },
    status: { conditions: [cond('Ready', 'True', 'Succeeded')] },
  });
}

export function kustomization(
  name: string,
  opts: {
    dependsOn?: string[];
    ready?: boolean;
    reason?: string;
    message?: string;
    suspend?: boolean;
    labels?: Record<string, string>;
    sourceRef?: string;
  } = {},
) {
  const ready = opts.ready ?? true;
  return k8s('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', name, FLUX_NS, {
    labels: opts.labels,
    spec: {
      interval: '10m',
      path: `./${name}`,
      prune: true,
      sourceRef: {
        kind: 'GitRepository',
        name: opts.sourceRef ?? 'flux-system',
      },
      ...(opts.suspend ? { suspend: true } : {}),
      ...(opts.dependsOn
        ? { dependsOn: opts.dependsOn.map(n => ({ name: n })) }
        : {}),
    },
    status: {
      ...(ready ? { lastAppliedRevision: 'main@sha1:abc' } : {}),
      conditions: ready
        ? [
            cond(
              'Ready',
              'True',
              'ReconciliationSucceeded',
              'Applied revision: main@sha1:abc',
            ),
          ]
        : [
            cond(
              'Ready',
              'False',
              opts.reason ?? 'ReconciliationFailed',
              opts.message,
            ),
            cond('Reconciling', 'True', 'ProgressingWithRetry', opts.message),
          ],
    },
  });
}

export function esoHelmRelease(
  opts: { ready?: boolean; chartVersion?: string } = {},
) {
  const ready = opts.ready ?? true;
  const version = opts.chartVersion ?? '2.9.0';
  return k8s(
    'helm.toolkit.fluxcd.io/v2',
    'HelmRelease',
    'external-secrets',
    FLUX_NS,
    {
      spec: {
        chart: {
          spec: {
            chart: 'external-secrets',
            version,
            sourceRef: { kind: 'HelmRepository', name: 'external-secrets' },
          },
        },
      },
      status: ready
        ? {
            history: [{ chartVersion: version }],
            conditions: [cond('Ready', 'True', 'InstallSucceeded')],
          }
        : {
            lastAttemptedRevision: version,
            conditions: [
              cond(
                'Ready',
                'Unknown',
                'Progressing',
                'Fulfilling prerequisites',
              ),
              cond(
                'Reconciling',
                'True',
                'Progressing',
                'Fulfilling prerequisites',
              ),
            ],
          },
    },
  );
}

export function esoCrd(plural: string, kind: string, version = 'v2.9.0') {
  return slimObject(
    esoCrdObject(plural, kind, {
      'app.kubernetes.io/name': 'external-secrets',
      'app.kubernetes.io/version': version,
      'kustomize.toolkit.fluxcd.io/name': 'external-secrets-crds',
      'kustomize.toolkit.fluxcd.io/namespace': FLUX_NS,
    }),
  );
}

export function operatorDeployment(name: string, ready = 1) {
  return slimObject(
    deployment(name, 1, ready, {
      conditions: [
        cond('Available', ready ? 'True' : 'False', 'MinimumReplicasAvailable'),
      ],
    }),
  );
}

export function clusterSecretStore(name: string, valid = true) {
  return k8s('external-secrets.io/v1', 'ClusterSecretStore', name, undefined, {
    spec: {
      provider: { aws: { service: 'SecretsManager', region: 'eu-north-1' } },
    },
    status: {
      conditions: [
        valid
          ? cond('Ready', 'True', 'Valid', 'store validated')
          : cond(
              'Ready',
              'False',
              'InvalidProviderConfig',
              'unable to create client',
            ),
      ],
    },
  });
}

export function externalSecret(
  name: string,
  namespace: string,
  opts: {
    synced?: boolean;
    refreshedMinutesAgo?: number;
    kubernetesId?: string;
  } = {},
) {
  const synced = opts.synced ?? true;
  return k8s('external-secrets.io/v1', 'ExternalSecret', name, namespace, {
    labels: opts.kubernetesId
      ? { 'backstage.io/kubernetes-id': opts.kubernetesId }
      : undefined,
    spec: {
      refreshInterval: '1h',
      secretStoreRef: {
        kind: 'ClusterSecretStore',
        name: 'aws-secrets-manager',
      },
      target: { name },
    },
    status: synced
      ? {
          refreshTime: minutesAgo(opts.refreshedMinutesAgo ?? 10),
          conditions: [cond('Ready', 'True', 'SecretSynced', 'secret synced')],
        }
      : {
          conditions: [
            cond(
              'Ready',
              'False',
              'SecretSyncedError',
              'could not get secret data from provider',
            ),
          ],
        },
  });
}

export function leafCluster(name: string, bootstrapped = true) {
  return [
    k8s('gitops.weave.works/v1alpha1', 'GitopsCluster', name, 'default', {
      annotations: bootstrapped
        ? { 'capi.weave.works/bootstrapped': 'true' }
        : undefined,
      spec: { capiClusterRef: { name } },
      status: {
        conditions: [cond('Ready', 'True', 'ControlPlaneReadyStatus')],
      },
    }),
    k8s('cluster.x-k8s.io/v1beta2', 'Cluster', name, 'default', {
      status: {
        phase: 'Provisioned',
        initialization: {
          infrastructureProvisioned: true,
          controlPlaneInitialized: true,
        },
        conditions: [cond('Available', 'True')],
      },
    }),
  ];
}

const SERVED_FLUX = {
  'kustomizations.kustomize.toolkit.fluxcd.io': 'v1',
  'helmreleases.helm.toolkit.fluxcd.io': 'v2',
  'gitrepositories.source.toolkit.fluxcd.io': 'v1',
  'helmrepositories.source.toolkit.fluxcd.io': 'v1',
  'ocirepositories.source.toolkit.fluxcd.io': 'v1',
  'deployments.apps': 'v1',
  'customresourcedefinitions.apiextensions.k8s.io': 'v1',
};
const SERVED_ESO = {
  'externalsecrets.external-secrets.io': 'v1',
  'secretstores.external-secrets.io': 'v1',
  'clustersecretstores.external-secrets.io': 'v1',
  'clusterexternalsecrets.external-secrets.io': 'v1',
};
const SERVED_CAPI = {
  'gitopsclusters.gitops.weave.works': 'v1alpha1',
  'clusters.cluster.x-k8s.io': 'v1beta2',
};

/** The ESO chain as the bootstrap template lays it out: CRDs → operator → CRs. */
export function healthyChain(): SlimObject[] {
  return [
    gitRepository('flux-system', 'v1.0.0'),
    gitRepository('external-secrets', 'v2.9.0'),
    helmRepository('external-secrets'),
    kustomization('external-secrets-crds', { sourceRef: 'external-secrets' }),
    kustomization('external-secrets-operator', {
      dependsOn: ['external-secrets-crds'],
    }),
    kustomization('external-secrets-crs', {
      dependsOn: ['external-secrets-operator'],
    }),
    esoHelmRelease(),
    // Every core CRD an ESO install has: a missing one is ESO_CRD_MISSING.
    esoCrd('externalsecrets', 'ExternalSecret'),
    esoCrd('secretstores', 'SecretStore'),
    esoCrd('clustersecretstores', 'ClusterSecretStore'),
    esoCrd('clusterexternalsecrets', 'ClusterExternalSecret'),
    operatorDeployment('external-secrets'),
    operatorDeployment('external-secrets-webhook'),
    operatorDeployment('external-secrets-cert-controller'),
    clusterSecretStore('aws-secrets-manager'),
  ];
}

/** A healthy management cluster with synced secrets and two bootstrapped leaves. */
export function managementCluster(name = 'management'): ClusterStatus {
  return summarizeCluster({
    cluster: name,
    objects: [
      ...healthyChain(),
      externalSecret('db-credentials', 'payments', {
        kubernetesId: 'payments-api',
      }),
      externalSecret('api-key', 'payments', { kubernetesId: 'payments-api' }),
      ...leafCluster('leaf-dev'),
      ...leafCluster('leaf-prod'),
    ],
    servedVersions: { ...SERVED_FLUX, ...SERVED_ESO, ...SERVED_CAPI },
    now: NOW,
  });
}

/** The seed guide's layout: secrets applied in the same run as the chart, before the CRDs exist. */
export function crdRaceCluster(name = 'crd-race'): ClusterStatus {
  return summarizeCluster({
    cluster: name,
    objects: [
      gitRepository('flux-system', 'v1.0.0'),
      helmRepository('external-secrets'),
      esoHelmRelease({ ready: false }),
      kustomization('cluster-secrets', {
        ready: false,
        message:
          'ExternalSecret/orders/db-credentials dry-run failed: no matches for kind "ExternalSecret" in version "external-secrets.io/v1"',
      }),
    ],
    servedVersions: {
      ...SERVED_FLUX,
      ...Object.fromEntries(Object.keys(SERVED_ESO).map(k => [k, null])),
    },
    now: NOW,
  });
}

/** Flux only: ESO was never installed. */
export function noEsoCluster(name = 'no-eso'): ClusterStatus {
  return summarizeCluster({
    cluster: name,
    objects: [gitRepository('flux-system', 'v1.0.0'), kustomization('apps')],
    servedVersions: {
      ...SERVED_FLUX,
      ...Object.fromEntries(Object.keys(SERVED_ESO).map(k => [k, null])),
    },
    now: NOW,
  });
}

/** A healthy ESO install with one failing ExternalSecret (invalid store). */
export function failingSecretCluster(name = 'invalid-store'): ClusterStatus {
  return summarizeCluster({
    cluster: name,
    objects: [
      ...healthyChain().filter(o => o.kind !== 'ClusterSecretStore'),
      clusterSecretStore('aws-secrets-manager', false),
      externalSecret('portal-db', 'team-a', { synced: false }),
      externalSecret('smtp-credentials', 'reports', {
        refreshedMinutesAgo: 300,
      }),
    ],
    servedVersions: { ...SERVED_FLUX, ...SERVED_ESO },
    now: NOW,
  });
}

/**
 * Two failure families the corpus covers, as the demo cluster leaf-staging holds them: a HelmRelease whose
 * chart repository cannot be fetched (the release, and the Kustomizations waiting on it, are blocked by it),
 * and an ExternalSecret AWS refuses, which only its Event explains.
 */
export function stagingCluster(name = 'leaf-staging'): ClusterStatus {
  const tls =
    'failed to fetch Helm repository index: failed to cache index to temporary file: Get "https://charts.staging.acme.internal/podinfo/index.yaml": tls: failed to verify certificate: x509: certificate signed by unknown authority';
  const failing = (reason: string, message: string) => [
    cond('Ready', 'False', reason, message),
    cond('Reconciling', 'True', 'ProgressingWithRetry', message),
  ];
  return summarizeCluster({
    cluster: name,
    objects: [
      ...healthyChain(),
      k8s('source.toolkit.fluxcd.io/v1', 'HelmRepository', 'podinfo', FLUX_NS, {
        spec: { url: 'https://charts.staging.acme.internal/podinfo' },
        status: { conditions: failing('FetchFailed', tls) },
      }),
      k8s('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'podinfo', FLUX_NS, {
        spec: {
          chart: {
            spec: {
              chart: 'podinfo',
              sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
            },
          },
        },
        status: {
          conditions: [
            cond(
              'Ready',
              'False',
              'ArtifactFailed',
              "HelmChart 'flux-system/flux-system-podinfo' is not ready",
            ),
          ],
        },
      }),
      k8s(
        'kustomize.toolkit.fluxcd.io/v1',
        'Kustomization',
        'podinfo',
        FLUX_NS,
        {
          spec: {
            interval: '10m',
            path: './podinfo',
            sourceRef: { kind: 'GitRepository', name: 'flux-system' },
          },
          status: {
            conditions: failing(
              'HealthCheckFailed',
              "timeout waiting for: [HelmRelease/flux-system/podinfo status: 'Failed']",
            ),
          },
        },
      ),
      externalSecret('db-credentials', 'storefront', { synced: false }),
    ],
    servedVersions: { ...SERVED_FLUX, ...SERVED_ESO },
    events: [
      {
        involvedObject: {
          kind: 'ExternalSecret',
          name: 'db-credentials',
          namespace: 'storefront',
        },
        type: 'Warning',
        reason: 'UpdateFailed',
        message:
          'AccessDeniedException: User: arn:aws:iam::111122223333:user/eso-staging is not authorized to perform: secretsmanager:GetSecretValue on resource: staging/storefront/db-credentials because no identity-based policy allows the secretsmanager:GetSecretValue action',
        count: 40,
        lastTimestamp: minutesAgo(2),
      },
    ],
    now: NOW,
  });
}

/** A cluster the backend could not read. */
export function erroredCluster(
  name = 'blackholed',
  type: ClusterErrorType = 'TIMEOUT',
  message = `Cluster ${name} did not answer within 5s.`,
): ClusterStatus {
  return summarizeCluster({
    cluster: name,
    objects: [],
    servedVersions: {},
    error: { type, message },
    now: NOW,
  });
}

export function entityStatus(
  entityRef: string,
  clusters: ClusterStatus[],
): EntityStatusResponse {
  return { entityRef, clusters, health: summarizeEntity(clusters) };
}

export const clusterResource: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'management',
    namespace: 'default',
    annotations: {
      'gitops-secrets.io/cluster-name': 'management',
      'gitops-secrets.io/cluster-path': 'clusters/management',
    },
  },
  spec: { type: 'kubernetes-cluster', owner: 'group:default/platform-team' },
};

export function clusterResourceFor(
  name: string,
  path = `clusters/${name}`,
): Entity {
  return {
    ...clusterResource,
    metadata: {
      ...clusterResource.metadata,
      name,
      annotations: {
        'gitops-secrets.io/cluster-name': name,
        'gitops-secrets.io/cluster-path': path,
      },
    },
  };
}

export const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'payments-api',
      'gitops-secrets.io/namespaces': 'payments',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team-payments',
    dependsOn: ['resource:default/management'],
  },
  relations: [{ type: 'dependsOn', targetRef: 'resource:default/management' }],
};

export const plainComponent: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'website', namespace: 'default' },
  spec: {
    type: 'website',
    lifecycle: 'production',
    owner: 'group:default/web',
  },
};
