import type { TemplateParam, WgeTemplate } from '../../render/template';
import {
  CapiVersion,
  CNI_LABEL_KEY,
  FLUX_BOOTSTRAP_LABEL,
  InfraFlavour,
  SECRET_MANAGER_LABEL,
  buildLeafCluster,
} from './capi';

/*
 * The leaf-cluster template the `gitops:cluster:add-template` action writes: a WGE
 * CAPITemplate or GitOpsTemplate (v1alpha2) whose resource templates are the leaf-cluster
 * objects of capi.ts with `${PARAM}` placeholders.
 */

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
  infrastructure?: InfraFlavour;
  kubernetesVersions?: string[];
  defaultControlPlaneCount?: string;
  defaultWorkerCount?: number;
  defaultNamespace?: string;
  cni?: string;
  /** Value of the `secretmanager` label the credentials ClusterResourceSet selects. */
  secretManager?: string;
}

export const PARAM_NAMES = {
  clusterName: 'CLUSTER_NAME',
  namespace: 'NAMESPACE',
  kubernetesVersion: 'KUBERNETES_VERSION',
  controlPlaneCount: 'CONTROL_PLANE_MACHINE_COUNT',
  workerCount: 'WORKER_MACHINE_COUNT',
} as const;

export function leafTemplateParams(o: LeafTemplateOptions): TemplateParam[] {
  const versions = o.kubernetesVersions ?? DEFAULT_KUBERNETES_VERSIONS;
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

const p = (name: string) => `\${${name}}`;

export function buildLeafClusterTemplate(o: LeafTemplateOptions): WgeTemplate {
  const kind = o.kind ?? 'CAPITemplate';
  const objects = buildLeafCluster({
    name: p(PARAM_NAMES.clusterName),
    namespace: p(PARAM_NAMES.namespace),
    kubernetesVersion: p(PARAM_NAMES.kubernetesVersion),
    controlPlaneReplicas: p(PARAM_NAMES.controlPlaneCount),
    workerReplicas: p(PARAM_NAMES.workerCount),
    capiVersion: o.capiVersion ?? 'v1beta2',
    infrastructure: o.infrastructure ?? 'dev',
    clusterLabels: {
      [SECRET_MANAGER_LABEL.key]: o.secretManager ?? SECRET_MANAGER_LABEL.value,
      [CNI_LABEL_KEY]: o.cni ?? 'calico',
    },
    gitopsClusterLabels: {
      [FLUX_BOOTSTRAP_LABEL.key]: FLUX_BOOTSTRAP_LABEL.value,
    },
  });
  return {
    apiVersion: TEMPLATE_API_VERSIONS[kind],
    kind,
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { 'weave.works/template-type': 'cluster' },
    },
    spec: {
      description:
        o.description ??
        `Leaf cluster on CAPD (${
          o.infrastructure === 'docker' ? 'Docker*' : 'Dev*'
        } kinds, Cluster API ${
          o.capiVersion ?? 'v1beta2'
        }), bootstrapped with Flux and given the ESO credentials.`,
      renderType: 'envsubst',
      params: leafTemplateParams(o),
      resourcetemplates: [{ content: objects }],
    },
  };
}
