/*
 * Pull-request descriptions. They explain the change and give the manual
 * steps as commands that read credentials from environment variables or
 * files: no credential value is ever part of an input, so none can appear.
 */
import { BOOTSTRAP_NAMES } from '@golden-gitops/plugin-gitops-secrets-common';
import {
  ESO_GIT_URL,
  ESO_HELM_REPOSITORY_URL,
  ESO_OCI_CHART_URL,
  kubectlCreateSecret,
  manualPrerequisites,
  RenderedBootstrap,
  RenderedExternalSecret,
} from '../../manifests/secrets';
import type { AddExternalSecretInput, BootstrapInput } from './inputs';

/** An ASCII tree of paths (sorted), for the "Files" section. */
export function fileTree(paths: string[]): string {
  type Node = Map<string, Node>;
  const root: Node = new Map();
  for (const p of [...paths].sort()) {
    let node = root;
    for (const part of p.split('/')) {
      if (!node.has(part)) node.set(part, new Map());
      node = node.get(part)!;
    }
  }
  const lines: string[] = [];
  const walk = (node: Node, prefix: string) => {
    const entries = [...node.entries()];
    entries.forEach(([name, child], i) => {
      const last = i === entries.length - 1;
      lines.push(
        `${prefix}${last ? '└── ' : '├── '}${name}${child.size ? '/' : ''}`,
      );
      walk(child, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(root, '');
  return lines.join('\n');
}

/**
 * User text for a Markdown table cell in inline code: one line, and no character that ends the cell (`|`), the code
 * span (a backtick) or starts HTML (`<`), so a value cannot break out into a link, an image or markup.
 */
export function cellCode(value: string): string {
  const safe = value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/`/g, 'ˋ')
    .replace(/</g, '‹')
    .replace(/>/g, '›');
  return `\`${safe}\``;
}

function fence(lang: string, body: string): string {
  return `\`\`\`${lang}\n${body}\n\`\`\``;
}

export function bootstrapTitle(input: BootstrapInput): string {
  return (
    input.title ??
    `External Secrets Operator ${input.esoVersion} on Flux for ${input.clusterPath}`
  );
}

export function bootstrapBody(
  input: BootstrapInput,
  rendered: RenderedBootstrap,
): string {
  const { layout } = rendered;
  const git = input.crdsFrom === 'git';
  const store = input.store;
  const storeLabel = `${store.kind} \`${
    store.namespace ? `${store.namespace}/` : ''
  }${store.name}\``;
  const chart =
    input.chartSource === 'oci'
      ? `OCIRepository \`${ESO_OCI_CHART_URL}\` tag \`${input.esoVersion}\``
      : `HelmRepository \`${ESO_HELM_REPOSITORY_URL}\`, chart version \`${input.esoVersion}\``;
  const esCount = input.externalSecrets.length;
  const rows = [
    '| Step | Flux Kustomization (`flux-system`) | Applies | Ready when |',
    '| --- | --- | --- | --- |',
  ];
  let step = 1;
  if (git) {
    rows.push(
      `| ${step++} | \`${
        BOOTSTRAP_NAMES.crds
      }\` | ESO's CRDs from ${ESO_GIT_URL} at tag \`v${
        input.esoVersion
      }\` (\`./deploy/crds\`), \`prune: false\` | every CRD is Established (\`wait: true\`) |`,
    );
  }
  rows.push(
    `| ${step++} | \`${BOOTSTRAP_NAMES.operator}\`${
      git ? ` (dependsOn \`${BOOTSTRAP_NAMES.crds}\`)` : ''
    } | HelmRelease \`${
      BOOTSTRAP_NAMES.helmRelease
    }\` from ${chart}, \`installCRDs: ${!git}\`, into namespace \`${
      input.operatorNamespace
    }\` | the release is installed and its webhook answers (\`wait: true\`) |`,
    `| ${step++} | \`${BOOTSTRAP_NAMES.crs}\` (dependsOn \`${
      BOOTSTRAP_NAMES.operator
    }\`) | ${storeLabel}${
      esCount ? ` and ${esCount} ExternalSecret${esCount > 1 ? 's' : ''}` : ''
    } | every store and ExternalSecret reports Ready (\`healthCheckExprs\`); retried every minute |`,
  );

  const { secrets, serviceAccounts } = manualPrerequisites(
    store,
    input.operatorNamespace,
  );
  const manual: string[] = [];
  if (secrets.length) {
    manual.push(
      'No credential is stored in Git. Create the Secret the store references, taking the values from your environment (nothing is echoed or saved in shell history beyond the variable names):',
      '',
      fence('sh', secrets.map(kubectlCreateSecret).join('\n\n')),
    );
  }
  for (const sa of serviceAccounts) {
    manual.push(
      `Service account \`${sa.namespace}/${sa.name}\` ${sa.note}. No credential is stored in Git.`,
    );
  }
  if (!manual.length) {
    manual.push(
      "The store uses the operator's own identity: nothing to create. No credential is stored in Git.",
    );
  }

  const kinds = ['kustomizations', store.kind.toLowerCase()];
  const parts = [
    ...(input.description ? [input.description, ''] : []),
    `## External Secrets Operator ${input.esoVersion} for \`${input.clusterPath}\``,
    '',
    `This pull request installs External Secrets Operator with Flux in ${
      git ? 'three' : 'two'
    } ordered steps, so no custom resource is applied before its CRD exists or before the operator's webhook can validate it (the races of a single HelmRelease + Kustomization pair). Current APIs only: \`source.toolkit.fluxcd.io/v1\`, \`kustomize.toolkit.fluxcd.io/v1\`, \`helm.toolkit.fluxcd.io/v2\`, \`external-secrets.io/v1\`.`,
    '',
    rows.join('\n'),
    '',
    git
      ? `The CRDs come from the same release tag as the chart, so they never drift apart, and \`prune: false\` (plus \`${'kustomize.toolkit.fluxcd.io/prune: disabled'}\` on each CRD) means deleting a Kustomization never deletes the CRDs — and with them every ExternalSecret and the Secrets they own.`
      : 'The chart installs the CRDs (`installCRDs: true`) and keeps them on uninstall (`helm.sh/resource-policy: keep`), so removing the release never deletes every ExternalSecret.',
    '',
    '### Files',
    '',
    fence('text', fileTree(rendered.files.map(f => f.path))),
    '',
    rendered.clusterKustomizationMissing
      ? `\`${layout.clusterKustomization}\` does not exist, so Flux generates one for \`${layout.clusterPath}\`; it picks up \`${layout.dir}/\` through that folder's kustomization.yaml, which lists only the chain.`
      : `\`${layout.clusterKustomization}\` gains the entry \`external-secrets\` (its comments and order are kept).`,
    '',
    '### The one manual step',
    '',
    ...manual,
    '',
    '### After merging',
    '',
    fence(
      'sh',
      [
        'flux get kustomizations --namespace flux-system',
        `kubectl get ${kinds[1]}${
          store.namespace ? ` --namespace ${store.namespace}` : ''
        } ${store.name}`,
        ...(esCount ? ['kubectl get externalsecrets --all-namespaces'] : []),
      ].join('\n'),
    ),
    '',
    '_Opened by the Backstage action `gitops:secrets:bootstrap`. Re-running it with the same inputs updates this pull request._',
  ];
  return parts.join('\n');
}

export function externalSecretTitle(input: AddExternalSecretInput): string {
  return (
    input.title ??
    `ExternalSecret ${input.namespace}/${input.name} for ${input.clusterPath}`
  );
}

export function externalSecretBody(
  input: AddExternalSecretInput,
  rendered: RenderedExternalSecret,
): string {
  const target = input.targetSecretName ?? input.name;
  const mappings = [
    ...input.data.map(
      d =>
        `| ${cellCode(d.secretKey)} | ${cellCode(d.remoteRef.key)}${
          d.remoteRef.property
            ? ` property ${cellCode(d.remoteRef.property)}`
            : ''
        }${
          d.remoteRef.version ? ` version ${cellCode(d.remoteRef.version)}` : ''
        } |`,
    ),
    ...input.dataFrom.map(
      d =>
        `| every property of | ${cellCode(d.extract.key)}${
          d.extract.property ? ` property ${cellCode(d.extract.property)}` : ''
        } |`,
    ),
  ];
  return [
    ...(input.description ? [input.description, ''] : []),
    `## ExternalSecret \`${input.namespace}/${input.name}\``,
    '',
    `Creates Secret \`${input.namespace}/${target}\` (creationPolicy \`${input.creationPolicy}\`, refreshed every \`${input.refreshInterval}\`) from ${rendered.store.kind} \`${rendered.store.name}\`.`,
    '',
    '| Secret key | From the provider |',
    '| --- | --- |',
    ...mappings,
    '',
    `It goes into \`${rendered.crsDir}\`, the folder Kustomization \`${BOOTSTRAP_NAMES.crs}\` applies after the operator is Ready, and is healthy when the ExternalSecret reports Ready.`,
    '',
    '### Files',
    '',
    fence('text', fileTree(rendered.files.map(f => f.path))),
    '',
    rendered.kustomizationMissing
      ? `\`${rendered.crsDir}/kustomization.yaml\` does not exist, so Flux includes every manifest of the folder.`
      : `\`${rendered.crsDir}/kustomization.yaml\` lists the new file (comments and order kept).`,
    '',
    '### After merging',
    '',
    fence(
      'sh',
      [
        `flux get kustomizations --namespace flux-system ${BOOTSTRAP_NAMES.crs}`,
        `kubectl get externalsecret --namespace ${input.namespace} ${input.name}`,
      ].join('\n'),
    ),
    '',
    'No secret value is in this pull request: the ExternalSecret names keys in the provider, and the operator copies the values into the cluster.',
    '',
    '_Opened by the Backstage action `gitops:secrets:add-external-secret`. Re-running it with the same inputs updates this pull request._',
  ].join('\n');
}
