/*
 * Input schemas of the secrets actions. No field accepts a credential value:
 * stores reference Kubernetes Secrets by name and key, and the PR description
 * tells a person how to create them from environment variables.
 */
import { BOOTSTRAP_NAMES } from '@golden-gitops/plugin-gitops-secrets-common';
import {
  clusterPath,
  dnsLabel,
  dnsSubdomain,
  exactVersion,
  goDuration,
  pullRequestOptionsShape,
  repoUrl,
  secretKey,
  singleLine,
  systemNamespaceProblem,
  z,
} from '../../validation';
import {
  DEFAULT_ESO_VERSION,
  ESO_HELM_REPOSITORY_URL,
  ESO_OCI_CHART_URL,
} from '../../manifests/secrets/constants';

const secretName = (what: string) =>
  dnsSubdomain(
    `Name of the Kubernetes Secret holding ${what}. You create it by hand (see the PR description); its value never goes into Git.`,
  );

const serviceAccountNamespace = dnsLabel(
  'Namespace of the service account. Default: the store namespace, or the operator namespace for a ClusterSecretStore.',
).optional();

const secretNamespace = dnsLabel(
  'Namespace of the credentials Secret (ClusterSecretStore only). Default: the operator namespace.',
).optional();

const awsAuth = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z
          .literal('secretRef')
          .describe('Access keys from a Kubernetes Secret.'),
        secretName: secretName('the AWS access keys'),
        secretNamespace,
        accessKeyIdKey: secretKey(
          'Key of the access key ID in that Secret.',
        ).default('access-key'),
        secretAccessKeyKey: secretKey(
          'Key of the secret access key in that Secret.',
        ).default('secret-access-key'),
        sessionTokenKey: secretKey(
          'Key of an optional session token in that Secret.',
        ).optional(),
      })
      .strict(),
    z
      .object({
        type: z
          .literal('jwt')
          .describe('IRSA: a service account annotated with an IAM role.'),
        serviceAccountName: dnsSubdomain('The IRSA service account.'),
        serviceAccountNamespace,
      })
      .strict(),
    z
      .object({
        type: z
          .literal('none')
          .describe(
            "The operator's own identity (pod identity or the default credential chain).",
          ),
      })
      .strict(),
  ])
  .describe('How the operator authenticates to AWS.');

const awsProvider = z
  .object({
    type: z.literal('aws').describe('AWS Secrets Manager or Parameter Store.'),
    service: z
      .enum(['SecretsManager', 'ParameterStore'])
      .default('SecretsManager')
      .describe('The AWS service to read from.'),
    region: z
      .string()
      .regex(
        /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$/,
        'must be an AWS region such as "eu-west-1"',
      )
      .describe('AWS region, e.g. eu-west-1.'),
    role: z
      .string()
      .max(2048)
      .regex(
        /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/,
        'must be an IAM role ARN such as "arn:aws:iam::123456789012:role/eso"',
      )
      .optional()
      .describe('IAM role to assume (ARN).'),
    auth: awsAuth,
  })
  .strict();

const vaultAuth = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z
          .literal('token')
          .describe('A Vault token from a Kubernetes Secret.'),
        secretName: secretName('the Vault token'),
        secretNamespace,
        key: secretKey('Key of the token in that Secret.').default('token'),
      })
      .strict(),
    z
      .object({
        type: z
          .literal('kubernetes')
          .describe("Vault's Kubernetes auth method."),
        mountPath: singleLine(
          'Mount path of the Kubernetes auth method.',
          128,
        ).default('kubernetes'),
        role: singleLine('Vault role to log in as.', 128),
        serviceAccountName: dnsSubdomain(
          "Service account whose token is presented (default: the operator's own).",
        ).optional(),
        serviceAccountNamespace,
      })
      .strict(),
    z
      .object({
        type: z.literal('appRole').describe("Vault's AppRole auth method."),
        path: singleLine('Mount path of the AppRole auth method.', 128).default(
          'approle',
        ),
        roleId: singleLine('The AppRole role ID (not a secret).', 128),
        secretName: secretName('the AppRole secret ID'),
        secretNamespace,
        key: secretKey('Key of the secret ID in that Secret.').default(
          'secret-id',
        ),
      })
      .strict(),
  ])
  .describe('How the operator authenticates to Vault.');

