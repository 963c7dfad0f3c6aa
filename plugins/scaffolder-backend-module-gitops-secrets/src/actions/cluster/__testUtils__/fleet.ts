import fs from 'node:fs';
import path from 'node:path';
import {
  buildClusterBootstrapConfig,
  buildCredentialsClusterResourceSet,
  buildLeafClusterTemplate,
} from '../../../manifests/cluster';
import { toYaml } from '../../../manifests/secrets/yaml';
import {
  bootstrappedFiles,
  clusterFiles,
} from '../../secrets/__testUtils__/fixtures';

export const MGMT = 'clusters/management';
export const SHARED_SECRETS = 'clusters/bases/secrets';

/** The seed guide's CAPITemplate, unmodified (see render/__testdata__). */
export const SEED_TEMPLATE = fs.readFileSync(
  path.join(
    __dirname,
    '..',
    '..',
    '..',
    'render',
    '__testdata__',
    'seed-capi-template.yaml',
  ),
  'utf8',
);

/** A fleet repository before add-template: the management cluster as flux bootstrap left it. */
export async function managementRepo(): Promise<Record<string, string>> {
  const files = clusterFiles(MGMT);
  // The shared secrets bootstrap, as gitops:secrets:bootstrap writes it for that folder.
  const shared = await bootstrappedFiles(SHARED_SECRETS);
  for (const [p, c] of Object.entries(shared))
    if (p.startsWith(`${SHARED_SECRETS}/external-secrets/`)) files[p] = c;
  return files;
}

/** The fleet after an add-template PR was merged (template, bootstrap config, resource set). */
export async function fleetRepo(
  opts: {
    extra?: Record<string, string>;
    capiVersion?: 'v1beta1' | 'v1beta2';
  } = {},
): Promise<Record<string, string>> {
  const files = await managementRepo();
  files[`${MGMT}/capi/templates/leaf-cluster.yaml`] = toYaml([
    buildLeafClusterTemplate({
      name: 'leaf-cluster',
      namespace: 'default',
      capiVersion: opts.capiVersion,
    }),
  ]);
  files[`${MGMT}/capi/bootstrap/default/cluster-bootstrap-config.yaml`] =
    toYaml([
      buildClusterBootstrapConfig({
        namespace: 'default',
        owner: 'acme',
        repository: 'fleet',
        branch: 'main',
        clustersPath: 'clusters',
        tokenSecret: {
          name: 'flux-bootstrap-github-token',
          key: 'GITHUB_TOKEN',
        },
      }),
    ]);
  files[`${MGMT}/capi/bootstrap/default/credentials-resource-set.yaml`] =
    toYaml([
      buildCredentialsClusterResourceSet({
        namespace: 'default',
        wrapperSecretName: 'eso-credentials-crs',
      }),
    ]);
  files[`${MGMT}/capi/kustomization.yaml`] = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - templates/leaf-cluster.yaml',
    '  - bootstrap/default/cluster-bootstrap-config.yaml',
    '  - bootstrap/default/credentials-resource-set.yaml',
    '',
  ].join('\n');
  files[`${MGMT}/kustomization.yaml`] = files[
    `${MGMT}/kustomization.yaml`
  ].replace(
    '  - apps.yaml # team apps\n',
    '  - apps.yaml # team apps\n  - capi\n',
  );
  return { ...files, ...opts.extra };
}
