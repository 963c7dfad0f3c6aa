import {
  CONTROL_PLANE_COUNTS,
  DEFAULT_EKS_INSTANCE_TYPE,
  DEFAULT_EKS_KUBERNETES_VERSIONS,
  DEFAULT_KUBERNETES_VERSIONS,
  FLUX_CLI_IMAGE,
} from '../../manifests/cluster';
import {
  branchName,
  dnsLabel,
  dnsSubdomain,
  pullRequestOptionsShape,
  clusterPath,
  repoPath,
  repoUrl,
  secretKey,
  z,
} from '../../validation';

/** `v1.35.0`: the form Cluster API and CAPD's kindest/node images use; EKS takes `v1.35`. */
const KUBERNETES_VERSION = /^v\d+\.\d+(\.\d+)?$/;
/** An AWS region name: eu-west-1, us-gov-west-1, ap-southeast-2. */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** An EC2 instance type: t3.large, m7i.xlarge, u-6tb1.metal. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** An OCI image reference with a tag or digest (no floating `latest` implied). */
const IMAGE_REF =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;
/** A label value (the cni label). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])$/;
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPO = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;
/** An environment variable name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const repoUrlField = repoUrl(
  'The GitOps repository, as `host?owner=<owner>&repo=<repo>` (RepoUrlPicker).',
);
const managementPathField = clusterPath(
  'Folder of the management cluster in the repository (the path its flux-system Kustomization applies, the gitops-secrets.io/cluster-path annotation of its catalog entity), e.g. clusters/management.',
);
const leafClustersPathField = repoPath(
  "Folder under which each leaf's own Flux path <folder>/<namespace>/<name> lies (WGE's capi-repository-clusters-path).",
).default('clusters');

const envName = (description: string) =>
  z
    .string()
    .regex(
      ENV_NAME,
      'must be an environment variable name (letters, digits, "_")',
    )
    .max(64)
    .describe(description);

/** Input of gitops:cluster:add-template. */
export const addTemplateInputSchema = z
  .object({
    repoUrl: repoUrlField,
    managementClusterPath: managementPathField,
    templateName: dnsSubdomain('Name of the template object.').default(
      'leaf-cluster',
    ),
    templateNamespace: dnsLabel(
      'Namespace of the template object on the management cluster.',
    ).default('default'),
    templateKind: z
      .enum(['CAPITemplate', 'GitOpsTemplate'])
      .default('CAPITemplate')
      .describe(
        'CAPITemplate (capi.weave.works/v1alpha2) or GitOpsTemplate (templates.weave.works/v1alpha2).',
      ),
    capiVersion: z
      .enum(['v1beta2', 'v1beta1'])
      .default('v1beta2')
      .describe(
        'Cluster API version of the rendered objects: v1beta2 (current), or v1beta1 (deprecated, served until Cluster API v1.16).',
      ),
    infrastructure: z
      .enum(['dev', 'docker', 'eks'])
      .default('dev')
      .describe(
        'Where the machines run: dev (CAPD DevCluster, DevMachineTemplate), docker (CAPD DockerCluster, DockerMachineTemplate; deprecated) or eks (Amazon EKS through Cluster API Provider AWS: AWSManagedControlPlane and a MachinePool of an AWSManagedMachinePool).',
      ),
    kubernetesVersions: z
      .array(
        z
          .string()
          .regex(KUBERNETES_VERSION, 'must look like v1.35.0 (EKS: v1.35)')
          .describe('A Kubernetes version.'),
      )
      .min(1, 'must list at least one version')
      .max(10, 'must list at most 10 versions')
      .optional()
      .describe(
        `The KUBERNETES_VERSION options; the first is the default. Default: ${DEFAULT_KUBERNETES_VERSIONS.join(
          ', ',
        )} (eks: ${DEFAULT_EKS_KUBERNETES_VERSIONS.join(', ')}).`,
      ),
    awsRegion: z
      .string()
      .regex(AWS_REGION, 'must be an AWS region name such as eu-west-1')
      .optional()
      .describe(
        'eks: default of AWS_REGION. Without it the person creating a cluster names the region.',
      ),
    instanceType: z
      .string()
      .regex(INSTANCE_TYPE, 'must be an EC2 instance type such as t3.large')
      .max(64)
      .default(DEFAULT_EKS_INSTANCE_TYPE)
      .describe(
        'eks: default of INSTANCE_TYPE (the node group instance type).',
      ),
    defaultControlPlaneCount: z
      .enum(CONTROL_PLANE_COUNTS as [string, ...string[]])
      .default('1')
      .describe('Default of CONTROL_PLANE_MACHINE_COUNT (1, 3 or 5).'),
    defaultWorkerCount: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(100, 'must be at most 100')
      .default(1)
      .describe('Default of WORKER_MACHINE_COUNT.'),
    cni: z
      .string()
      .regex(
        LABEL_VALUE,
        'must be a label value (letters, digits, "-", "_", ".")',
      )
      .max(63)
      .optional()
      .describe(
        'Value of the cni label on each Cluster (for a CNI ClusterResourceSet). Default: calico (eks: vpc-cni).',
      ),
    clusterNamespace: dnsLabel(
      'Namespace of the leaf clusters on the management cluster; the ClusterBootstrapConfig and the ClusterResourceSet act only there.',
    ).default('default'),
    leafClustersPath: leafClustersPathField,
    bootstrap: z
      .object({
        owner: z
          .string()
          .regex(GITHUB_OWNER, 'must be a GitHub user or organisation name')
          .describe(
            'GitHub owner flux bootstrap pushes to. Default: the owner of repoUrl.',
          )
          .optional(),
        repository: z
          .string()
          .regex(GITHUB_REPO, 'must be a GitHub repository name')
          .describe(
            'GitHub repository flux bootstrap pushes to. Default: the repository of repoUrl.',
          )
          .optional(),
        branch: branchName(
          'Branch Flux syncs. Default: the target branch.',
        ).optional(),
        personal: z
          .boolean()
          .optional()
          .describe(
            'The owner is a user, not an organisation. Default: asked from GitHub.',
          ),
        tokenSecretName: dnsSubdomain(
          'Secret (in clusterNamespace) holding the GitHub token for flux bootstrap.',
        ).default('flux-bootstrap-github-token'),
        tokenSecretKey: secretKey('Key of the token in that Secret.').default(
          'GITHUB_TOKEN',
        ),
        image: z
          .string()
          .max(256)
          .regex(IMAGE_REF, 'must be an image reference with a tag or digest')
          .default(FLUX_CLI_IMAGE)
          .describe('flux-cli image of the bootstrap Job.'),
      })
      .strict()
      .default({})
      .describe(
        'The ClusterBootstrapConfig, written when the namespace has none yet.',
      ),
    credentials: z
      .object({
        secretName: dnsSubdomain(
          "The credentials Secret each leaf receives (the name the leaf's SecretStore reads).",
        ).default('aws-credentials'),
        secretNamespace: dnsLabel('Its namespace on the leaf.').default(
          'external-secrets',
        ),
        accessKeyIdKey: secretKey('Key of the access key ID.').default(
          'access-key',
        ),
        secretAccessKeyKey: secretKey('Key of the secret access key.').default(
          'secret-access-key',
        ),
        accessKeyIdEnv: envName(
          'Environment variable of the operator holding the access key ID (for the PR commands).',
        ).default('AWS_ACCESS_KEY_ID'),
        secretAccessKeyEnv: envName(
          'Environment variable of the operator holding the secret access key.',
        ).default('AWS_SECRET_ACCESS_KEY'),
        wrapperSecretName: dnsSubdomain(
          'The addons.cluster.x-k8s.io/resource-set Secret on the management cluster that wraps it.',
        ).default('eso-credentials-crs'),
        resourceSetName: dnsSubdomain(
          'Name of the ClusterResourceSet.',
        ).default('eso-credentials'),
      })
      .strict()
      .default({})
      .describe(
        'The ClusterResourceSet copying the ESO credentials, written when the namespace has none yet.',
      ),
    ...pullRequestOptionsShape,
  })
  .strict();