const vaultProvider = z
  .object({
    type: z.literal('vault').describe('HashiCorp Vault (KV engine).'),
    server: z
      .string()
      .max(512)
      .regex(
        /^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[^\s]*)?$/,
        'must be an https:// URL',
      )
      .describe('Vault address, e.g. https://vault.example.com:8200.'),
    path: singleLine('Mount path of the KV engine.', 128).default('secret'),
    version: z.enum(['v1', 'v2']).default('v2').describe('KV engine version.'),
    vaultNamespace: singleLine('Vault Enterprise namespace.', 128).optional(),
    auth: vaultAuth,
  })
  .strict();

const gcpAuth = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z
          .literal('secretRef')
          .describe('A service-account JSON key from a Kubernetes Secret.'),
        secretName: secretName('the GCP service-account key'),
        secretNamespace,
        key: secretKey('Key of the JSON key in that Secret.').default(
          'secret-access-credentials',
        ),
      })
      .strict(),
    z
      .object({
        type: z.literal('workloadIdentity').describe('GKE Workload Identity.'),
        serviceAccountName: dnsSubdomain(
          'Kubernetes service account bound to a GCP service account.',
        ),
        serviceAccountNamespace,
        clusterLocation: singleLine(
          'GKE cluster location (optional on GKE).',
          64,
        ).optional(),
        clusterName: singleLine(
          'GKE cluster name (optional on GKE).',
          64,
        ).optional(),
        clusterProjectID: singleLine(
          'GKE cluster project (optional on GKE).',
          64,
        ).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('none').describe("The operator's own identity."),
      })
      .strict(),
  ])
  .describe('How the operator authenticates to GCP.');

const gcpProvider = z
  .object({
    type: z.literal('gcp').describe('Google Cloud Secret Manager.'),
    projectID: z
      .string()
      .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a GCP project ID')
      .describe('GCP project holding the secrets.'),
    location: singleLine(
      'Location for regional secrets (optional).',
      64,
    ).optional(),
    auth: gcpAuth,
  })
  .strict();

const azureAuth = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z
          .literal('servicePrincipal')
          .describe('Client ID and secret from a Kubernetes Secret.'),
        secretName: secretName('the service principal credentials'),
        secretNamespace,
        clientIdKey: secretKey('Key of the client ID in that Secret.').default(
          'client-id',
        ),
        clientSecretKey: secretKey(
          'Key of the client secret in that Secret.',
        ).default('client-secret'),
      })
      .strict(),
    z
      .object({
        type: z
          .literal('workloadIdentity')
          .describe('Azure Workload Identity.'),
        serviceAccountName: dnsSubdomain(
          'Service account federated with an Azure identity.',
        ),
        serviceAccountNamespace,
      })
      .strict(),
    z
      .object({
        type: z
          .literal('managedIdentity')
          .describe('A managed identity of the nodes.'),
        identityId: singleLine(
          'Client ID of a user-assigned identity (optional).',
          128,
        ).optional(),
      })
      .strict(),
  ])
  .describe('How the operator authenticates to Azure.');

const azureProvider = z
  .object({
    type: z.literal('azure').describe('Azure Key Vault.'),
    vaultUrl: z
      .string()
      .max(512)
      .regex(
        /^https:\/\/[A-Za-z0-9-]+\.vault\.(azure\.net|usgovcloudapi\.net|azure\.cn)\/?$/,
        'must be a Key Vault URL such as "https://my-vault.vault.azure.net"',
      )
      .describe('Key Vault URL.'),
    tenantId: z
      .string()
      .uuid('must be a tenant ID (UUID)')
      .optional()
      .describe('Azure AD tenant ID (required for servicePrincipal).'),
    environmentType: z
      .enum(['PublicCloud', 'USGovernmentCloud', 'ChinaCloud'])
      .optional()
      .describe('Azure cloud.'),
    auth: azureAuth,
  })
  .strict();

