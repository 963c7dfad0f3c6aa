import {
  CapiVersion,
  CNI_LABEL_KEY,
  FLUX_BOOTSTRAP_LABEL,
  GROUPS,
  IntValue,
  KubeObject,
  objectMeta,
  SECRET_MANAGER_LABEL,
  buildGitopsCluster,
  ref,
} from './capi';

/*
 * Typed builders for one EKS leaf cluster through Cluster API Provider AWS (CAPA): a Cluster whose
 * control plane is an AWSManagedControlPlane (EKS runs it) and whose workers are one MachinePool
 * backed by an AWSManagedMachinePool (an EKS managed node group). The kinds and fields are those
 * CAPA v2.11 serves (its own API version v1beta2); the core objects use Cluster API's version.
 *
 * Credentials stay out of Git on both sides: CAPA reconciles with its controller's own identity
 * (no identityRef: clusterawsadm / IRSA on the management cluster), and the leaf's ESO gets its
 * credentials from the management cluster's ClusterResourceSet (the `secretmanager` label), or
 * from IRSA: the control plane associates the cluster's OIDC provider with IAM so a role can be
 * bound to ESO's ServiceAccount instead.
 */

/** CAPA's API version of the EKS kinds (not Cluster API's contract version). */
export const CAPA_API_VERSION = 'v1beta2';

/**
 * EKS versions offered by default: EKS takes `v<major>.<minor>` and picks the patch itself. Pass
 * `kubernetesVersions` to match what EKS offers in your regions.
 */
export const DEFAULT_EKS_KUBERNETES_VERSIONS = ['v1.35', 'v1.34', 'v1.33'];
/** A general-purpose default node type; `instanceType` sets another. */
export const DEFAULT_EKS_INSTANCE_TYPE = 't3.large';

export interface EksLeafClusterSpec {
  name: string;
  namespace: string;
  /** `v1.35`: EKS's form. */
  kubernetesVersion: string;
  region: string;
  instanceType: string;
  workerReplicas: IntValue;
  capiVersion?: CapiVersion;
  /** Labels of the CAPI Cluster (the credentials CRS selects by them). */
  clusterLabels?: Record<string, string>;
  /** Labels of the GitopsCluster (the ClusterBootstrapConfig selects by them). */
  gitopsClusterLabels?: Record<string, string>;
  podCidrBlocks?: string[];
}

const names = (name: string) => ({
  controlPlane: `${name}-control-plane`,
  pool: `${name}-pool-0`,
});

const meta = (
  s: EksLeafClusterSpec,
  name: string,
  labels?: Record<string, string>,
) => objectMeta(s.namespace, name, labels);

export function buildEksCluster(s: EksLeafClusterSpec): KubeObject {
  const v = s.capiVersion ?? 'v1beta2';
  return {
    apiVersion: `${GROUPS.core}/${v}`,
    kind: 'Cluster',
    metadata: meta(s, s.name, s.clusterLabels),
    spec: {
      // The VPC CNI gives pods VPC addresses; this block is what Cluster API and add-ons read.
      clusterNetwork: {
        pods: { cidrBlocks: s.podCidrBlocks ?? ['192.168.0.0/16'] },
      },
      controlPlaneRef: capaRef(
        v,
        GROUPS.controlPlane,
        'AWSManagedControlPlane',
        names(s.name).controlPlane,
      ),
      infrastructureRef: capaRef(
        v,
        GROUPS.infrastructure,
        'AWSManagedCluster',
        s.name,
      ),
    },
  };
}

// A v1beta1 reference names CAPA's API version, not Cluster API's.
function capaRef(v: CapiVersion, group: string, kind: string, name: string) {
  return v === 'v1beta2'
    ? ref(v, group, kind, name)
    : { apiVersion: `${group}/${CAPA_API_VERSION}`, kind, name };
}

/** The infrastructure cluster: EKS owns the network endpoint, so it carries no settings. */
export function buildAwsManagedCluster(s: EksLeafClusterSpec): KubeObject {
  return {
    apiVersion: `${GROUPS.infrastructure}/${CAPA_API_VERSION}`,
    kind: 'AWSManagedCluster',
    metadata: meta(s, s.name),
    spec: {},
  };
}

export function buildAwsManagedControlPlane(s: EksLeafClusterSpec): KubeObject {
  return {
    apiVersion: `${GROUPS.controlPlane}/${CAPA_API_VERSION}`,
    kind: 'AWSManagedControlPlane',
    metadata: meta(s, names(s.name).controlPlane),
    spec: {
      region: s.region,
      version: s.kubernetesVersion,
      // IRSA: lets the leaf's workloads (ESO) assume IAM roles instead of holding keys.
      associateOIDCProvider: true,
    },
  };
}

/** Workers: one MachinePool; an EKS managed node group writes its own bootstrap data. */
export function buildEksMachinePool(s: EksLeafClusterSpec): KubeObject {
  const v = s.capiVersion ?? 'v1beta2';
  return {
    apiVersion: `${GROUPS.core}/${v}`,
    kind: 'MachinePool',
    metadata: meta(s, names(s.name).pool),
    spec: {
      clusterName: s.name,
      replicas: s.workerReplicas,
      template: {
        spec: {
          clusterName: s.name,
          // Required by the schema; empty because EKS, not a bootstrap provider, joins the nodes.
          bootstrap: { dataSecretName: '' },
          infrastructureRef: capaRef(
            v,
            GROUPS.infrastructure,
            'AWSManagedMachinePool',
            names(s.name).pool,
          ),
        },
      },
    },
  };
}

export function buildAwsManagedMachinePool(s: EksLeafClusterSpec): KubeObject {
  return {
    apiVersion: `${GROUPS.infrastructure}/${CAPA_API_VERSION}`,
    kind: 'AWSManagedMachinePool',
    metadata: meta(s, names(s.name).pool),
    spec: { instanceType: s.instanceType },
  };
}

/** Every object of one EKS leaf cluster, GitopsCluster first as for CAPD. */
export function buildEksLeafCluster(spec: EksLeafClusterSpec): KubeObject[] {
  const s: EksLeafClusterSpec = {
    clusterLabels: {
      [SECRET_MANAGER_LABEL.key]: SECRET_MANAGER_LABEL.value,
      [CNI_LABEL_KEY]: 'vpc-cni',
    },
    gitopsClusterLabels: {
      [FLUX_BOOTSTRAP_LABEL.key]: FLUX_BOOTSTRAP_LABEL.value,
    },
    ...spec,
  };
  return [
    buildGitopsCluster({
      name: s.name,
      namespace: s.namespace,
      kubernetesVersion: s.kubernetesVersion,
      controlPlaneReplicas: 0,
      workerReplicas: s.workerReplicas,
      gitopsClusterLabels: s.gitopsClusterLabels,
    }),
    buildEksCluster(s),
    buildAwsManagedCluster(s),
    buildAwsManagedControlPlane(s),
    buildEksMachinePool(s),
    buildAwsManagedMachinePool(s),
  ];
}