export type AddTemplateInput = z.output<typeof addTemplateInputSchema>;

const paramValue = z
  .union([
    z.string().max(1024, 'must be at most 1024 characters'),
    z.number(),
    z.boolean(),
  ])
  .describe('A parameter value.');

/** Input of gitops:cluster:create-leaf. */
export const createLeafInputSchema = z
  .object({
    repoUrl: repoUrlField,
    managementClusterPath: managementPathField,
    templateName: dnsSubdomain(
      'Name of the CAPITemplate or GitOpsTemplate to render.',
    ),
    templatePath: repoPath(
      'File holding the template. Default: <managementClusterPath>/capi/templates/<templateName>.yaml, then any YAML file under the management path.',
    )
      .refine(p => /\.ya?ml$/.test(p), {
        message: 'must be a .yaml or .yml file',
      })
      .optional(),
    parameters: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must be a parameter name'),
        paramValue,
      )
      .refine(r => Object.keys(r).length <= 100, {
        message: 'must hold at most 100 parameters',
      })
      .describe(
        'Values of the template parameters, e.g. { CLUSTER_NAME: dev-1, WORKER_MACHINE_COUNT: 2 }.',
      ),
    repositoryPath: repoPath(
      "Folder that receives the rendered cluster as <namespace>/<name>.yaml (WGE's capi-repository-path). Default: <managementClusterPath>/clusters.",
    ).optional(),
    leafClustersPath: leafClustersPathField,
    secretsBootstrap: z
      .boolean()
      .default(true)
      .describe(
        "Give the leaf's own Flux path a Kustomization applying the shared secrets bootstrap (ESO CRDs → operator → stores).",
      ),
    secretsBootstrapPath: repoPath(
      'Folder holding the shared secrets bootstrap (gitops:secrets:bootstrap run with it as the cluster path).',
    ).default('clusters/bases/secrets'),
    injectPruneAnnotation: z
      .boolean()
      .default(true)
      .describe(
        'Mark every object but Cluster and GitopsCluster kustomize.toolkit.fluxcd.io/prune: disabled (as WGE does), so deleting the file deletes the Cluster and Cluster API tears down the rest in order.',
      ),
    ...pullRequestOptionsShape,
  })
  .strict();

export type CreateLeafInput = z.output<typeof createLeafInputSchema>;