/** The external secrets provider of a store. */
export const providerSchema = z
  .discriminatedUnion('type', [
    awsProvider,
    vaultProvider,
    gcpProvider,
    azureProvider,
  ])
  .describe('The provider the store reads from: aws, vault, gcp or azure.');

export const storeKindSchema = z
  .enum(['ClusterSecretStore', 'SecretStore'])
  .describe(
    'ClusterSecretStore (any namespace may use it) or SecretStore (one namespace).',
  );

/** The store the bootstrap writes. */
export const storeSchema = z
  .object({
    kind: storeKindSchema.default('ClusterSecretStore'),
    name: dnsSubdomain('Name of the store.'),
    namespace: dnsLabel(
      'Namespace of a SecretStore (required for SecretStore, not allowed for ClusterSecretStore).',
    ).optional(),
    createNamespace: z
      .boolean()
      .default(false)
      .describe(
        'Also write a Namespace manifest for the SecretStore namespace.',
      ),
    provider: providerSchema,
  })
  .strict()
  .superRefine((store, ctx) => {
    if (store.kind === 'SecretStore' && !store.namespace) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['namespace'],
        message: 'is required for a SecretStore',
      });
    }
    if (store.kind === 'ClusterSecretStore' && store.namespace) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['namespace'],
        message:
          'must not be set for a ClusterSecretStore (it is cluster-scoped)',
      });
    }
    const nsProblem = store.createNamespace
      ? systemNamespaceProblem(store.namespace)
      : undefined;
    if (nsProblem) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['namespace'],
        message: `with createNamespace: ${nsProblem}`,
      });
    }
    if (store.kind === 'ClusterSecretStore' && store.createNamespace) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['createNamespace'],
        message: 'applies only to a SecretStore',
      });
    }
    const auth = store.provider.auth as { secretNamespace?: string };
    if (store.kind === 'SecretStore' && auth.secretNamespace) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['provider', 'auth', 'secretNamespace'],
        message:
          "must not be set for a SecretStore (the Secret lives in the store's namespace)",
      });
    }
    if (
      store.provider.type === 'azure' &&
      store.provider.auth.type === 'servicePrincipal' &&
      !store.provider.tenantId
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['provider', 'tenantId'],
        message: 'is required with servicePrincipal auth',
      });
    }
  })
  .describe('The SecretStore or ClusterSecretStore to create.');

const remoteRefShape = {
  key: singleLine('Key (name or path) of the secret in the provider.', 512),
  property: singleLine(
    'A property of a JSON secret to read (optional).',
    256,
  ).optional(),
  version: singleLine(
    'A version of the secret (optional; default the latest).',
    128,
  ).optional(),
};

export const dataEntrySchema = z
  .object({
    secretKey: secretKey('Key in the target Kubernetes Secret.'),
    remoteRef: z
      .object(remoteRefShape)
      .strict()
      .describe('Where the value comes from.'),
  })
  .strict();

export const dataFromEntrySchema = z
  .object({
    extract: z
      .object(remoteRefShape)
      .strict()
      .describe(
        'A JSON secret whose properties all become keys of the target Secret.',
      ),
  })
  .strict();

