// Synthetic picker data for the field tests (shapes of the backend's picker routes, names made up).
import type { PickerCluster, PickerStore, PickerTemplate } from '../../api';

export function pickerCluster(
  name: string,
  over: Partial<PickerCluster> = {},
): PickerCluster {
  return {
    name,
    entityRef: `resource:default/${name}`,
    clusterPath: `clusters/${name}`,
    reachable: true,
    health: 'Healthy',
    flux: { objects: 12 },
    eso: { installed: true, ready: true, stores: 2 },
    ...over,
  };
}

export const clusters: PickerCluster[] = [
  pickerCluster('management'),
  pickerCluster('staging', {
    health: 'Degraded',
    eso: { installed: false, ready: false, stores: 0 },
  }),
  pickerCluster('orphan', { entityRef: undefined, clusterPath: undefined }),
];

export const stores: Record<string, PickerStore[]> = {
  management: [
    {
      kind: 'ClusterSecretStore',
      name: 'aws-secrets-manager',
      provider: 'aws',
      health: 'Healthy',
      ready: true,
    },
    {
      kind: 'ClusterSecretStore',
      name: 'vault',
      provider: 'vault',
      health: 'Degraded',
      ready: false,
      reason: 'InvalidProviderConfig',
      message: 'unable to log in to Vault',
    },
    {
      kind: 'SecretStore',
      name: 'team-store',
      namespace: 'payments',
      provider: 'gcpsm',
      health: 'Healthy',
      ready: true,
    },
  ],
  staging: [],
};

export const templates: PickerTemplate[] = [
  {
    kind: 'CAPITemplate',
    name: 'leaf-cluster',
    description: 'A CAPD leaf cluster',
    source: 'cluster',
    params: [
      {
        name: 'CLUSTER_NAME',
        required: true,
        description: 'Name of the cluster',
      },
      { name: 'NAMESPACE', required: false, default: 'default' },
      {
        name: 'CONTROL_PLANE_MACHINE_COUNT',
        required: true,
        options: ['1', '3', '5'],
        default: '1',
      },
    ],
  },
  {
    kind: 'GitOpsTemplate',
    name: 'eks',
    source: 'repository',
    path: 'clusters/management/capi/templates/eks.yaml',
    params: [{ name: 'CLUSTER_NAME', required: true }],
  },
];
