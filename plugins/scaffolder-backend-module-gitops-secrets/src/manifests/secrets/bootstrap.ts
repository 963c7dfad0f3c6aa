import type { FileChange } from '../../github';
import type { BootstrapInput } from '../../actions/secrets/inputs';
import {
  externalSecretManifest,
  namespaceManifest,
  secretStoreManifest,
} from './eso';
import {
  crdsKustomization,
  crsKustomization,
  esoCrdsGitRepository,
  esoHelmRelease,
  esoHelmRepository,
  esoOciRepository,
  operatorKustomization,
} from './flux';
import {
  BOOTSTRAP_DIR,
  bootstrapLayout,
  BootstrapLayout,
  externalSecretFileName,
  namespaceFileName,
  storeFileName,
} from './layout';
import { addKustomizeResources, kustomizeConfig, toYaml } from './yaml';

/** Sets spec.serviceAccountName on a Flux Kustomization or HelmRelease (other objects are left alone). */
function withServiceAccount(o: any, name: string) {
  const isFlux =
    (o.kind === 'Kustomization' &&
      String(o.apiVersion).startsWith('kustomize.toolkit.fluxcd.io/')) ||
    (o.kind === 'HelmRelease' &&
      String(o.apiVersion).startsWith('helm.toolkit.fluxcd.io/'));
  if (isFlux) o.spec = { serviceAccountName: name, ...o.spec };
}

const GENERATED_BY =
  'Written by the Backstage action gitops:secrets:bootstrap.';

/** The rendered bootstrap: files to write and what they hold. */
export interface RenderedBootstrap {
  layout: BootstrapLayout;
  files: FileChange[];
  /** Every Kubernetes object written, by file (for dry-run output and tests). */
  objects: Array<{ path: string; objects: object[] }>;
  /** True when the cluster folder has no kustomization.yaml (Flux then generates one that picks up external-secrets/). */
  clusterKustomizationMissing: boolean;
}

/**
 * Renders the bootstrap for `input`. `readFile` reads the target branch, so
 * existing kustomization.yaml files are extended rather than replaced.
 */