/** Fields of one ExternalSecret (shared by both actions). */
export const externalSecretShape = {
  name: dnsSubdomain('Name of the ExternalSecret.'),
  namespace: dnsLabel(
    'Namespace of the ExternalSecret and of the Secret it creates.',
  ),
  targetSecretName: dnsSubdomain(
    'Name of the Kubernetes Secret to create. Default: the ExternalSecret name.',
  ).optional(),
  creationPolicy: z
    .enum(['Owner', 'Orphan', 'Merge', 'None'])
    .default('Owner')
    .describe(
      'Owner (the Secret is deleted with the ExternalSecret), Orphan, Merge (into an existing Secret) or None.',
    ),
  refreshInterval: goDuration(
    'How often the value is re-read from the provider.',
  ).default('1h'),
  data: z
    .array(dataEntrySchema)
    .max(100, 'must list at most 100 entries')
    .default([])
    .describe('Single values: target key ← provider key (and property).'),
  dataFrom: z
    .array(dataFromEntrySchema)
    .max(20, 'must list at most 20 entries')
    .default([])
    .describe('Whole JSON secrets whose properties become keys.'),
  kubernetesId: dnsLabel(
    'Value for the backstage.io/kubernetes-id label, so the Component owning it shows its status.',
  ).optional(),
};

type ExternalSecretFields = {
  data: unknown[];
  dataFrom: unknown[];
};

/** Empty data and dataFrom: nothing to sync. */
export function refineExternalSecret(
  es: ExternalSecretFields,
  ctx: z.RefinementCtx,
  path: Array<string | number> = [],
) {
  if (!es.data.length && !es.dataFrom.length) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [...path, 'data'],
      message: 'give at least one data entry or one dataFrom extract',
    });
  }
  const keys = new Set<string>();
  (es.data as Array<{ secretKey: string }>).forEach((d, i) => {
    if (keys.has(d.secretKey)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [...path, 'data', i, 'secretKey'],
        message: `duplicate key "${d.secretKey}"`,
      });
    }
    keys.add(d.secretKey);
  });
}

const fluxSourceShape = {
  fluxSourceName: dnsSubdomain(
    'The GitRepository Flux syncs this repository with (made by `flux bootstrap`).',
  ).default('flux-system'),
};

