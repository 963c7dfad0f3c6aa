/**
 * Tiny builders for literal slim objects in tests, exported as
 * `@golden-gitops/plugin-gitops-secrets-common/testing` for the backend's and
 * the card's tests too: each test states the few fields that matter to it.
 */

import type { Condition, ConditionStatus } from '../conditions';
import type { SlimObject, SlimSpec, SlimStatus } from '../slim';

export function cond(
  type: string,
  status: ConditionStatus,
  reason?: string,
  message?: string,
): Condition {
  const c: Condition = { type, status };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

interface Opts {
  namespace?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec?: SlimSpec;
  status?: SlimStatus;
  conditions?: Condition[];
}

export function obj(
  apiVersion: string,
  kind: string,
  name: string,
  o: Opts = {},
): SlimObject {
  const out: SlimObject = { apiVersion, kind, metadata: { name } };
  if (o.namespace) out.metadata.namespace = o.namespace;
  if (o.generation !== undefined) out.metadata.generation = o.generation;
  if (o.labels) out.metadata.labels = o.labels;
  if (o.annotations) out.metadata.annotations = o.annotations;
  if (o.spec) out.spec = o.spec;
  if (o.status || o.conditions) {
    out.status = { ...(o.status ?? {}) };
    if (o.conditions) out.status.conditions = o.conditions;
  }
  return out;
}

const ready = (): Condition[] => [
  cond('Ready', 'True', 'ReconciliationSucceeded'),
];

/** A Flux Kustomization in flux-system, Ready unless conditions are given. */
export function kustomization(name: string, o: Opts = {}): SlimObject {
  return obj('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', name, {
    namespace: 'flux-system',
    generation: 1,
    ...o,
    status: { observedGeneration: 1, ...(o.status ?? {}) },
    conditions: o.conditions ?? ready(),
  });
}

export function helmRelease(name: string, o: Opts = {}): SlimObject {
  return obj('helm.toolkit.fluxcd.io/v2', 'HelmRelease', name, {
    namespace: 'flux-system',
    generation: 1,
    ...o,
    status: { observedGeneration: 1, ...(o.status ?? {}) },
    conditions: o.conditions ?? ready(),
  });
}

export function gitRepository(
  name: string,
  ref: NonNullable<SlimSpec['ref']>,
  o: Opts = {},
): SlimObject {
  return obj('source.toolkit.fluxcd.io/v1', 'GitRepository', name, {
    namespace: 'flux-system',
    generation: 1,
    ...o,
    spec: { url: `https://github.com/example/${name}`, ref, ...(o.spec ?? {}) },
    status: { observedGeneration: 1, ...(o.status ?? {}) },
    conditions: o.conditions ?? [cond('Ready', 'True', 'Succeeded')],
  });
}

export function externalSecret(
  name: string,
  namespace: string,
  o: Opts & { store?: string; storeKind?: string } = {},
): SlimObject {
  return obj('external-secrets.io/v1', 'ExternalSecret', name, {
    namespace,
    generation: 1,
    ...o,
    spec: {
      refreshInterval: '1h',
      secretStoreRef: {
        kind: o.storeKind ?? 'SecretStore',
        name: o.store ?? 'aws',
      },
      ...(o.spec ?? {}),
    },
    conditions: o.conditions ?? [cond('Ready', 'True', 'SecretSynced')],
  });
}

export function secretStore(
  name: string,
  namespace: string | undefined,
  o: Opts = {},
): SlimObject {
  return obj(
    'external-secrets.io/v1',
    namespace ? 'SecretStore' : 'ClusterSecretStore',
    name,
    {
      namespace,
      ...o,
      spec: { provider: 'aws', ...(o.spec ?? {}) },
      conditions: o.conditions ?? [cond('Ready', 'True', 'Valid')],
    },
  );
}

export function esoCrd(
  plural: string,
  kind: string,
  labels?: Record<string, string>,
): SlimObject {
  return obj(
    'apiextensions.k8s.io/v1',
    'CustomResourceDefinition',
    `${plural}.external-secrets.io`,
    {
      labels,
      spec: {
        group: 'external-secrets.io',
        names: { kind, plural },
        versions: [
          { name: 'v1', served: true, storage: true },
          { name: 'v1beta1', served: false, storage: false, deprecated: true },
        ],
      },
      conditions: [cond('Established', 'True'), cond('NamesAccepted', 'True')],
    },
  );
}

export function deployment(
  name: string,
  replicas: number,
  readyReplicas: number,
  o: Opts = {},
): SlimObject {
  return obj('apps/v1', 'Deployment', name, {
    namespace: 'external-secrets',
    generation: 1,
    labels: { 'app.kubernetes.io/name': name },
    ...o,
    spec: { replicas },
    status: {
      observedGeneration: 1,
      replicas,
      readyReplicas,
      availableReplicas: readyReplicas,
      updatedReplicas: replicas,
      ...(o.status ?? {}),
    },
  });
}

/** ESO installed and healthy: CRDs, operator, a store. */
export function healthyEso(): SlimObject[] {
  return [
    esoCrd('externalsecrets', 'ExternalSecret'),
    esoCrd('secretstores', 'SecretStore'),
    esoCrd('clustersecretstores', 'ClusterSecretStore'),
    esoCrd('clusterexternalsecrets', 'ClusterExternalSecret'),
    deployment('external-secrets', 1, 1),
    deployment('external-secrets-webhook', 1, 1),
  ];
}

export function capiCluster(
  name: string,
  namespace: string,
  o: Opts & { phase?: string; available?: ConditionStatus } = {},
): SlimObject {
  return obj('cluster.x-k8s.io/v1beta2', 'Cluster', name, {
    namespace,
    generation: 1,
    ...o,
    status: {
      observedGeneration: 1,
      phase: o.phase ?? 'Provisioned',
      initialization: {
        infrastructureProvisioned: (o.phase ?? 'Provisioned') === 'Provisioned',
        controlPlaneInitialized: (o.phase ?? 'Provisioned') === 'Provisioned',
      },
      ...(o.status ?? {}),
    },
    conditions: o.conditions ?? [cond('Available', o.available ?? 'True')],
  });
}

export function gitopsCluster(
  name: string,
  namespace: string,
  o: Opts = {},
): SlimObject {
  return obj('gitops.weave.works/v1alpha1', 'GitopsCluster', name, {
    namespace,
    ...o,
    spec: { capiClusterRef: { name }, ...(o.spec ?? {}) },
    conditions: o.conditions ?? [
      cond('Ready', 'True', 'ControlPlaneReadyStatus'),
    ],
  });
}

export const SERVED_ALL: Record<string, string | null> = {
  'kustomizations.kustomize.toolkit.fluxcd.io': 'v1',
  'helmreleases.helm.toolkit.fluxcd.io': 'v2',
  'gitrepositories.source.toolkit.fluxcd.io': 'v1',
  'externalsecrets.external-secrets.io': 'v1',
  'secretstores.external-secrets.io': 'v1',
  'clustersecretstores.external-secrets.io': 'v1',
  'customresourcedefinitions.apiextensions.k8s.io': 'v1',
  'deployments.apps': 'v1',
};
