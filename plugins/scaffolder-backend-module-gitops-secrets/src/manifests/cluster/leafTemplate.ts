import type { TemplateParam, WgeTemplate } from '../../render/template';
import {
  CapiVersion,
  CNI_LABEL_KEY,
  FLUX_BOOTSTRAP_LABEL,
  InfraFlavour,
  SECRET_MANAGER_LABEL,
  buildLeafCluster,
} from './capi';
import {
  DEFAULT_EKS_INSTANCE_TYPE,
  DEFAULT_EKS_KUBERNETES_VERSIONS,
  buildEksLeafCluster,
} from './eks';

/*
 * The leaf-cluster template the `gitops:cluster:add-template` action writes: a WGE
 * CAPITemplate or GitOpsTemplate (v1alpha2) whose resource templates are the leaf-cluster
 * objects of capi.ts (CAPD) or eks.ts (EKS through CAPA) with `${PARAM}` placeholders.
 */

/** Where the leaf's machines run: CAPD's Dev* or Docker* kinds, or EKS through CAPA. */
export type LeafInfrastructure = InfraFlavour | 'eks';

export type TemplateKindChoice = 'CAPITemplate' | 'GitOpsTemplate';

export const TEMPLATE_API_VERSIONS: Record<TemplateKindChoice, string> = {
  CAPITemplate: 'capi.weave.works/v1alpha2',
  GitOpsTemplate: 'templates.weave.works/v1alpha2',
};

/**
 * Kubernetes versions offered by default (recent minors Cluster API v1.14 supports as workload
 * clusters). CAPD runs the `kindest/node:<version>` image, so pass `kubernetesVersions` to match
 * the images your management cluster can pull.
 */
export const DEFAULT_KUBERNETES_VERSIONS = ['v1.35.0', 'v1.34.0', 'v1.33.1'];
/** Odd counts only: a stacked etcd needs a majority to keep quorum. */
export const CONTROL_PLANE_COUNTS = ['1', '3', '5'];

export interface LeafTemplateOptions {
  name: string;
  namespace: string;
  kind?: TemplateKindChoice;
  description?: string;
  capiVersion?: CapiVersion;
  infrastructure?: LeafInfrastructure;
  kubernetesVersions?: string[];
  defaultControlPlaneCount?: string;
  defaultWorkerCount?: number;
  defaultNamespace?: string;
  cni?: string;
  /** Value of the `secretmanager` label the credentials ClusterResourceSet selects. */
  secretManager?: string;
  /** EKS: default of AWS_REGION (none: the person creating the cluster names one). */
  defaultAwsRegion?: string;
  /** EKS: default of INSTANCE_TYPE. */
  defaultInstanceType?: string;
}

export const PARAM_NAMES = {
  clusterName: 'CLUSTER_NAME',
  namespace: 'NAMESPACE',
  kubernetesVersion: 'KUBERNETES_VERSION',
  controlPlaneCount: 'CONTROL_PLANE_MACHINE_COUNT',
  workerCount: 'WORKER_MACHINE_COUNT',
  awsRegion: 'AWS_REGION',
  instanceType: 'INSTANCE_TYPE',
} as const;

/** The `cni` label value by default: EKS clusters come with the Amazon VPC CNI. */
export const defaultCni = (infrastructure?: LeafInfrastructure) =>
  infrastructure === 'eks' ? 'vpc-cni' : 'calico';

/** The Kubernetes versions a template offers by default for its infrastructure. */
export const defaultKubernetesVersions = (
  infrastructure?: LeafInfrastructure,
) =>
  infrastructure === 'eks'
    ? DEFAULT_EKS_KUBERNETES_VERSIONS
    : DEFAULT_KUBERNETES_VERSIONS;

export function leafTemplateParams(o: LeafTemplateOptions): TemplateParam[] {
  const versions =
    o.kubernetesVersions ?? defaultKubernetesVersions(o.infrastructure);
  if (o.infrastructure === 'eks') return eksTemplateParams(o, versions);
  return [
    {
      name: PARAM_NAMES.clusterName,
      description:
        'Name of the leaf cluster: a DNS-1123 label of at most 63 characters. Names the Cluster, the GitopsCluster and every machine object, and the folder clusters/<namespace>/<name> Flux bootstraps.',
      required: true,
    },
    {
      name: PARAM_NAMES.namespace,
      description:
        'Namespace on the management cluster that holds the cluster objects. The ClusterBootstrapConfig and the credentials ClusterResourceSet only act on clusters in their own namespace.',
      required: false,
      default: o.defaultNamespace ?? 'default',
    },
    {
      name: PARAM_NAMES.kubernetesVersion,
      description:
        'Kubernetes version of the control plane and workers (a kindest/node image tag for CAPD).',
      required: true,
      options: versions,
      default: versions[0],
    },
    {
      name: PARAM_NAMES.controlPlaneCount,
      description:
        'Number of control-plane machines: 1, 3 or 5 (odd, so the stacked etcd keeps quorum).',
      required: true,
      options: CONTROL_PLANE_COUNTS,
      default: o.defaultControlPlaneCount ?? '1',
    },
    {
      name: PARAM_NAMES.workerCount,
      description: 'Number of worker machines: a whole number, 0 or more.',
      required: true,
      default: String(o.defaultWorkerCount ?? 1),
    },
  ];
}