/** Input of gitops:secrets:bootstrap. */
export const bootstrapInputSchema = z
  .object({
    repoUrl: repoUrl(
      'The GitOps repository, as `host?owner=<owner>&repo=<repo>` (RepoUrlPicker).',
    ),
    clusterPath: clusterPath(
      'Folder of the cluster in the repository (the path its flux-system Kustomization applies), e.g. clusters/my-cluster.',
    ),
    esoVersion: exactVersion(
      'External Secrets Operator chart version; the CRDs come from the git tag v<version>.',
    ).default(DEFAULT_ESO_VERSION),
    chartSource: z
      .enum(['helm', 'oci'])
      .default('helm')
      .describe(
        `Where the chart comes from: helm (HelmRepository ${ESO_HELM_REPOSITORY_URL}) or oci (OCIRepository ${ESO_OCI_CHART_URL}).`,
      ),
    operatorNamespace: dnsLabel(
      'Namespace the operator runs in (the bootstrap writes its Namespace object, so not a system namespace).',
    )
      .superRefine((ns, ctx) => {
        const problem = systemNamespaceProblem(ns);
        if (problem)
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .default(BOOTSTRAP_NAMES.operatorNamespace),
    crdsFrom: z
      .enum(['git', 'chart'])
      .default('git')
      .describe(
        'git: a Kustomization applies the CRDs from the ESO repository at tag v<esoVersion> (prune: false); chart: the chart installs them.',
      ),
    ...fluxSourceShape,
    serviceAccountName: dnsSubdomain(
      "serviceAccountName of the Flux Kustomizations and the HelmRelease written (flux-system namespace). Default: none, or on a cluster locked down with --default-service-account the one the repository's other Kustomizations in flux-system use.",
    ).optional(),
    mode: z
      .enum(['install', 'adopt', 'migrate-apis'])
      .default('install')
      .describe(
        "install: install ESO (refused where ESO is already installed for the cluster). adopt: where the cluster already runs ESO from a HelmRelease whose chart installs the CRDs (exact version, 0.16.1 or later), make it race-free in place, in two pull requests: first the chart keeps its CRDs on hand-over (helm.sh/resource-policy: keep); run again once that is reconciled, and the CRDs move into a Flux Kustomization of their own at the chart's version, the operator's Kustomization waits for them and for the release, the Kustomizations applying stores and ExternalSecrets dependsOn it, and manifests on removed ESO APIs move to external-secrets.io/v1. migrate-apis: where ESO is installed, move every manifest the cluster applies on a removed ESO API (external-secrets.io/v1alpha1, v1beta1) to external-secrets.io/v1; refused, naming them, for objects the v1 schema rejects as they are. store and externalSecrets are not used by adopt and migrate-apis.",
      ),
    layout: z
      .enum(['auto', 'own-chain'])
      .default('auto')
      .describe(
        'auto: where the cluster already runs infrastructure as a chain (a Flux Kustomization with wait: true installing charts, and one that dependsOn it applying custom resources), the operator goes into the first step and the store into the second; elsewhere our own chain. own-chain: always our own chain under <clusterPath>/external-secrets.',
      ),
    sharedBase: z
      .boolean()
      .default(false)
      .describe(
        'The cluster path is a shared base other clusters apply (e.g. clusters/bases/secrets for gitops:cluster:create-leaf), which nothing in the repository applies yet. Without it, a cluster path no Flux Kustomization or FluxInstance applies is refused.',
      ),
    store: storeSchema,
    externalSecrets: z
      .array(
        z
          .object(externalSecretShape)
          .strict()
          .superRefine((es, ctx) => refineExternalSecret(es, ctx)),
      )
      .max(50, 'must list at most 50 ExternalSecrets')
      .default([])
      .describe('ExternalSecrets to create with the store (they use it).'),
    ...pullRequestOptionsShape,
  })
  .strict()
  .superRefine((input, ctx) => {
    const names = new Set<string>();
    input.externalSecrets.forEach((es, i) => {
      const id = `${es.namespace}/${es.name}`;
      if (names.has(id)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['externalSecrets', i, 'name'],
          message: `duplicate ExternalSecret ${id}`,
        });
      }
      names.add(id);
      if (
        input.store.kind === 'SecretStore' &&
        es.namespace !== input.store.namespace
      ) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['externalSecrets', i, 'namespace'],
          message: `must be ${input.store.namespace}: SecretStore ${input.store.name} serves only its own namespace`,
        });
      }
    });
  });

export type BootstrapInput = z.output<typeof bootstrapInputSchema>;
export type StoreInput = BootstrapInput['store'];
export type ProviderInput = StoreInput['provider'];
export type ExternalSecretInput = BootstrapInput['externalSecrets'][number];

/** Input of gitops:secrets:add-external-secret. */
export const addExternalSecretInputSchema = z
  .object({
    repoUrl: repoUrl(
      'The GitOps repository, as `host?owner=<owner>&repo=<repo>` (RepoUrlPicker).',
    ),
    clusterPath: clusterPath(
      'Folder of the cluster in the repository, where the bootstrap wrote external-secrets/.',
    ),
    ...externalSecretShape,
    storeRef: z
      .object({
        kind: storeKindSchema.default('ClusterSecretStore'),
        name: dnsSubdomain('Name of the store.'),
      })
      .strict()
      .describe(
        'The store to read from; it must exist in the bootstrap folder of this cluster.',
      ),
    createNamespace: z
      .boolean()
      .default(false)
      .describe(
        'Also write a Namespace manifest for the namespace (when nothing else creates it).',
      ),
    ...pullRequestOptionsShape,
  })
  .strict()
  .superRefine((es, ctx) => {
    refineExternalSecret(es, ctx);
    const problem = es.createNamespace
      ? systemNamespaceProblem(es.namespace)
      : undefined;
    if (problem) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['namespace'],
        message: `with createNamespace: ${problem}`,
      });
    }
  });

export type AddExternalSecretInput = z.output<
  typeof addExternalSecretInputSchema
>;
