import type { FileChange } from '../../github';
import type { BootstrapInput } from '../../actions/secrets/inputs';
import {
  externalSecretManifest,
  namespaceManifest,
  secretStoreManifest,
} from './eso';
import { esoHelmRelease, esoHelmRepository, esoOciRepository } from './flux';
import {
  externalSecretFileName,
  namespaceFileName,
  storeFileName,
} from './layout';
import { addKustomizeResources, toYaml } from './yaml';

/** File the operator goes into, in the controllers step's folder. */
export const CHAIN_OPERATOR_FILE = 'external-secrets.yaml';

export interface RenderedIntoChain {
  controllersDir: string;
  configsDir: string;
  files: FileChange[];
  objects: Array<{ path: string; objects: object[] }>;
}

const GENERATED_BY =
  'Written by the Backstage action gitops:secrets:bootstrap.';

/**
 * ESO into an existing controllers → configs chain: the operator (chart
 * with its CRDs, kept on uninstall) into the controllers folder, which the
 * chain waits for, and the store and ExternalSecrets into the configs folder,
 * applied after it. Each folder's kustomization.yaml gains its entries, its
 * comments and other lines kept.
 */
export async function renderIntoChain(
  input: BootstrapInput,
  dirs: { controllersDir: string; configsDir: string },
  readFile: (path: string) => Promise<string | undefined>,
  opts: { serviceAccountName?: string } = {},
): Promise<RenderedIntoChain> {
  const files: FileChange[] = [];
  const objects: RenderedIntoChain['objects'] = [];
  const write = (path: string, objs: any[], header: string) => {
    if (opts.serviceAccountName)
      for (const o of objs)
        if (o.kind === 'HelmRelease')
          o.spec = { serviceAccountName: opts.serviceAccountName, ...o.spec };
    files.push({ path, content: toYaml(objs, `${GENERATED_BY}\n${header}`) });
    objects.push({ path, objects: objs });
  };
  const extend = async (dir: string, entries: string[]) => {
    const path = `${dir}/kustomization.yaml`;
    const existing = (await readFile(path)) ?? '';
    files.push({
      path,
      content: addKustomizeResources(path, existing, entries),
      update: true,
    });
  };

  write(
    `${dirs.controllersDir}/${CHAIN_OPERATOR_FILE}`,
    [
      namespaceManifest(input.operatorNamespace),
      input.chartSource === 'oci'
        ? esoOciRepository(input.esoVersion)
        : esoHelmRepository(),
      esoHelmRelease({
        esoVersion: input.esoVersion,
        chartSource: input.chartSource,
        operatorNamespace: input.operatorNamespace,
        crdsFromGit: false,
      }),
    ],
    `External Secrets Operator ${input.esoVersion} with its CRDs (kept on uninstall). This folder's Flux\nKustomization waits for the release, and the configs step depends on it: stores never race the CRDs or webhook.`,
  );
  await extend(dirs.controllersDir, [CHAIN_OPERATOR_FILE]);

  const configs: string[] = [];
  const store = input.store;
  if (store.kind === 'SecretStore' && store.createNamespace) {
    const file = namespaceFileName(store.namespace!);
    write(
      `${dirs.configsDir}/${file}`,
      [namespaceManifest(store.namespace!)],
      'Namespace of the SecretStore.',
    );
    configs.push(file);
  }
  const storeFile = storeFileName(store);
  write(
    `${dirs.configsDir}/${storeFile}`,
    [secretStoreManifest(store, input.operatorNamespace)],
    `${store.kind} ${store.name}. Its credentials are referenced by name; create them by hand (see the pull request).`,
  );
  configs.push(storeFile);
  for (const es of input.externalSecrets) {
    const file = externalSecretFileName(es);
    write(
      `${dirs.configsDir}/${file}`,
      [externalSecretManifest(es, { kind: store.kind, name: store.name })],
      `ExternalSecret ${es.namespace}/${es.name} → Secret ${
        es.targetSecretName ?? es.name
      }.`,
    );
    configs.push(file);
  }
  await extend(dirs.configsDir, configs);
  return { ...dirs, files, objects };
}