function eksTemplateParams(
  o: LeafTemplateOptions,
  versions: string[],
): TemplateParam[] {
  const [clusterName, namespace] = leafTemplateParams({
    ...o,
    infrastructure: 'dev',
  });
  return [
    clusterName,
    namespace,
    {
      name: PARAM_NAMES.awsRegion,
      description:
        'AWS region of the EKS cluster, e.g. eu-west-1. CAPA reconciles it with its controller identity; no AWS credential is in Git.',
      required: true,
      ...(o.defaultAwsRegion ? { default: o.defaultAwsRegion } : {}),
    },
    {
      name: PARAM_NAMES.kubernetesVersion,
      description:
        'EKS Kubernetes version (v<major>.<minor>; EKS chooses the patch release).',
      required: true,
      options: versions,
      default: versions[0],
    },
    {
      name: PARAM_NAMES.instanceType,
      description:
        'EC2 instance type of the managed node group, e.g. t3.large or m7i.xlarge.',
      required: true,
      default: o.defaultInstanceType ?? DEFAULT_EKS_INSTANCE_TYPE,
    },
    {
      name: PARAM_NAMES.workerCount,
      description:
        'Number of nodes of the managed node group: a whole number, 0 or more.',
      required: true,
      default: String(o.defaultWorkerCount ?? 1),
    },
  ];
}

const p = (name: string) => `\${${name}}`;

function leafObjects(o: LeafTemplateOptions) {
  const clusterLabels = {
    [SECRET_MANAGER_LABEL.key]: o.secretManager ?? SECRET_MANAGER_LABEL.value,
    [CNI_LABEL_KEY]: o.cni ?? defaultCni(o.infrastructure),
  };
  const gitopsClusterLabels = {
    [FLUX_BOOTSTRAP_LABEL.key]: FLUX_BOOTSTRAP_LABEL.value,
  };
  const common = {
    name: p(PARAM_NAMES.clusterName),
    namespace: p(PARAM_NAMES.namespace),
    kubernetesVersion: p(PARAM_NAMES.kubernetesVersion),
    workerReplicas: p(PARAM_NAMES.workerCount),
    capiVersion: o.capiVersion ?? 'v1beta2',
    clusterLabels,
    gitopsClusterLabels,
  };
  if (o.infrastructure === 'eks')
    return buildEksLeafCluster({
      ...common,
      region: p(PARAM_NAMES.awsRegion),
      instanceType: p(PARAM_NAMES.instanceType),
    });
  return buildLeafCluster({
    ...common,
    controlPlaneReplicas: p(PARAM_NAMES.controlPlaneCount),
    infrastructure: o.infrastructure ?? 'dev',
  });
}

function defaultDescription(o: LeafTemplateOptions) {
  const version = o.capiVersion ?? 'v1beta2';
  if (o.infrastructure === 'eks')
    return `Leaf cluster on Amazon EKS (Cluster API Provider AWS: AWSManagedControlPlane and a managed node group, Cluster API ${version}), bootstrapped with Flux and given the ESO credentials (or IRSA: the cluster's OIDC provider is associated).`;
  return `Leaf cluster on CAPD (${
    o.infrastructure === 'docker' ? 'Docker*' : 'Dev*'
  } kinds, Cluster API ${version}), bootstrapped with Flux and given the ESO credentials.`;
}

export function buildLeafClusterTemplate(o: LeafTemplateOptions): WgeTemplate {
  const kind = o.kind ?? 'CAPITemplate';
  return {
    apiVersion: TEMPLATE_API_VERSIONS[kind],
    kind,
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { 'weave.works/template-type': 'cluster' },
    },
    spec: {
      description: o.description ?? defaultDescription(o),
      renderType: 'envsubst',
      params: leafTemplateParams(o),
      resourcetemplates: [{ content: leafObjects(o) }],
    },
  };
}
