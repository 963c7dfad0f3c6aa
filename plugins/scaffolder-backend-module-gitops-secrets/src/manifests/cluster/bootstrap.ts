import { FLUX_BOOTSTRAP_LABEL, KubeObject, SECRET_MANAGER_LABEL } from './capi';

/*
 * What a management cluster needs once so that every leaf comes up with Flux and the ESO
 * credentials: a ClusterBootstrapConfig (WGE's cluster-bootstrap-controller runs its Job
 * against each new GitopsCluster it selects) and a ClusterResourceSet that copies the
 * credentials Secret into each Cluster it selects. Neither holds a credential: both reference
 * Secrets the operator creates with the commands of {@link credentialsCommands}.
 */

/** Flux release the bootstrap Job installs (Flux 2.9.4, the release the CRDs in this repo come from). */
export const FLUX_VERSION = '2.9.4';
export const FLUX_CLI_IMAGE = `ghcr.io/fluxcd/flux-cli:v${FLUX_VERSION}`;
export const CLUSTER_BOOTSTRAP_CONFIG_API_VERSION = 'capi.weave.works/v1alpha1';
export const CLUSTER_RESOURCE_SET_API_VERSION =
  'addons.cluster.x-k8s.io/v1beta2';
/** The Secret type a ClusterResourceSet accepts. */
export const RESOURCE_SET_SECRET_TYPE = 'addons.cluster.x-k8s.io/resource-set';

export interface BootstrapConfigOptions {
  name?: string;
  /** Namespace of the config; it acts on GitopsClusters of this namespace only. */
  namespace: string;
  owner: string;
  repository: string;
  /** Branch Flux syncs (the repository's default branch). */
  branch: string;
  /** Set for GitHub Enterprise (`--hostname`); omitted for github.com. */
  hostname?: string;
  /** The owner is a user rather than an organisation (`--personal`). */
  personal?: boolean;
  /** Folder under which each leaf gets `<namespace>/<name>` (WGE's capi-repository-clusters-path). */
  clustersPath: string;
  /** Secret (in `namespace`) and key holding the GitHub token. */
  tokenSecret: { name: string; key: string };
  image?: string;
  /** Labels the config selects GitopsClusters by. */
  selector?: Record<string, string>;
}

/**
 * The Job runs `flux bootstrap github` against the new cluster's kubeconfig (the
 * `<cluster>-kubeconfig` Secret, key `value`, Cluster API writes). The controller fills
 * `{{ .ObjectMeta.* }}` from the GitopsCluster; Kubernetes fills GITHUB_TOKEN from the Secret,
 * and flux reads the token from that variable, so it never appears in the args.
 */
export function buildClusterBootstrapConfig(
  o: BootstrapConfigOptions,
): KubeObject {
  const args = [
    'bootstrap',
    'github',
    '--kubeconfig=/etc/gitops/value',
    `--owner=${o.owner}`,
    `--repository=${o.repository}`,
    `--branch=${o.branch}`,
    `--path=./${o.clustersPath}/{{ .ObjectMeta.Namespace }}/{{ .ObjectMeta.Name }}`,
    ...(o.personal ? ['--personal'] : []),
    ...(o.hostname && o.hostname !== 'github.com'
      ? [`--hostname=${o.hostname}`]
      : []),
  ];
  return {
    apiVersion: CLUSTER_BOOTSTRAP_CONFIG_API_VERSION,
    kind: 'ClusterBootstrapConfig',
    metadata: { name: o.name ?? 'flux-bootstrap', namespace: o.namespace },
    spec: {
      clusterSelector: {
        matchLabels: o.selector ?? {
          [FLUX_BOOTSTRAP_LABEL.key]: FLUX_BOOTSTRAP_LABEL.value,
        },
      },
      // Flux needs schedulable nodes (CNI applied); the controller waits for a Ready cluster.
      requireClusterReady: true,
      jobTemplate: {
        generateName: 'flux-bootstrap-{{ .ObjectMeta.Name }}-',
        backoffLimit: 3,
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'flux-bootstrap',
              image: o.image ?? FLUX_CLI_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args,
              env: [
                {
                  name: 'GITHUB_TOKEN',
                  valueFrom: {
                    secretKeyRef: {
                      name: o.tokenSecret.name,
                      key: o.tokenSecret.key,
                    },
                  },
                },
              ],
              volumeMounts: [
                {
                  name: 'kubeconfig',
                  mountPath: '/etc/gitops',
                  readOnly: true,
                },
              ],
            },
          ],
          volumes: [
            {
              name: 'kubeconfig',
              secret: { secretName: '{{ .ObjectMeta.Name }}-kubeconfig' },
            },
          ],
        },
      },
    },
  };
}

