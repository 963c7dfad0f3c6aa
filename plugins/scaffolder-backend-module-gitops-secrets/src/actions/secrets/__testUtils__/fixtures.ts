import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { renderBootstrap } from '../../../manifests/secrets';
import { bootstrapInputSchema } from '../inputs';

const run = promisify(execFile);

/** A cluster folder as `flux bootstrap` leaves it, with a commented kustomization.yaml. */
export const CLUSTER_KUSTOMIZATION = `# Everything Flux applies on this cluster. Keep flux-system first.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - flux-system # Flux itself, from \`flux bootstrap github\`
  - apps.yaml # team apps
`;

export function clusterFiles(clusterPath: string): Record<string, string> {
  return {
    'README.md': '# gitops\n',
    [`${clusterPath}/kustomization.yaml`]: CLUSTER_KUSTOMIZATION,
    [`${clusterPath}/apps.yaml`]:
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
    [`${clusterPath}/flux-system/kustomization.yaml`]:
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-sync.yaml\n',
    [`${clusterPath}/flux-system/gotk-sync.yaml`]: [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: GitRepository',
      'metadata:',
      '  name: flux-system',
      '  namespace: flux-system',
      'spec:',
      '  interval: 1m0s',
      '  ref:',
      '    branch: main',
      '  url: ssh://git@github.com/acme/gitops',
      '---',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      '  name: flux-system',
      '  namespace: flux-system',
      'spec:',
      '  interval: 10m0s',
      `  path: ./${clusterPath}`,
      '  prune: true',
      '  sourceRef:',
      '    kind: GitRepository',
      '    name: flux-system',
      '',
    ].join('\n'),
  };
}

/** The repository after a bootstrap PR was merged (AWS ClusterSecretStore "aws-secrets-manager"). */
export async function bootstrappedFiles(
  clusterPath: string,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, string>> {
  const files = clusterFiles(clusterPath);
  const input = bootstrapInputSchema.parse({
    repoUrl: 'github.com?owner=acme&repo=gitops',
    clusterPath,
    store: {
      name: 'aws-secrets-manager',
      provider: {
        type: 'aws',
        region: 'eu-west-1',
        auth: { type: 'secretRef', secretName: 'aws-credentials' },
      },
    },
    ...overrides,
  });
  const rendered = await renderBootstrap(input, async p => files[p]);
  for (const f of rendered.files) files[f.path] = f.content;
  return files;
}

/** Every object of a YAML stream. */
export function parseObjects(text: string): Array<Record<string, any>> {
  return parseAllDocuments(text)
    .map(d => d.toJS())
    .filter(o => o && typeof o === 'object');
}

let kubectlChecked: boolean | undefined;
/** Whether `kubectl` is on PATH (prints why a test is skipped when not). */
export async function hasKubectl(): Promise<boolean> {
  if (kubectlChecked === undefined) {
    kubectlChecked = await run('kubectl', ['version', '--client']).then(
      () => true,
      () => false,
    );
    if (!kubectlChecked) {
      // eslint-disable-next-line no-console
      console.log(
        'kubectl is not on PATH: skipping the `kubectl kustomize` build checks',
      );
    }
  }
  return kubectlChecked;
}

/** `kubectl kustomize <dir>`, parsed. */
export async function kustomize(
  dir: string,
): Promise<Array<Record<string, any>>> {
  const { stdout } = await run('kubectl', ['kustomize', dir], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseObjects(stdout);
}

/** The AWS Secrets Manager store the secrets tests use (credentials from a Secret the PR tells a person to create). */
export const AWS_STORE = {
  name: 'aws-secrets-manager',
  provider: {
    type: 'aws',
    region: 'eu-west-1',
    auth: { type: 'secretRef', secretName: 'aws-credentials' },
  },
};

/** gitops:secrets:bootstrap input without repoUrl: the AWS store and one ExternalSecret in payments. */
export function bootstrapBaseInput(clusterPath: string): Record<string, any> {
  return {
    clusterPath,
    store: structuredClone(AWS_STORE),
    externalSecrets: [
      {
        name: 'db-credentials',
        namespace: 'payments',
        data: [{ secretKey: 'password', remoteRef: { key: 'payments/db' } }],
      },
    ],
  };
}

/** gitops:secrets:add-external-secret input without repoUrl: payments/stripe from the AWS store. */
export function addExternalSecretBaseInput(
  clusterPath: string,
): Record<string, any> {
  return {
    clusterPath,
    name: 'stripe',
    namespace: 'payments',
    storeRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
    data: [{ secretKey: 'api-key', remoteRef: { key: 'payments/stripe' } }],
  };
}
