/*
 * Typed builders for the objects of one Cluster API leaf cluster on CAPD with kubeadm:
 * GitopsCluster, Cluster, DevCluster/DockerCluster, the machine templates, KubeadmControlPlane,
 * KubeadmConfigTemplate and MachineDeployment. Values may be placeholders (`${N}`) when the
 * builders produce a template, hence `IntValue`.
 */

/** Cluster API contract version of the core, bootstrap, control-plane and infrastructure objects. */
export type CapiVersion = 'v1beta2' | 'v1beta1';
/** CAPD kinds: `Dev*` (current) or `Docker*` (deprecated since CAPI v1.13). */
export type InfraFlavour = 'dev' | 'docker';
/** A number, or a placeholder string that renders to one. */
export type IntValue = number | string;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Any Kubernetes object the builders return. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export const GROUPS = {
  core: 'cluster.x-k8s.io',
  controlPlane: 'controlplane.cluster.x-k8s.io',
  bootstrap: 'bootstrap.cluster.x-k8s.io',
  infrastructure: 'infrastructure.cluster.x-k8s.io',
  gitops: 'gitops.weave.works',
} as const;

export const GITOPS_CLUSTER_API_VERSION = `${GROUPS.gitops}/v1alpha1`;

/** Label WGE's ClusterBootstrapConfig selects GitopsClusters by. */
export const FLUX_BOOTSTRAP_LABEL = {
  key: 'weave.works/flux',
  value: 'bootstrap',
};
/** Label the credentials ClusterResourceSet selects Clusters by. */
export const SECRET_MANAGER_LABEL = { key: 'secretmanager', value: 'aws' };
/** Label naming the CNI a ClusterResourceSet installs. */
export const CNI_LABEL_KEY = 'cni';
/** Cluster API's own label on a cluster's machines. */
export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

const EVICTION_HARD =
  'nodefs.available<0%,nodefs.inodesFree<0%,imagefs.available<0%';

export function infraKinds(flavour: InfraFlavour) {
  return flavour === 'dev'
    ? { cluster: 'DevCluster', machineTemplate: 'DevMachineTemplate' }
    : { cluster: 'DockerCluster', machineTemplate: 'DockerMachineTemplate' };
}

/** A reference in the version's style: `{apiGroup, kind, name}` in v1beta2, `{apiVersion, …}` in v1beta1. */
export function ref(
  version: CapiVersion,
  group: string,
  kind: string,
  name: string,
) {
  return version === 'v1beta2'
    ? { apiGroup: group, kind, name }
    : { apiVersion: `${group}/${version}`, kind, name };
}

// v1beta2 turned string maps of kubeadm arguments into lists of {name, value}.
function args(version: CapiVersion, values: Record<string, string>) {
  return version === 'v1beta2'
    ? Object.entries(values).map(([name, value]) => ({ name, value }))
    : { ...values };
}

export interface LeafClusterSpec {
  name: string;
  namespace: string;
  kubernetesVersion: string;
  controlPlaneReplicas: IntValue;
  workerReplicas: IntValue;
  capiVersion?: CapiVersion;
  infrastructure?: InfraFlavour;
  /** Labels of the CAPI Cluster (the credentials CRS and a CNI CRS select by them). */
  clusterLabels?: Record<string, string>;
  /** Labels of the GitopsCluster (the ClusterBootstrapConfig selects by them). */
  gitopsClusterLabels?: Record<string, string>;
  podCidrBlocks?: string[];
  serviceCidrBlocks?: string[];
  serviceDomain?: string;
}

type Required2 = Required<LeafClusterSpec>;

function withDefaults(spec: LeafClusterSpec): Required2 {
  return {
    capiVersion: 'v1beta2',
    infrastructure: 'dev',
    clusterLabels: {
      [SECRET_MANAGER_LABEL.key]: SECRET_MANAGER_LABEL.value,
      [CNI_LABEL_KEY]: 'calico',
    },
    gitopsClusterLabels: {
      [FLUX_BOOTSTRAP_LABEL.key]: FLUX_BOOTSTRAP_LABEL.value,
    },
    podCidrBlocks: ['192.168.0.0/16'],
    serviceCidrBlocks: ['10.128.0.0/12'],
    serviceDomain: 'cluster.local',
    ...spec,
  } as Required2;
}

/** A namespaced object's metadata; no empty `labels` map (every leaf-cluster builder uses it). */
export const objectMeta = (
  namespace: string,
  name: string,
  labels?: Record<string, string>,
): ObjectMeta => ({
  name,
  namespace,
  ...(labels && Object.keys(labels).length ? { labels } : {}),
});

const meta = (s: Required2, name: string, labels?: Record<string, string>) =>
  objectMeta(s.namespace, name, labels);

export function buildGitopsCluster(spec: LeafClusterSpec): KubeObject {
  const s = withDefaults(spec);
  return {
    apiVersion: GITOPS_CLUSTER_API_VERSION,
    kind: 'GitopsCluster',
    metadata: meta(s, s.name, s.gitopsClusterLabels),
    spec: { capiClusterRef: { name: s.name } },
  };
}

