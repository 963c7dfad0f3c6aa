import { InputError } from '@backstage/errors';
import { BOOTSTRAP_NAMES } from '@golden-gitops/plugin-gitops-secrets-common';
import { parseAllDocuments } from 'yaml';
import type { FileChange } from '../../github';
import type { AddExternalSecretInput } from '../../actions/secrets/inputs';
import { normaliseRepoPath } from '../../validation';
import { externalSecretManifest, namespaceManifest } from './eso';
import {
  bootstrapLayout,
  externalSecretFileName,
  namespaceFileName,
} from './layout';
import { addKustomizeResources, toYaml } from './yaml';

/** Name of the template that writes the bootstrap (see templates/eso-flux-bootstrap). */
export const BOOTSTRAP_TEMPLATE_NAME = 'eso-flux-bootstrap';

export interface StoreFound {
  kind: 'SecretStore' | 'ClusterSecretStore';
  name: string;
  namespace?: string;
  path: string;
}

export interface RenderedExternalSecret {
  crsDir: string;
  files: FileChange[];
  objects: Array<{ path: string; objects: object[] }>;
  store: StoreFound;
  kustomizationMissing: boolean;
}

function parseObjects(content: string): Array<Record<string, any>> {
  try {
    return parseAllDocuments(content)
      .map(d => (d.errors.length ? undefined : d.toJS()))
      .filter((o): o is Record<string, any> => !!o && typeof o === 'object');
  } catch {
    return [];
  }
}

/**
 * Finds the bootstrap's CRs folder from the external-secrets-crs
 * Kustomization under `clusterPath`. Throws an InputError naming the
 * bootstrap template when the repository has no bootstrap there.
 */
export async function findCrsDir(
  clusterPath: string,
  readFile: (path: string) => Promise<string | undefined>,
  baseBranch: string,
): Promise<string> {
  const layout = bootstrapLayout(clusterPath);
  const content = await readFile(layout.crs);
  const kustomization = content
    ? parseObjects(content).find(
        o =>
          o.kind === 'Kustomization' &&
          String(o.apiVersion ?? '').startsWith(
            'kustomize.toolkit.fluxcd.io/',
          ) &&
          o.metadata?.name === BOOTSTRAP_NAMES.crs,
      )
    : undefined;
  if (!kustomization) {
    throw new InputError(
      `clusterPath: ${clusterPath} has no External Secrets bootstrap on ${baseBranch} (${layout.crs} with Kustomization ${BOOTSTRAP_NAMES.crs} is missing). Run the "${BOOTSTRAP_TEMPLATE_NAME}" template (action gitops:secrets:bootstrap) for this cluster first, and merge its pull request.`,
    );
  }
  const path = String(kustomization.spec?.path ?? '');
  const normalised = normaliseRepoPath(path);
  if ('error' in normalised) {
    throw new InputError(
      `clusterPath: Kustomization ${BOOTSTRAP_NAMES.crs} in ${
        layout.crs
      } has an unusable spec.path ${JSON.stringify(path)} (${
        normalised.error
      })`,
    );
  }
  return normalised.path;
}

/** Stores defined in the CRs folder. */
export async function findStores(
  crsDir: string,
  listFiles: (dir: string) => Promise<string[]>,
  readFile: (path: string) => Promise<string | undefined>,
): Promise<StoreFound[]> {
  const files = (await listFiles(crsDir)).filter(p => /\.ya?ml$/.test(p));
  const stores: StoreFound[] = [];
  for (const path of files) {
    const content = await readFile(path);
    if (!content || !/SecretStore/.test(content)) continue;
    for (const o of parseObjects(content)) {
      if (
        (o.kind === 'SecretStore' || o.kind === 'ClusterSecretStore') &&
        String(o.apiVersion ?? '').startsWith('external-secrets.io/') &&
        typeof o.metadata?.name === 'string'
      ) {
        stores.push({
          kind: o.kind,
          name: o.metadata.name,
          namespace: o.metadata.namespace,
          path,
        });
      }
    }
  }
  return stores;
}

/** Renders the ExternalSecret into the bootstrap's CRs folder and lists it in that folder's kustomization.yaml. */
export async function renderExternalSecret(
  input: AddExternalSecretInput,
  repo: {
    baseBranch: string;
    readFile(path: string): Promise<string | undefined>;
    listFiles(dir: string): Promise<string[]>;
  },
  /** The folder and its stores when the repository model located them (ESO set up by hand); default: the bootstrap's CRs folder. */
  located?: { crsDir: string; stores: StoreFound[] },
): Promise<RenderedExternalSecret> {
  const crsDir =
    located?.crsDir ??
    (await findCrsDir(input.clusterPath, repo.readFile, repo.baseBranch));
  const stores =
    located?.stores ??
    (await findStores(crsDir, repo.listFiles, repo.readFile));
  const store = stores.find(
    s => s.kind === input.storeRef.kind && s.name === input.storeRef.name,
  );
  if (!store) {
    const known = stores.length
      ? stores
          .map(
            s => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`,
          )
          .join(', ')
      : 'none';
    throw new InputError(
      `storeRef: no ${input.storeRef.kind} named "${input.storeRef.name}" in ${crsDir} on ${repo.baseBranch} (stores there: ${known})`,
    );
  }
  if (store.kind === 'SecretStore' && store.namespace !== input.namespace) {
    throw new InputError(
      `storeRef: SecretStore ${store.name} is in namespace ${store.namespace} and serves only it; namespace must be ${store.namespace}, or use a ClusterSecretStore`,
    );
  }

  const files: FileChange[] = [];
  const objects: RenderedExternalSecret['objects'] = [];
  const resources: string[] = [];
  if (input.createNamespace) {
    const file = namespaceFileName(input.namespace);
    const ns = [namespaceManifest(input.namespace)];
    files.push({
      path: `${crsDir}/${file}`,
      content: toYaml(
        ns,
        'Written by the Backstage action gitops:secrets:add-external-secret.\nNamespace of the ExternalSecrets below it.',
      ),
    });
    objects.push({ path: `${crsDir}/${file}`, objects: ns });
    resources.push(file);
  }
  const file = externalSecretFileName(input);
  const es = [
    externalSecretManifest(input, { kind: store.kind, name: store.name }),
  ];
  files.push({
    path: `${crsDir}/${file}`,
    content: toYaml(
      es,
      `Written by the Backstage action gitops:secrets:add-external-secret.\nExternalSecret ${
        input.namespace
      }/${input.name} → Secret ${input.targetSecretName ?? input.name}, from ${
        store.kind
      } ${store.name}.`,
    ),
  });
  objects.push({ path: `${crsDir}/${file}`, objects: es });
  resources.push(file);

  const kustomizationPath = `${crsDir}/kustomization.yaml`;
  const existing = await repo.readFile(kustomizationPath);
  if (existing !== undefined) {
    files.push({
      path: kustomizationPath,
      content: addKustomizeResources(kustomizationPath, existing, resources),
      update: true,
    });
  }
  return {
    crsDir,
    files,
    objects,
    store,
    kustomizationMissing: existing === undefined,
  };
}
