/*
 * The pull-request description when ESO goes into the repository's own
 * controllers → configs chain (see repoModel/chain.ts).
 */
import {
  kubectlCreateSecret,
  manualPrerequisites,
} from '../../manifests/secrets';
import type { RenderedIntoChain } from '../../manifests/secrets/chain';
import type { InfrastructureChain } from '../../repoModel/chain';
import type { BootstrapInput } from './inputs';

export function chainBody(
  input: BootstrapInput,
  chain: InfrastructureChain,
  rendered: RenderedIntoChain,
): string {
  const store = input.store;
  const { secrets, serviceAccounts } = manualPrerequisites(
    store,
    input.operatorNamespace,
  );
  const lines = [
    `Adds External Secrets Operator ${input.esoVersion} to the infrastructure chain this cluster already runs, instead of a second chain beside it:`,
    '',
    `1. **${chain.controllers.name}** (\`${chain.controllers.file}\`, \`wait: true\`) applies \`${rendered.controllersDir}\`: it now also installs the operator (HelmRelease \`flux-system/external-secrets\`, chart with its CRDs, kept on uninstall) and becomes Ready only once the release and its webhook are.`,
    `2. **${chain.configs.name}** (\`dependsOn\` ${
      chain.controllers.name
    }) applies \`${rendered.configsDir}\`: it now also applies ${
      store.kind
    } \`${store.namespace ? `${store.namespace}/` : ''}${store.name}\`${
      input.externalSecrets.length
        ? ` and ${input.externalSecrets.length} ExternalSecret(s)`
        : ''
    }, after the operator is ready.`,
    '',
    `Files: ${rendered.files
      .map(f => `\`${f.path}\``)
      .join(
        ', ',
      )} (each kustomization.yaml gains its entries; comments and other lines are kept).`,
  ];
  if (chain.sharedWith.length) {
    lines.push(
      '',
      `**These folders are shared**: ${chain.sharedWith.join(
        '; ',
      )}. Those clusters get ESO and the store too when this merges.`,
    );
  }
  if (secrets.length) {
    lines.push(
      '',
      'No credential is stored in Git. Create the Secret the store references from your environment:',
      '',
      '```sh',
      secrets.map(kubectlCreateSecret).join('\n\n'),
      '```',
    );
  }
  for (const sa of serviceAccounts)
    lines.push(
      '',
      `Service account \`${sa.namespace}/${sa.name}\` ${sa.note}.`,
    );
  return lines.join('\n');
}