export function buildCluster(spec: LeafClusterSpec): KubeObject {
  const s = withDefaults(spec);
  const v = s.capiVersion;
  return {
    apiVersion: `${GROUPS.core}/${v}`,
    kind: 'Cluster',
    metadata: meta(s, s.name, s.clusterLabels),
    spec: {
      clusterNetwork: {
        pods: { cidrBlocks: s.podCidrBlocks },
        services: { cidrBlocks: s.serviceCidrBlocks },
        serviceDomain: s.serviceDomain,
      },
      controlPlaneRef: ref(
        v,
        GROUPS.controlPlane,
        'KubeadmControlPlane',
        `${s.name}-control-plane`,
      ),
      infrastructureRef: ref(
        v,
        GROUPS.infrastructure,
        infraKinds(s.infrastructure).cluster,
        s.name,
      ),
    },
  };
}

export function buildInfraCluster(spec: LeafClusterSpec): KubeObject {
  const s = withDefaults(spec);
  const kinds = infraKinds(s.infrastructure);
  return {
    apiVersion: `${GROUPS.infrastructure}/${s.capiVersion}`,
    kind: kinds.cluster,
    metadata: meta(s, s.name),
    // DevCluster chooses its backend; DockerCluster needs nothing for a local cluster.
    spec: s.infrastructure === 'dev' ? { backend: { docker: {} } } : {},
  };
}

/** Control-plane machines mount the Docker socket, as CAPD's own development template does. */
export function buildMachineTemplate(
  spec: LeafClusterSpec,
  role: 'control-plane' | 'md-0',
): KubeObject {
  const s = withDefaults(spec);
  const kinds = infraKinds(s.infrastructure);
  const docker =
    role === 'control-plane'
      ? {
          extraMounts: [
            {
              containerPath: '/var/run/docker.sock',
              hostPath: '/var/run/docker.sock',
            },
          ],
        }
      : {};
  return {
    apiVersion: `${GROUPS.infrastructure}/${s.capiVersion}`,
    kind: kinds.machineTemplate,
    metadata: meta(s, `${s.name}-${role}`),
    spec: {
      template: {
        spec: s.infrastructure === 'dev' ? { backend: { docker } } : docker,
      },
    },
  };
}

export function buildKubeadmControlPlane(spec: LeafClusterSpec): KubeObject {
  const s = withDefaults(spec);
  const v = s.capiVersion;
  // A fresh object per use: shared references would be written as YAML anchors and aliases.
  const nodeRegistration = () => ({
    kubeletExtraArgs: args(v, { 'eviction-hard': EVICTION_HARD }),
  });
  const infraRef = ref(
    v,
    GROUPS.infrastructure,
    infraKinds(s.infrastructure).machineTemplate,
    `${s.name}-control-plane`,
  );
  return {
    apiVersion: `${GROUPS.controlPlane}/${v}`,
    kind: 'KubeadmControlPlane',
    metadata: meta(s, `${s.name}-control-plane`),
    spec: {
      replicas: s.controlPlaneReplicas,
      version: s.kubernetesVersion,
      machineTemplate:
        v === 'v1beta2'
          ? { spec: { infrastructureRef: infraRef } }
          : { infrastructureRef: infraRef },
      kubeadmConfigSpec: {
        clusterConfiguration: {
          apiServer: {
            certSANs: [
              'localhost',
              '127.0.0.1',
              '0.0.0.0',
              'host.docker.internal',
            ],
          },
        },
        initConfiguration: { nodeRegistration: nodeRegistration() },
        joinConfiguration: { nodeRegistration: nodeRegistration() },
      },
    },
  };
}

export function buildKubeadmConfigTemplate(spec: LeafClusterSpec): KubeObject {
  const s = withDefaults(spec);
  return {
    apiVersion: `${GROUPS.bootstrap}/${s.capiVersion}`,
    kind: 'KubeadmConfigTemplate',
    metadata: meta(s, `${s.name}-md-0`),
    spec: {
      template: {
        spec: {
          joinConfiguration: {
            nodeRegistration: {
              kubeletExtraArgs: args(s.capiVersion, {
                'eviction-hard': EVICTION_HARD,
              }),
            },
          },
        },
      },
    },
  };
}

/** The selector names the cluster explicitly (the seed's `matchLabels: null` relied on webhook defaulting). */
export function buildMachineDeployment(spec: LeafClusterSpec): KubeObject {
  const s = withDefaults(spec);
  const v = s.capiVersion;
  const selectorLabels = () => ({ [CLUSTER_NAME_LABEL]: s.name });
  return {
    apiVersion: `${GROUPS.core}/${v}`,
    kind: 'MachineDeployment',
    metadata: meta(s, `${s.name}-md-0`),
    spec: {
      clusterName: s.name,
      replicas: s.workerReplicas,
      selector: { matchLabels: selectorLabels() },
      template: {
        metadata: { labels: selectorLabels() },
        spec: {
          clusterName: s.name,
          version: s.kubernetesVersion,
          bootstrap: {
            configRef: ref(
              v,
              GROUPS.bootstrap,
              'KubeadmConfigTemplate',
              `${s.name}-md-0`,
            ),
          },
          infrastructureRef: ref(
            v,
            GROUPS.infrastructure,
            infraKinds(s.infrastructure).machineTemplate,
            `${s.name}-md-0`,
          ),
        },
      },
    },
  };
}

/** Every object of one leaf cluster, in apply order (references before referrers is not required by CAPI). */
export function buildLeafCluster(spec: LeafClusterSpec): KubeObject[] {
  return [
    buildGitopsCluster(spec),
    buildCluster(spec),
    buildInfraCluster(spec),
    buildMachineTemplate(spec, 'control-plane'),
    buildKubeadmControlPlane(spec),
    buildMachineTemplate(spec, 'md-0'),
    buildKubeadmConfigTemplate(spec),
    buildMachineDeployment(spec),
  ];
}