export interface CredentialsResourceSetOptions {
  name?: string;
  /** Namespace of the set and of the wrapper Secret; it selects Clusters of this namespace only. */
  namespace: string;
  /** The `addons.cluster.x-k8s.io/resource-set` Secret holding the manifests to copy. */
  wrapperSecretName: string;
  selector?: Record<string, string>;
  strategy?: 'Reconcile' | 'ApplyOnce';
}

/**
 * Copies the wrapper Secret's manifests (the ESO credentials Secret) into every selected
 * Cluster. `Reconcile` re-applies them when the wrapper changes, so rotating the credentials is
 * one `kubectl apply` on the management cluster (the strategy cannot change after creation).
 */
export function buildCredentialsClusterResourceSet(
  o: CredentialsResourceSetOptions,
): KubeObject {
  return {
    apiVersion: CLUSTER_RESOURCE_SET_API_VERSION,
    kind: 'ClusterResourceSet',
    metadata: { name: o.name ?? 'eso-credentials', namespace: o.namespace },
    spec: {
      clusterSelector: {
        matchLabels: o.selector ?? {
          [SECRET_MANAGER_LABEL.key]: SECRET_MANAGER_LABEL.value,
        },
      },
      resources: [{ kind: 'Secret', name: o.wrapperSecretName }],
      strategy: o.strategy ?? 'Reconcile',
    },
  };
}

export interface CredentialsSecretOptions {
  /** Namespace of the ClusterResourceSet (and of the wrapper Secret). */
  namespace: string;
  wrapperSecretName: string;
  /** The Secret the leaf's SecretStore reads, as created on the leaf. */
  secretName: string;
  secretNamespace: string;
  /** Data key → environment variable of the operator's shell holding the value. */
  keys: Array<{ key: string; env: string }>;
  /** ClusterBootstrapConfig token Secret, or undefined when the config already existed. */
  tokenSecret?: { name: string; key: string; namespace: string; env: string };
}

/**
 * Shell commands (for the PR description) that create the Secrets from the operator's
 * environment. Corrected from the seed: the wrapper goes into the set's namespace, carries
 * the target namespace too (the leaf has none before Flux), values pass through a shell builtin
 * rather than kubectl's argv, and the intermediate file is private and always removed.
 */
export function credentialsCommands(o: CredentialsSecretOptions): string {
  // printf is a bash builtin: the values reach kubectl through a pipe, never through argv.
  const envFile = (pairs: Array<{ key: string; env: string }>) =>
    `--from-env-file=<(printf '%s=%s\\n' ${pairs
      .map(p => `${p.key} "$${p.env}"`)
      .join(' ')})`;
  const lines: string[] = ['# bash, against the management cluster'];
  if (o.tokenSecret) {
    const t = o.tokenSecret;
    lines.push(
      `# 1. GitHub token for the bootstrap Job (may push to the repository), from $${t.env}`,
      `kubectl create secret generic ${t.name} -n ${t.namespace} \\`,
      `  ${envFile([{ key: t.key, env: t.env }])}`,
      '',
    );
  }
  lines.push(
    `# ${
      o.tokenSecret ? '2' : '1'
    }. ESO credentials every selected leaf receives, from ${o.keys
      .map(k => `$${k.env}`)
      .join(', ')}`,
    '(',
    '  umask 077',
    '  tmp="$(mktemp)"',
    `  trap 'rm -f "$tmp"' EXIT`,
    `  kubectl create namespace ${o.secretNamespace} --dry-run=client -o yaml > "$tmp"`,
    `  echo '---' >> "$tmp"`,
    `  kubectl create secret generic ${o.secretName} -n ${o.secretNamespace} \\`,
    `    ${envFile(o.keys)} \\`,
    `    --dry-run=client -o yaml >> "$tmp"`,
    `  kubectl create secret generic ${o.wrapperSecretName} -n ${o.namespace} \\`,
    `    --type=${RESOURCE_SET_SECRET_TYPE} --from-file=${o.secretName}.yaml="$tmp" \\`,
    '    --dry-run=client -o yaml | kubectl apply -f -',
    ')',
  );
  return lines.join('\n');
}
