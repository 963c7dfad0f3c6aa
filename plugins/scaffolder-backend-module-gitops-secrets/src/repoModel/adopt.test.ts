/*
 * planAdopt on small synthetic repositories (the real ones are in
 * realRepos.test.ts): each refusal names its class, and the plan's edits.
 */
import { parseAllDocuments } from 'yaml';
import { compareVersions, planAdopt } from './adopt';
import { buildClusterModel } from './build';
import { readerFromFiles } from './readers';
import { fluxBootstrapSync } from './__testUtils__/fluxBootstrap';

const CLUSTER = 'clusters/prod';

/** A synthetic cluster: flux bootstrap, an apps Kustomization per app, ESO with a store after it. */
function repo(opts: {
  version?: string;
  values?: string;
  operatorDependsOn?: string;
  hrInRoot?: boolean;
  storeDependsOn?: boolean;
}): Record<string, string> {
  const hr = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: external-secrets
  namespace: security
spec:
  interval: 1h
  chart:
    spec:
      chart: external-secrets
      version: ${opts.version ?? '2.9.0'}
      sourceRef:
        kind: HelmRepository
        name: external-secrets
  values:
    # keep this comment
    replicaCount: 2${opts.values ?? ''}
`;
  const files: Record<string, string> = {
    ...fluxBootstrapSync(CLUSTER, 'example/fleet'),
    'apps/eso/app/helmrelease.yaml': hr,
    'apps/eso/app/repo.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: external-secrets
  namespace: security
spec:
  url: https://charts.external-secrets.io
`,
    'apps/eso/stores/store.yaml': `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: vault
spec:
  provider:
    vault:
      server: https://vault.example.com
      auth:
        tokenSecretRef:
          name: vault-token
          key: token
          namespace: security
`,
    [`${CLUSTER}/eso.yaml`]: `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: eso
  namespace: flux-system
spec:
  interval: 1h${
    opts.operatorDependsOn
      ? `\n  dependsOn:\n    - name: ${opts.operatorDependsOn}`
      : ''
  }
  path: ./apps/eso/app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: eso-stores
  namespace: flux-system
spec:
  interval: 1h${opts.storeDependsOn ? '\n  dependsOn:\n    - name: eso' : ''}
  path: ./apps/eso/stores
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
  };
  if (opts.hrInRoot) {
    delete files[`${CLUSTER}/eso.yaml`];
    files[`${CLUSTER}/eso-hr.yaml`] = hr;
  }
  return files;
}

async function plan(files: Record<string, string>) {
  const model = await buildClusterModel(readerFromFiles(files), CLUSTER);
  return planAdopt(model, async p => files[p]);
}

const KEEP =
  '\n    crds:\n      annotations:\n        helm.sh/resource-policy: keep';

describe('planAdopt (synthetic repositories)', () => {
  it.each([
    [
      'an unpinned chart',
      { version: '">=2.0.0"' },
      /does not pin an exact chart version/,
    ],
    [
      'a chart before 0.16.1',
      { version: '0.15.1' },
      /is chart 0\.15\.1: ESO's CRDs before 0\.16\.1 use a conversion webhook/,
    ],
    [
      'a HelmRelease the cluster root applies itself',
      { hrInRoot: true },
      /the cluster's root/,
    ],
    [
      'a chart without CRDs and nothing else installing them',
      { values: '\n    installCRDs: false' },
      /adopt cannot tell what installs them/,
    ],
  ])('refuses %s', async (_what, opts, refused) => {
    await expect(plan(repo(opts))).rejects.toThrow(refused);
  });

  it('names a Kustomization applying ESO objects that the operator waits for, and adds no dependsOn cycle', async () => {
    const p = await plan(
      repo({ operatorDependsOn: 'eso-stores', values: KEEP }),
    );
    expect(p.leftAsIs.join('\n')).toMatch(
      /applied by flux-system\/eso-stores: the operator's Kustomization waits for it/,
    );
  });

  it('step 1 only annotates the chart CRDs keep, comments kept', async () => {
    const files = repo({});
    const p = await plan(files);
    expect(p.phase).toBe('keep-crds');
    expect(p.files.map(f => f.path)).toEqual(['apps/eso/app/helmrelease.yaml']);
    const text = p.files[0].content;
    expect(text).toContain('# keep this comment');
    expect(parseAllDocuments(text)[0].toJS().spec.values.crds).toEqual({
      annotations: { 'helm.sh/resource-policy': 'keep' },
    });
  });

  it('step 2 hands the CRDs over: their own step in the operator Kustomization file, waited for, stores after the operator', async () => {
    const files = repo({ values: KEEP });
    const p = await plan(files);
    expect(p.phase).toBe('split');
    const out = Object.fromEntries(p.files.map(f => [f.path, f.content]));
    const docs = parseAllDocuments(out[`${CLUSTER}/eso.yaml`]).map(d =>
      d.toJS(),
    );
    expect(
      docs.map(d => [
        d.kind,
        d.metadata.name,
        d.spec.dependsOn,
        d.spec.wait,
        d.spec.ref?.tag,
      ]),
    ).toEqual([
      [
        'Kustomization',
        'eso',
        [{ name: 'external-secrets-crds' }],
        true,
        undefined,
      ],
      ['Kustomization', 'eso-stores', [{ name: 'eso' }], undefined, undefined],
      [
        'GitRepository',
        'external-secrets-crds',
        undefined,
        undefined,
        'v2.9.0',
      ],
      ['Kustomization', 'external-secrets-crds', undefined, true, undefined],
    ]);
    expect(
      parseAllDocuments(out['apps/eso/app/helmrelease.yaml'])[0].toJS().spec
        .values.installCRDs,
    ).toBe(false);
  });

  it.each([
    ['0.16.1', '0.16.0', 1],
    ['0.9.18', '0.16.0', -1],
    ['v2.9.0', '2.9.0', 0],
    ['>=1.0.0', '1.0.0', undefined],
  ])('compareVersions(%s, %s) is %s', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});