export async function renderBootstrap(
  input: BootstrapInput,
  readFile: (path: string) => Promise<string | undefined>,
  opts: {
    /** serviceAccountName of every Flux Kustomization and HelmRelease written (a locked-down cluster needs one). */
    serviceAccountName?: string;
    /** Kind of the source named fluxSourceName (a flux-operator cluster may sync from an OCIRepository). Default GitRepository. */
    fluxSourceKind?: 'GitRepository' | 'OCIRepository';
  } = {},
): Promise<RenderedBootstrap> {
  const layout = bootstrapLayout(input.clusterPath);
  const crdsFromGit = input.crdsFrom === 'git';
  const files: FileChange[] = [];
  const objects: RenderedBootstrap['objects'] = [];
  const write = (path: string, objs: object[], header: string) => {
    if (opts.serviceAccountName)
      objs.forEach(o => withServiceAccount(o, opts.serviceAccountName!));
    if (opts.fluxSourceKind)
      objs.forEach((o: any) => {
        if (
          o.kind === 'Kustomization' &&
          o.spec?.sourceRef?.name === input.fluxSourceName &&
          o.spec.sourceRef.kind === 'GitRepository'
        )
          o.spec.sourceRef.kind = opts.fluxSourceKind;
      });
    files.push({ path, content: toYaml(objs, `${GENERATED_BY}\n${header}`) });
    objects.push({ path, objects: objs });
  };
  /** A kustomization.yaml: created, or extended when it exists. */
  const kustomization = async (
    path: string,
    resources: string[],
    header: string,
  ) => {
    const existing = await readFile(path);
    if (existing === undefined) {
      write(path, [kustomizeConfig(resources)], header);
    } else {
      files.push({
        path,
        content: addKustomizeResources(path, existing, resources),
        update: true,
      });
    }
  };

  // Sources.
  const sources: object[] = [];
  if (crdsFromGit) sources.push(esoCrdsGitRepository(input.esoVersion));
  sources.push(
    input.chartSource === 'oci'
      ? esoOciRepository(input.esoVersion)
      : esoHelmRepository(),
  );
  write(
    layout.sources,
    sources,
    `Sources of External Secrets Operator ${input.esoVersion}: ${
      crdsFromGit
        ? `its git repository at tag v${input.esoVersion} (CRDs only) and `
        : ''
    }its chart.`,
  );

  // The chain.
  if (crdsFromGit) {
    write(
      layout.crds,
      [crdsKustomization(input.esoVersion)],
      "Step 1 of 3: ESO's CRDs, from the git tag matching the chart. prune: false, so deleting\nthis Kustomization never deletes the CRDs and with them every ExternalSecret.",
    );
  }
  write(
    layout.operator,
    [
      operatorKustomization({
        path: layout.operatorDir,
        fluxSourceName: input.fluxSourceName,
        crdsFromGit,
      }),
    ],
    `Step ${
      crdsFromGit ? '2 of 3' : '1 of 2'
    }: the operator. wait: true makes this Kustomization Ready only when the\nHelmRelease is installed and the webhook answers${
      crdsFromGit ? '; it waits for the CRDs (dependsOn)' : ''
    }.`,
  );
  write(
    layout.crs,
    [
      crsKustomization({
        path: layout.crsDir,
        fluxSourceName: input.fluxSourceName,
      }),
    ],
    `Step ${
      crdsFromGit ? '3 of 3' : '2 of 2'
    }: stores and ExternalSecrets, applied only after the operator is Ready;\nhealthy when every store and ExternalSecret reports Ready.`,
  );
  await kustomization(
    layout.dirKustomization,
    [
      'sources.yaml',
      ...(crdsFromGit ? ['crds.yaml'] : []),
      'operator.yaml',
      'crs.yaml',
    ],
    'The bootstrap chain. operator/ and crs/ are applied by their own Kustomizations, not from here.',
  );

  // Operator payload.
  write(
    `${layout.operatorDir}/namespace.yaml`,
    [namespaceManifest(input.operatorNamespace)],
    'Namespace the operator runs in.',
  );
  write(
    `${layout.operatorDir}/helmrelease.yaml`,
    [
      esoHelmRelease({
        esoVersion: input.esoVersion,
        chartSource: input.chartSource,
        operatorNamespace: input.operatorNamespace,
        crdsFromGit,
      }),
    ],
    crdsFromGit
      ? 'The ESO chart without its CRDs (installCRDs: false): step 1 owns them.'
      : 'The ESO chart with its CRDs (kept on uninstall).',
  );
  await kustomization(
    `${layout.operatorDir}/kustomization.yaml`,
    ['namespace.yaml', 'helmrelease.yaml'],
    `Applied by Kustomization ${'external-secrets-operator'}.`,
  );

  // CRs payload.
  const crsResources: string[] = [];
  const store = input.store;
  if (store.kind === 'SecretStore' && store.createNamespace) {
    const file = namespaceFileName(store.namespace!);
    write(
      `${layout.crsDir}/${file}`,
      [namespaceManifest(store.namespace!)],
      'Namespace of the SecretStore.',
    );
    crsResources.push(file);
  }
  const storeFile = storeFileName(store);
  write(
    `${layout.crsDir}/${storeFile}`,
    [secretStoreManifest(store, input.operatorNamespace)],
    `${store.kind} ${store.name}. Its credentials are referenced by name; create them by hand (see the pull request).`,
  );
  crsResources.push(storeFile);
  for (const es of input.externalSecrets) {
    const file = externalSecretFileName(es);
    write(
      `${layout.crsDir}/${file}`,
      [externalSecretManifest(es, { kind: store.kind, name: store.name })],
      `ExternalSecret ${es.namespace}/${es.name} → Secret ${
        es.targetSecretName ?? es.name
      }.`,
    );
    crsResources.push(file);
  }
  await kustomization(
    `${layout.crsDir}/kustomization.yaml`,
    crsResources,
    'Applied by Kustomization external-secrets-crs after the operator is Ready.',
  );

  // The cluster entry.
  const clusterKustomization = await readFile(layout.clusterKustomization);
  if (clusterKustomization !== undefined) {
    files.push({
      path: layout.clusterKustomization,
      content: addKustomizeResources(
        layout.clusterKustomization,
        clusterKustomization,
        [BOOTSTRAP_DIR],
      ),
      update: true,
    });
  }

  return {
    layout,
    files,
    objects,
    clusterKustomizationMissing: clusterKustomization === undefined,
  };
}
