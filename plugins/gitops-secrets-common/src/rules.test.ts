import type { ClusterErrorType, Finding, FindingCode } from './model';
import { ObjectIndex } from './objects';
import {
  findRootCause,
  isExternalSecretStale,
  kubectlLook,
  removedApiVersionsIn,
  RULES,
} from './rules';
import type { SlimObject } from './slim';
import { summarizeCluster } from './summarize';
import type { SummarizeClusterInput } from './summarize';
import {
  SERVED_ALL,
  capiCluster,
  cond,
  deployment,
  esoCrd,
  externalSecret,
  gitRepository,
  gitopsCluster,
  healthyEso,
  helmRelease,
  kustomization,
  obj,
  secretStore,
} from './testing/builders';

const NOW = new Date('2026-08-20T12:00:00Z');

function run(
  objects: SlimObject[],
  extra: Partial<SummarizeClusterInput> = {},
) {
  return summarizeCluster({
    cluster: 'mgmt',
    objects,
    servedVersions: SERVED_ALL,
    now: NOW,
    ...extra,
  });
}

function findings(
  objects: SlimObject[],
  code: FindingCode,
  extra: Partial<SummarizeClusterInput> = {},
): Finding[] {
  return run(objects, extra).findings.filter(f => f.code === code);
}

const notReady = (reason: string, message: string) => [
  cond('Ready', 'False', reason, message),
];

describe('RULES', () => {
  it('has one rule per code, and every finding code except the cluster errors has a rule', () => {
    const codes = RULES.map(r => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual(
      expect.arrayContaining([
        'ESO_NOT_INSTALLED',
        'CRD_RACE',
        'WEBHOOK_RACE',
        'DEPENDENCY_NOT_READY',
        'CRD_VERSION_SKEW',
        'REMOVED_API_VERSION',
        'STORE_INVALID',
        'SECRET_SYNC_ERROR',
        'SECRET_STALE',
        'OBJECT_SUSPENDED',
        'OPERATOR_NOT_READY',
        'LEAF_NOT_BOOTSTRAPPED',
        'LEAF_CREDENTIALS_NOT_COPIED',
        'UNSUPPORTED_API',
      ]),
    );
  });
});

describe('ESO_NOT_INSTALLED', () => {
  it('says nothing when nothing installs or needs ESO (a Flux-only cluster, a Component without secrets)', () => {
    expect(findings([], 'ESO_NOT_INSTALLED', { servedVersions: {} })).toEqual(
      [],
    );
    expect(
      findings([kustomization('apps')], 'ESO_NOT_INSTALLED', {
        servedVersions: {},
      }),
    ).toEqual([]);
  });

  it('names the CRDs Kustomization when it exists but has not applied them', () => {
    const crds = kustomization('external-secrets-crds', {
      conditions: notReady('ArtifactFailed', 'source not found'),
    });
    const [f] = findings([crds], 'ESO_NOT_INSTALLED', { servedVersions: {} });
    expect(f.objects).toEqual([
      {
        kind: 'Kustomization',
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        namespace: 'flux-system',
        name: 'external-secrets-crds',
      },
    ]);
    expect(f.detail).toContain('source not found');
    expect(f.command).toBe(
      'kubectl --context mgmt -n flux-system get kustomization external-secrets-crds -o yaml',
    );
  });

  it('is an error when a Flux object applies ESO objects and nothing installs ESO', () => {
    const racing = kustomization('cluster-secrets', {
      conditions: notReady(
        'ReconciliationFailed',
        'ExternalSecret/orders/db dry-run failed: no matches for kind "ExternalSecret" in version "external-secrets.io/v1"',
      ),
    });
    const [f] = findings([racing], 'ESO_NOT_INSTALLED', { servedVersions: {} });
    expect(f.severity).toBe('error');
    expect(f.detail).toContain('Kustomization flux-system/cluster-secrets');
    expect(f.objects.map(o => o.name)).toEqual(['cluster-secrets']);
  });

  it('is a warning while the ESO HelmRelease is still installing, an error when it fails', () => {
    const installing = helmRelease('external-secrets', {
      conditions: [
        cond('Ready', 'Unknown', 'Progressing', 'Running install'),
        cond('Reconciling', 'True', 'Progressing'),
      ],
    });
    const [w] = findings([installing], 'ESO_NOT_INSTALLED', {
      servedVersions: {},
    });
    expect(w.severity).toBe('warning');
    expect(w.detail).toContain('is still installing it');
    const failed = helmRelease('external-secrets', {
      conditions: [cond('Ready', 'False', 'InstallFailed', 'timed out')],
    });
    const [e] = findings([failed], 'ESO_NOT_INSTALLED', { servedVersions: {} });
    expect(e.severity).toBe('error');
    expect(e.fix).toContain('HelmRelease flux-system/external-secrets');
    expect(e.fix).toContain('flux reconcile helmrelease external-secrets -n flux-system');
  });

  it('does not fire when ESO CRDs exist', () => {
    expect(
      findings(healthyEso(), 'ESO_NOT_INSTALLED', { servedVersions: {} }),
    ).toEqual([]);
  });

  it('does not fire when the API is served even without CRD objects', () => {
    expect(
      findings([], 'ESO_NOT_INSTALLED', {
        servedVersions: { 'externalsecrets.external-secrets.io': 'v1' },
      }),
    ).toEqual([]);
  });

  it('gives way to UNSUPPORTED_API when only removed ESO versions are served', () => {
    const status = run([], {
      servedVersions: {},
      unsupported: [
        {
          kind: 'externalsecrets.external-secrets.io',
          servedVersions: ['v1beta1'],
        },
      ],
    });
    expect(status.findings.map(f => f.code)).toEqual(['UNSUPPORTED_API']);
  });
});

describe('UNSUPPORTED_API', () => {
  it.each(['externalsecrets.external-secrets.io', 'ExternalSecret'])(
    'names the kind given as %s',
    kind => {
      const [f] = findings(healthyEso(), 'UNSUPPORTED_API', {
        unsupported: [{ kind, servedVersions: ['v1beta1'] }],
      });
      expect(f.title).toBe('ExternalSecret is served only as v1beta1');
      expect(f.detail).toContain('external-secrets.io/v1,');
      expect(f.fix).toContain('External Secrets Operator');
    },
  );

  it('does not fire without unsupported kinds', () => {
    expect(findings(healthyEso(), 'UNSUPPORTED_API')).toEqual([]);
  });
});

const CRD_RACE_MESSAGE =
  'ExternalSecret/app/db dry-run failed: no matches for kind "ExternalSecret" in version "external-secrets.io/v1"';

describe('CRD_RACE', () => {
  it('fires for a Flux object applying ESO kinds before the CRDs', () => {
    const apps = kustomization('apps', {
      conditions: notReady('ReconciliationFailed', CRD_RACE_MESSAGE),
    });
    const [f] = findings([...healthyEso(), apps], 'CRD_RACE');
    expect(f.severity).toBe('error');
    expect(f.objects[0].name).toBe('apps');
    expect(f.fix).toContain('external-secrets-crds');
    expect(f.fix).toContain('external-secrets-operator');
    expect(f.command).toBe(
      'kubectl --context mgmt -n flux-system get kustomization apps -o yaml',
    );
  });

  it('says whether the object depends on the CRDs Kustomization', () => {
    const crds = kustomization('external-secrets-crds', {
      conditions: [
        cond('Reconciling', 'True'),
        cond('Ready', 'Unknown', 'Progressing'),
      ],
    });
    const linked = kustomization('apps', {
      spec: { dependsOn: [{ name: 'external-secrets-crds' }] },
      conditions: notReady('ReconciliationFailed', CRD_RACE_MESSAGE),
    });
    expect(findings([crds, linked], 'CRD_RACE')[0].detail).toContain(
      'It depends on Kustomization flux-system/external-secrets-crds',
    );
    const unlinked = kustomization('apps', {
      conditions: notReady('ReconciliationFailed', CRD_RACE_MESSAGE),
    });
    expect(findings([crds, unlinked], 'CRD_RACE')[0].detail).toContain(
      'It does not depend on',
    );
  });

  it('also reads HelmRelease messages', () => {
    const hr = helmRelease('app', {
      conditions: notReady('InstallFailed', CRD_RACE_MESSAGE),
    });
    expect(findings([...healthyEso(), hr], 'CRD_RACE')).toHaveLength(1);
  });

  it.each([
    [
      'a Ready object',
      [cond('Ready', 'True', 'ReconciliationSucceeded', CRD_RACE_MESSAGE)],
    ],
    [
      'another API group',
      notReady(
        'ReconciliationFailed',
        'no matches for kind "Foo" in version "example.com/v1"',
      ),
    ],
    [
      'a removed ESO version',
      notReady(
        'ReconciliationFailed',
        'no matches for kind "ExternalSecret" in version "external-secrets.io/v1beta1"',
      ),
    ],
  ])('does not fire for %s', (_n, conditions) => {
    expect(
      findings(
        [...healthyEso(), kustomization('apps', { conditions })],
        'CRD_RACE',
      ),
    ).toEqual([]);
  });
});

const WEBHOOK_MESSAGE =
  'ExternalSecret/app/db dry-run failed (InternalError): Internal error occurred: failed calling webhook "validate.externalsecret.external-secrets.io": failed to call webhook: Post "https://external-secrets-webhook.external-secrets.svc:443/validate": dial tcp 10.96.0.12:443: connect: connection refused';

describe('WEBHOOK_RACE', () => {
  it('asks for wait: true on the operator and a dependsOn on it', () => {
    const operator = kustomization('external-secrets-operator', {
      spec: { wait: false },
    });
    const crs = kustomization('external-secrets-crs', {
      conditions: notReady('ReconciliationFailed', WEBHOOK_MESSAGE),
    });
    const [f] = findings([...healthyEso(), operator, crs], 'WEBHOOK_RACE');
    expect(f.title).toContain('external-secrets-crs');
    expect(f.fix).toContain(
      'Set wait: true on Kustomization flux-system/external-secrets-operator',
    );
    expect(f.fix).toContain(
      'add dependsOn flux-system/external-secrets-operator to Kustomization flux-system/external-secrets-crs',
    );
    expect(f.objects.map(o => o.name)).toEqual([
      'external-secrets-crs',
      'external-secrets-operator',
    ]);
  });

  it('asks only for what is missing', () => {
    const operator = kustomization('external-secrets-operator', {
      spec: { wait: true },
    });
    const crs = kustomization('external-secrets-crs', {
      spec: { dependsOn: [{ name: 'external-secrets-operator' }] },
      conditions: notReady(
        'ReconciliationFailed',
        WEBHOOK_MESSAGE.replace(
          'connect: connection refused',
          'no endpoints available for service "external-secrets-webhook"',
        ),
      ),
    });
    const [f] = findings([...healthyEso(), operator, crs], 'WEBHOOK_RACE');
    expect(f.fix).not.toContain('wait: true');
    expect(f.fix).not.toContain('add dependsOn');
    expect(f.fix).toContain('retries');
  });

  it('asks to create the operator Kustomization when there is none', () => {
    const crs = kustomization('external-secrets-crs', {
      conditions: notReady('ReconciliationFailed', WEBHOOK_MESSAGE),
    });
    expect(findings([...healthyEso(), crs], 'WEBHOOK_RACE')[0].fix).toContain(
      'Create Kustomization flux-system/external-secrets-operator',
    );
  });

  it.each([
    [
      'another webhook',
      WEBHOOK_MESSAGE.replace(
        'validate.externalsecret.external-secrets.io',
        'validate.kyverno.svc',
      ),
    ],
    [
      'a different failure',
      WEBHOOK_MESSAGE.replace(
        'connect: connection refused',
        'context deadline exceeded',
      ),
    ],
  ])('does not fire for %s', (_n, message) => {
    const crs = kustomization('external-secrets-crs', {
      conditions: notReady('ReconciliationFailed', message),
    });
    expect(findings([...healthyEso(), crs], 'WEBHOOK_RACE')).toEqual([]);
  });
});

describe('REMOVED_API_VERSION', () => {
  it.each([
    ['kustomize.toolkit.fluxcd.io/v1beta2', 'kustomize.toolkit.fluxcd.io/v1'],
    ['helm.toolkit.fluxcd.io/v2beta1', 'helm.toolkit.fluxcd.io/v2'],
    ['source.toolkit.fluxcd.io/v1beta1', 'source.toolkit.fluxcd.io/v1'],
    ['external-secrets.io/v1beta1', 'external-secrets.io/v1'],
  ])('%s → %s', (removed, replacement) => {
    const k = kustomization('cluster-secrets', {
      spec: {
        path: './cluster-secrets',
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
      conditions: notReady(
        'ReconciliationFailed',
        `Kind/x dry-run failed: no matches for kind "X" in version "${removed}"`,
      ),
    });
    const [f] = findings([...healthyEso(), k], 'REMOVED_API_VERSION');
    expect(f.fix).toContain(`apiVersion ${removed} to ${replacement}`);
    expect(f.fix).toContain(
      'path ./cluster-secrets of GitRepository flux-system',
    );
  });

  it.each([
    [
      'a current ESO version',
      'no matches for kind "ExternalSecret" in version "external-secrets.io/v1"',
    ],
    [
      'a current generator version',
      'no matches for kind "Password" in version "generators.external-secrets.io/v1alpha1"',
    ],
    [
      'a longer version',
      'no matches for kind "X" in version "external-secrets.io/v1beta12"',
    ],
  ])('does not fire for %s', (_n, message) => {
    const k = kustomization('apps', {
      conditions: notReady('ReconciliationFailed', message),
    });
    expect(findings([...healthyEso(), k], 'REMOVED_API_VERSION')).toEqual([]);
  });

  it('finds versions as whole tokens', () => {
    expect(
      removedApiVersionsIn(
        'uses external-secrets.io/v1alpha1 and helm.toolkit.fluxcd.io/v2beta2',
      ).map(r => r.apiVersion),
    ).toEqual([
      'helm.toolkit.fluxcd.io/v2beta2',
      'external-secrets.io/v1alpha1',
    ]);
    expect(
      removedApiVersionsIn('generators.external-secrets.io/v1alpha1'),
    ).toEqual([]);
  });
});

describe('DEPENDENCY_NOT_READY', () => {
  const waiting = (on: string) =>
    notReady(
      'DependencyNotReady',
      `dependency 'flux-system/${on}' is not ready`,
    );

  it('follows a 3-deep chain to the failing root: one finding there, listing what it blocks', () => {
    const crds = kustomization('external-secrets-crds', {
      conditions: notReady('HealthCheckFailed', 'timeout waiting for CRDs'),
    });
    const operator = kustomization('external-secrets-operator', {
      spec: { dependsOn: [{ name: 'external-secrets-crds' }] },
      conditions: waiting('external-secrets-crds'),
    });
    const crs = kustomization('external-secrets-crs', {
      spec: { dependsOn: [{ name: 'external-secrets-operator' }] },
      conditions: waiting('external-secrets-operator'),
    });
    const status = run([...healthyEso(), crds, operator, crs]);
    expect(
      status.findings.filter(f => f.code === 'DEPENDENCY_NOT_READY'),
    ).toEqual([]);
    const root = status.findings.filter(f => f.code === 'KUSTOMIZATION_FAILED');
    expect(root).toHaveLength(1);
    const [f] = root;
    expect(f.severity).toBe('error');
    expect(f.category).toBe('health-check-failed');
    expect(f.objects.map(o => o.name)).toEqual(['external-secrets-crds']);
    expect(f.blocks?.map(o => o.name)).toEqual([
      'external-secrets-operator',
      'external-secrets-crs',
    ]);
    expect(f.detail).toContain('timeout waiting for CRDs');
    expect(f.detail).toContain(
      'Blocked by it: Kustomization flux-system/external-secrets-operator, Kustomization flux-system/external-secrets-crs.',
    );
    expect(f.command).toBe(
      'kubectl --context mgmt -n flux-system describe kustomization external-secrets-crds',
    );
    // The blocked objects point at the root.
    const crsStatus = status.flux.objects.find(
      o => o.ref.name === 'external-secrets-crs',
    );
    expect(crsStatus?.blockedBy?.name).toBe('external-secrets-crds');
  });

  it('stops at the first not-ready dependency whose own dependencies are ready', () => {
    const a = kustomization('a');
    const b = kustomization('b', {
      spec: { dependsOn: [{ name: 'a' }] },
      conditions: [
        cond('Reconciling', 'True'),
        cond('Ready', 'Unknown', 'Progressing'),
      ],
    });
    const c = kustomization('c', {
      spec: { dependsOn: [{ name: 'b' }] },
      conditions: waiting('b'),
    });
    const index = new ObjectIndex([a, b, c]);
    expect(findRootCause(index, c)).toMatchObject({ type: 'notReady', obj: b });
    const [f] = findings([...healthyEso(), a, b, c], 'DEPENDENCY_NOT_READY');
    // A dependency still reconciling is worth a warning, not an error.
    expect(f.severity).toBe('warning');
    expect(f.objects[0].name).toBe('b');
  });

  it('reports a cycle', () => {
    const a = kustomization('a', {
      spec: { dependsOn: [{ name: 'b' }] },
      conditions: waiting('b'),
    });
    const b = kustomization('b', {
      spec: { dependsOn: [{ name: 'c' }] },
      conditions: waiting('c'),
    });
    const c = kustomization('c', {
      spec: { dependsOn: [{ name: 'a' }] },
      conditions: waiting('a'),
    });
    const root = findRootCause(new ObjectIndex([a, b, c]), a);
    expect(root?.type).toBe('cycle');
    const list = findings([...healthyEso(), a, b, c], 'DEPENDENCY_NOT_READY');
    expect(list).toHaveLength(1);
    expect(list[0].title).toMatch(/^dependsOn cycle: /);
    expect(list[0].severity).toBe('error');
    expect(list[0].objects.map(o => o.name).sort()).toEqual(['a', 'b', 'c']);
  });

  it('reports a missing dependency, resolving its namespace', () => {
    const a = kustomization('a', {
      spec: { dependsOn: [{ name: 'infra', namespace: 'platform' }] },
      conditions: waiting('infra'),
    });
    const [f] = findings([...healthyEso(), a], 'DEPENDENCY_NOT_READY');
    expect(f.title).toBe('Kustomization platform/infra does not exist');
    expect(f.objects[0]).toEqual({
      kind: 'Kustomization',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      namespace: 'platform',
      name: 'infra',
    });
    expect(f.fix).toContain('correct the dependsOn entry');
  });

  it('groups everything blocked by one root into the root’s one finding', () => {
    const root = kustomization('root', {
      conditions: notReady('BuildFailed', 'kustomize build failed'),
    });
    const x = kustomization('x', {
      spec: { dependsOn: [{ name: 'root' }] },
      conditions: waiting('root'),
    });
    const y = kustomization('y', {
      spec: { dependsOn: [{ name: 'root' }] },
      conditions: waiting('root'),
    });
    const all = run([...healthyEso(), root, x, y]).findings;
    expect(all.map(f => f.code)).toEqual(['KUSTOMIZATION_FAILED']);
    expect(all[0].blocks?.map(o => o.name)).toEqual(['x', 'y']);
  });

  it.each([
    [
      'all are ready',
      [
        kustomization('a'),
        kustomization('b', { spec: { dependsOn: [{ name: 'a' }] } }),
      ],
    ],
    [
      'the dependent is ready though its dependency is not',
      [
        kustomization('a', { conditions: notReady('BuildFailed', 'x') }),
        kustomization('b', { spec: { dependsOn: [{ name: 'a' }] } }),
      ],
    ],
    [
      'the object has no dependsOn',
      [kustomization('a', { conditions: notReady('BuildFailed', 'x') })],
    ],
  ])('does not fire when %s', (_n, objects) => {
    expect(
      findings([...healthyEso(), ...objects], 'DEPENDENCY_NOT_READY'),
    ).toEqual([]);
  });
});

describe('CRD_VERSION_SKEW', () => {
  const chart = (version: string) =>
    helmRelease('external-secrets', {
      spec: { chart: { chart: 'external-secrets', version } },
      status: { history: [{ chartVersion: version }] },
    });

  it('compares the CRD version label with the installed chart', () => {
    const objects = [
      esoCrd('externalsecrets', 'ExternalSecret', {
        'app.kubernetes.io/version': 'v2.8.0',
      }),
      chart('2.9.0'),
    ];
    const [f] = findings(objects, 'CRD_VERSION_SKEW');
    expect(f.severity).toBe('warning');
    expect(f.title).toBe('ESO CRDs are 2.8.0 but the chart is 2.9.0');
  });

  it('never tells the user to retag the fleet repository the CRDs share with everything else', () => {
    const crd = esoCrd('externalsecrets', 'ExternalSecret', {
      'app.kubernetes.io/version': '2.8.0',
      'kustomize.toolkit.fluxcd.io/name': 'flux-system',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    const fleet = kustomization('flux-system', {
      spec: {
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        path: './clusters/mgmt',
      },
    });
    const apps = kustomization('apps', {
      spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    });
    const repo = gitRepository('flux-system', { branch: 'main' });
    const all = run([crd, fleet, apps, repo, chart('2.9.0')]).findings;
    const [f] = all.filter(x => x.code === 'CRD_VERSION_SKEW');
    expect(f.title).toBe('ESO CRDs are 2.8.0 but the chart is 2.9.0');
    expect(f.fix).not.toContain('GitRepository');
    expect(f.fix).toContain('Kustomization flux-system/flux-system applies (path ./clusters/mgmt)');
    expect(f.objects.map(o => o.kind)).not.toContain('GitRepository');
    // A fleet on a branch is not "CRDs following a branch".
    const [branchOnly] = run([
      { ...crd, metadata: { ...crd.metadata, labels: { 'kustomize.toolkit.fluxcd.io/name': 'flux-system', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } } },
      fleet,
      apps,
      repo,
      chart('2.9.0'),
    ]).findings.filter(x => x.code === 'CRD_VERSION_SKEW');
    expect(branchOnly).toBeUndefined();
  });

  it('reads the CRD version from the git tag of the Kustomization that applied them', () => {
    const crd = esoCrd('externalsecrets', 'ExternalSecret', {
      'kustomize.toolkit.fluxcd.io/name': 'eso-crds',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    const ks = kustomization('eso-crds', {
      spec: {
        sourceRef: { kind: 'GitRepository', name: 'external-secrets' },
        path: './deploy/crds',
      },
    });
    const [f] = findings(
      [
        crd,
        ks,
        gitRepository('external-secrets', { tag: 'v2.8.1' }),
        chart('2.9.0'),
      ],
      'CRD_VERSION_SKEW',
    );
    expect(f.title).toBe('ESO CRDs are 2.8.1 but the chart is 2.9.0');
    expect(f.fix).toContain(
      'Set ref.tag of GitRepository flux-system/external-secrets to v2.9.0',
    );
  });

  it('warns about CRDs following a branch', () => {
    const crds = kustomization('external-secrets-crds', {
      spec: { sourceRef: { kind: 'GitRepository', name: 'external-secrets' } },
    });
    const [f] = findings(
      [
        esoCrd('externalsecrets', 'ExternalSecret'),
        crds,
        gitRepository('external-secrets', { branch: 'main' }),
        chart('2.9.0'),
      ],
      'CRD_VERSION_SKEW',
    );
    expect(f.title).toBe('ESO CRDs follow branch main');
    expect(f.fix).toContain('ref.tag v2.9.0');
  });

  it.each([
    [
      'the same version',
      [
        esoCrd('externalsecrets', 'ExternalSecret', {
          'app.kubernetes.io/version': 'v2.9.0',
        }),
        chart('2.9.0'),
      ],
    ],
    [
      'no chart version known',
      [
        esoCrd('externalsecrets', 'ExternalSecret', {
          'app.kubernetes.io/version': 'v2.8.0',
        }),
      ],
    ],
    [
      'no CRD version known',
      [esoCrd('externalsecrets', 'ExternalSecret'), chart('2.9.0')],
    ],
  ])('does not fire with %s', (_n, objects) => {
    expect(findings(objects, 'CRD_VERSION_SKEW')).toEqual([]);
  });
});

describe('OPERATOR_NOT_READY', () => {
  const crds = [esoCrd('externalsecrets', 'ExternalSecret')];

  it('fires when a Deployment has fewer ready replicas than desired', () => {
    const [f] = findings(
      [
        ...crds,
        deployment('external-secrets', 1, 0),
        deployment('external-secrets-webhook', 1, 1),
      ],
      'OPERATOR_NOT_READY',
    );
    expect(f.severity).toBe('error');
    expect(f.title).toContain('external-secrets/external-secrets 0/1 ready');
    expect(f.objects.map(o => o.name)).toEqual(['external-secrets']);
    expect(f.command).toBe(
      'kubectl --context mgmt -n external-secrets describe deployment external-secrets',
    );
  });

  it('warns when ESO is installed but no operator Deployment is found', () => {
    const [f] = findings(crds, 'OPERATOR_NOT_READY');
    expect(f.severity).toBe('warning');
  });

  it.each([
    ['all ready', [...healthyEso()], SERVED_ALL],
    ['ESO not installed', [deployment('external-secrets', 1, 0)], {}],
    [
      'Deployments not watched',
      crds,
      { 'externalsecrets.external-secrets.io': 'v1' },
    ],
  ])('does not fire when %s', (_n, objects, servedVersions) => {
    expect(findings(objects, 'OPERATOR_NOT_READY', { servedVersions })).toEqual(
      [],
    );
  });
});

describe('STORE_INVALID', () => {
  it('fires for a store with InvalidProviderConfig and lists its users', () => {
    const store = secretStore('aws', 'team-a', {
      conditions: notReady(
        'InvalidProviderConfig',
        'could not validate provider: missing region',
      ),
    });
    const es = externalSecret('db', 'team-a', {
      conditions: notReady('SecretSyncedError', 'store invalid'),
    });
    const [f] = findings([...healthyEso(), store, es], 'STORE_INVALID');
    expect(f.title).toBe(
      'SecretStore team-a/aws is invalid (InvalidProviderConfig)',
    );
    expect(f.fix).toContain('spec.provider.aws');
    expect(f.objects.map(o => `${o.kind}/${o.name}`)).toEqual([
      'SecretStore/aws',
      'ExternalSecret/db',
    ]);
    expect(f.command).toBe(
      'kubectl --context mgmt -n team-a describe secretstore aws',
    );
  });

  it('tells a ClusterSecretStore to set the namespace of its secretRefs', () => {
    const store = secretStore('aws', undefined, {
      conditions: notReady('InvalidProviderConfig', 'x'),
    });
    expect(
      findings([...healthyEso(), store], 'STORE_INVALID')[0].fix,
    ).toContain('a ClusterSecretStore must set their namespace');
  });

  it.each([
    ['Valid', [cond('Ready', 'True', 'Valid')]],
    [
      'ValidationUnknown (Ready True)',
      [cond('Ready', 'True', 'ValidationUnknown')],
    ],
  ])('does not fire for %s', (_n, conditions) => {
    expect(
      findings(
        [...healthyEso(), secretStore('aws', 'team-a', { conditions })],
        'STORE_INVALID',
      ),
    ).toEqual([]);
  });
});

describe('SECRET_SYNC_ERROR', () => {
  const store = secretStore('aws', 'team-a');

  it('fires for a failing ExternalSecret with a describe command', () => {
    const es = externalSecret('db', 'team-a', {
      conditions: notReady(
        'SecretSyncedError',
        'could not get secret data from provider',
      ),
    });
    const [f] = findings([...healthyEso(), store, es], 'SECRET_SYNC_ERROR');
    expect(f.title).toBe('ExternalSecret team-a/db fails to sync');
    expect(f.detail).toContain('could not get secret data from provider');
    expect(f.command).toBe(
      'kubectl --context mgmt -n team-a describe externalsecret db',
    );
  });

  it('groups failures by store', () => {
    const a = externalSecret('a', 'team-a', {
      conditions: notReady('SecretSyncedError', 'x'),
    });
    const b = externalSecret('b', 'team-a', {
      conditions: notReady('SecretSyncedError', 'y'),
    });
    const list = findings([...healthyEso(), store, a, b], 'SECRET_SYNC_ERROR');
    expect(list).toHaveLength(1);
    expect(list[0].title).toBe(
      '2 ExternalSecrets using SecretStore team-a/aws fail to sync',
    );
  });

  it('points at a missing store', () => {
    const es = externalSecret('db', 'team-a', {
      store: 'vault',
      conditions: notReady('SecretSyncedError', 'x'),
    });
    const [f] = findings([...healthyEso(), es], 'SECRET_SYNC_ERROR');
    expect(f.detail).toBe('SecretStore team-a/vault does not exist.');
  });

  it('fires for a ClusterExternalSecret with failed namespaces', () => {
    const ces = obj(
      'external-secrets.io/v1',
      'ClusterExternalSecret',
      'shared',
      {
        conditions: [cond('Ready', 'False')],
        status: {
          failedNamespaces: [
            { namespace: 'team-b', reason: 'namespace not found' },
          ],
        },
      },
    );
    const [f] = findings([...healthyEso(), ces], 'SECRET_SYNC_ERROR');
    expect(f.detail).toBe('team-b: namespace not found');
  });

  it('does not fire for synced secrets', () => {
    expect(
      findings(
        [...healthyEso(), store, externalSecret('db', 'team-a')],
        'SECRET_SYNC_ERROR',
      ),
    ).toEqual([]);
  });
});

describe('SECRET_STALE and isExternalSecretStale', () => {
  const at = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString();
  const HOUR = 3_600_000;

  it.each([
    ['refreshed just now', '1h', at(0), undefined, false],
    ['exactly 2× the interval ago', '1h', at(2 * HOUR), undefined, false],
    [
      'just over 2× the interval ago',
      '1h',
      at(2 * HOUR + 1000),
      undefined,
      true,
    ],
    ['1h30m interval, 3h ago', '1h30m', at(3 * HOUR), undefined, false],
    [
      '1h30m interval, 3h and 1s ago',
      '1h30m',
      at(3 * HOUR + 1000),
      undefined,
      true,
    ],
    [
      'refreshInterval 0 never refreshes',
      '0',
      at(1000 * HOUR),
      undefined,
      false,
    ],
    [
      'refreshInterval 0s never refreshes',
      '0s',
      at(1000 * HOUR),
      undefined,
      false,
    ],
    [
      'CreatedOnce never refreshes',
      '1h',
      at(1000 * HOUR),
      'CreatedOnce',
      false,
    ],
    [
      'OnChange never refreshes on a timer',
      '1h',
      at(1000 * HOUR),
      'OnChange',
      false,
    ],
    ['no refreshTime', '1h', undefined, undefined, false],
    ['unparsable interval', 'often', at(1000 * HOUR), undefined, false],
  ])('%s', (_n, refreshInterval, refreshTime, refreshPolicy, stale) => {
    const es = externalSecret('db', 'team-a', {
      spec: { refreshInterval, ...(refreshPolicy ? { refreshPolicy } : {}) },
      status: refreshTime ? { refreshTime } : {},
    });
    expect(isExternalSecretStale(es, NOW)).toBe(stale);
    expect(
      findings(
        [...healthyEso(), secretStore('aws', 'team-a'), es],
        'SECRET_STALE',
      ),
    ).toHaveLength(stale ? 1 : 0);
  });

  it('uses ESO’s 1h default when refreshInterval is unset', () => {
    const es = externalSecret('db', 'team-a', {
      status: { refreshTime: at(2 * HOUR + 1000) },
    });
    delete es.spec!.refreshInterval;
    expect(isExternalSecretStale(es, NOW)).toBe(true);
  });

  it('leaves failing secrets to SECRET_SYNC_ERROR', () => {
    const es = externalSecret('db', 'team-a', {
      status: { refreshTime: at(10 * HOUR) },
      conditions: notReady('SecretSyncedError', 'x'),
    });
    const codes = run([
      ...healthyEso(),
      secretStore('aws', 'team-a'),
      es,
    ]).findings.map(f => f.code);
    expect(codes).toContain('SECRET_SYNC_ERROR');
    expect(codes).not.toContain('SECRET_STALE');
  });
});

describe('OBJECT_SUSPENDED', () => {
  it('fires for a suspended Flux object', () => {
    const [f] = findings(
      [...healthyEso(), kustomization('apps', { spec: { suspend: true } })],
      'OBJECT_SUSPENDED',
    );
    expect(f.severity).toBe('warning');
    expect(f.fix).toContain('flux resume kustomization apps -n flux-system');
  });

  it('does not fire otherwise', () => {
    expect(
      findings(
        [...healthyEso(), kustomization('apps', { spec: { suspend: false } })],
        'OBJECT_SUSPENDED',
      ),
    ).toEqual([]);
  });
});

describe('LEAF_NOT_BOOTSTRAPPED', () => {
  const cbc = obj(
    'capi.weave.works/v1alpha1',
    'ClusterBootstrapConfig',
    'capi-gitops',
    {
      namespace: 'default',
      spec: {
        clusterSelector: { matchLabels: { 'weave.works/flux': 'bootstrap' } },
      },
    },
  );

  it('fires for a provisioned cluster without the bootstrapped annotation, and says which label is missing', () => {
    const [f] = findings(
      [
        ...healthyEso(),
        capiCluster('dev', 'default'),
        gitopsCluster('dev', 'default'),
        cbc,
      ],
      'LEAF_NOT_BOOTSTRAPPED',
    );
    expect(f.severity).toBe('warning');
    expect(f.fix).toContain('add the label weave.works/flux: bootstrap');
    expect(f.command).toBe(
      'kubectl --context mgmt -n default describe gitopscluster dev',
    );
  });

  it('points at the bootstrap Job when a ClusterBootstrapConfig selects it', () => {
    const gc = gitopsCluster('dev', 'default', {
      labels: { 'weave.works/flux': 'bootstrap' },
    });
    const [f] = findings(
      [...healthyEso(), capiCluster('dev', 'default'), gc, cbc],
      'LEAF_NOT_BOOTSTRAPPED',
    );
    expect(f.fix).toContain(
      'ClusterBootstrapConfig default/capi-gitops selects it',
    );
  });

  it('fires as an error for a GitopsCluster that is Ready=False for a fault', () => {
    const gc = gitopsCluster('dev', 'default', {
      conditions: notReady('ClusterNotFound', 'boom'),
    });
    const [f] = findings([...healthyEso(), gc], 'LEAF_NOT_BOOTSTRAPPED');
    expect(f.severity).toBe('error');
  });

  it.each([
    [
      'already bootstrapped',
      [
        capiCluster('dev', 'default'),
        gitopsCluster('dev', 'default', {
          annotations: { 'capi.weave.works/bootstrapped': 'true' },
        }),
      ],
    ],
  ])('does not fire when %s', (_n, objects) => {
    expect(
      findings([...healthyEso(), ...objects], 'LEAF_NOT_BOOTSTRAPPED'),
    ).toEqual([]);
  });

  it('only informs while the control plane is still coming up (phase Provisioned is not enough)', () => {
    for (const capi of [
      capiCluster('dev', 'default', {
        phase: 'Provisioning',
        available: 'False',
      }),
      capiCluster('dev', 'default', {
        available: 'False',
        status: { initialization: { infrastructureProvisioned: true } },
        conditions: [
          cond('Available', 'False', 'NotAvailable'),
          cond('ControlPlaneInitialized', 'False', 'NotInitialized'),
        ],
      }),
    ]) {
      const list = findings(
        [
          ...healthyEso(),
          capi,
          gitopsCluster('dev', 'default', {
            conditions: notReady(
              'WaitingForControlPlaneReadyStatus',
              'waiting',
            ),
          }),
        ],
        'LEAF_NOT_BOOTSTRAPPED',
      );
      expect(list.map(f => [f.severity, f.title])).toEqual([
        ['info', 'Leaf cluster default/dev is waiting for its control plane'],
      ]);
      expect(list[0].detail).toContain(
        'WaitingForControlPlaneReadyStatus: waiting',
      );
    }
  });
});

describe('LEAF_CREDENTIALS_NOT_COPIED', () => {
  const leaf = capiCluster('dev', 'default', {
    labels: { secretmanager: 'aws', cni: 'calico' },
  });
  const crs = obj(
    'addons.cluster.x-k8s.io/v1beta2',
    'ClusterResourceSet',
    'aws-sm',
    {
      namespace: 'default',
      spec: {
        clusterSelector: { matchLabels: { secretmanager: 'aws' } },
        resources: [{ kind: 'Secret', name: 'aws-sm-crs-secret' }],
      },
    },
  );
  const binding = (applied: boolean) =>
    obj('addons.cluster.x-k8s.io/v1beta2', 'ClusterResourceSetBinding', 'dev', {
      namespace: 'default',
      spec: {
        clusterName: 'dev',
        bindings: [
          {
            clusterResourceSetName: 'aws-sm',
            resources: [{ kind: 'Secret', name: 'aws-sm-crs-secret', applied }],
          },
        ],
      },
    });

  it('fires when the selecting ClusterResourceSet has no binding for the cluster', () => {
    const [f] = findings(
      [...healthyEso(), leaf, crs],
      'LEAF_CREDENTIALS_NOT_COPIED',
    );
    expect(f.title).toBe('Credentials not copied to leaf cluster default/dev');
    expect(f.objects.map(o => o.name)).toEqual(['dev', 'aws-sm']);
    expect(f.command).toBe(
      'kubectl --context mgmt -n default describe clusterresourcesets.addons.cluster.x-k8s.io aws-sm',
    );
  });

  it('fires when the binding says not applied', () => {
    expect(
      findings(
        [...healthyEso(), leaf, crs, binding(false)],
        'LEAF_CREDENTIALS_NOT_COPIED',
      ),
    ).toHaveLength(1);
  });

  it('fires when no ClusterResourceSet selects the labelled cluster', () => {
    const [f] = findings(
      [...healthyEso(), leaf],
      'LEAF_CREDENTIALS_NOT_COPIED',
    );
    expect(f.title).toBe(
      'No ClusterResourceSet copies aws credentials to default/dev',
    );
  });

  it.each([
    ['applied', [leaf, crs, binding(true)]],
    [
      'the cluster asks for no credentials',
      [capiCluster('dev', 'default', { labels: { cni: 'calico' } })],
    ],
    [
      'the cluster is still provisioning',
      [
        capiCluster('dev', 'default', {
          phase: 'Provisioning',
          labels: { secretmanager: 'aws' },
        }),
        crs,
      ],
    ],
  ])('does not fire when %s', (_n, objects) => {
    expect(
      findings([...healthyEso(), ...objects], 'LEAF_CREDENTIALS_NOT_COPIED'),
    ).toEqual([]);
  });

  it('only counts ClusterResourceSets in the cluster namespace', () => {
    const elsewhere = {
      ...crs,
      metadata: { ...crs.metadata, namespace: 'other' },
    };
    const list = findings(
      [...healthyEso(), leaf, elsewhere, binding(true)],
      'LEAF_CREDENTIALS_NOT_COPIED',
    );
    expect(list.map(f => f.title)).toEqual([
      'No ClusterResourceSet copies aws credentials to default/dev',
    ]);
  });
});

describe('cluster errors', () => {
  it.each([
    ['UNREACHABLE', 'CLUSTER_UNREACHABLE', false],
    ['TIMEOUT', 'CLUSTER_TIMEOUT', false],
    ['UNAUTHORIZED', 'CLUSTER_UNAUTHORIZED', false],
    ['FORBIDDEN', 'CLUSTER_FORBIDDEN', false],
    ['NOT_CONFIGURED', 'CLUSTER_NOT_CONFIGURED', false],
    ['UNSUPPORTED_API', 'UNSUPPORTED_API', true],
    ['UNKNOWN', 'CLUSTER_ERROR', false],
  ] as Array<[ClusterErrorType, FindingCode, boolean]>)(
    '%s → %s',
    (type, code, reachable) => {
      // Objects that would otherwise produce findings: with an error, rules do not run on them.
      const status = run([kustomization('apps', { spec: { suspend: true } })], {
        servedVersions: {},
        error: { type, message: 'connect ECONNREFUSED' },
      });
      expect(status.findings.map(f => f.code)).toEqual([code]);
      expect(status.findings[0].detail).toBe('connect ECONNREFUSED');
      expect(status.health).toBe('Unknown');
      expect(status.reachable).toBe(reachable);
      expect(status.error).toEqual({ type, message: 'connect ECONNREFUSED' });
    },
  );
});

describe('ordering and commands', () => {
  it('sorts by severity, keeping rule order within a severity', () => {
    const objects = [
      esoCrd('externalsecrets', 'ExternalSecret', {
        'app.kubernetes.io/version': '2.8.0',
      }),
      esoCrd('secretstores', 'SecretStore'),
      esoCrd('clustersecretstores', 'ClusterSecretStore'),
      esoCrd('clusterexternalsecrets', 'ClusterExternalSecret'),
      helmRelease('external-secrets', {
        spec: { chart: { chart: 'external-secrets' } },
        status: { history: [{ chartVersion: '2.9.0' }] },
      }),
      deployment('external-secrets', 1, 1),
      kustomization('apps', { spec: { suspend: true } }),
      secretStore('aws', 'team-a', {
        conditions: notReady('InvalidProviderConfig', 'x'),
      }),
      externalSecret('db', 'team-a', {
        conditions: notReady('SecretSyncedError', 'y'),
      }),
    ];
    expect(run(objects).findings.map(f => `${f.severity}:${f.code}`)).toEqual([
      'error:STORE_INVALID',
      'error:SECRET_SYNC_ERROR',
      'warning:CRD_VERSION_SKEW',
      'warning:OBJECT_SUSPENDED',
    ]);
  });

  it('never offers a command on a Secret', () => {
    expect(
      kubectlLook('mgmt', {
        kind: 'Secret',
        apiVersion: 'v1',
        namespace: 'a',
        name: 'db',
      }),
    ).toBeUndefined();
  });

  it('quotes unusual cluster names', () => {
    expect(
      kubectlLook(
        "prod east's",
        {
          kind: 'ExternalSecret',
          apiVersion: 'external-secrets.io/v1',
          namespace: 'a',
          name: 'db',
        },
        'describe',
      ),
    ).toBe(
      "kubectl --context 'prod east'\\''s' -n a describe externalsecret db",
    );
  });

  it('names CAPI Clusters unambiguously', () => {
    expect(
      kubectlLook('mgmt', {
        kind: 'Cluster',
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        namespace: 'default',
        name: 'dev',
      }),
    ).toBe(
      'kubectl --context mgmt -n default get clusters.cluster.x-k8s.io dev -o yaml',
    );
  });
});

describe('ESO_CRD_MISSING', () => {
  it('is an error when the ExternalSecret CRD vanished while other ESO CRDs remain', () => {
    const objects = [
      esoCrd('secretstores', 'SecretStore'),
      esoCrd('clustersecretstores', 'ClusterSecretStore'),
      esoCrd('clusterexternalsecrets', 'ClusterExternalSecret'),
      deployment('external-secrets', 1, 1),
    ];
    const status = run(objects, {
      servedVersions: {
        ...SERVED_ALL,
        'externalsecrets.external-secrets.io': null,
      },
    });
    const [f] = status.findings.filter(x => x.code === 'ESO_CRD_MISSING');
    expect(f.severity).toBe('error');
    expect(f.title).toBe(
      'ESO CRD ExternalSecret missing — every ExternalSecret on this cluster is gone',
    );
    expect(status.health).toBe('Degraded');
  });

  it('does not fire with every core CRD present, nor without ESO', () => {
    expect(findings(healthyEso(), 'ESO_CRD_MISSING')).toEqual([]);
    expect(findings([], 'ESO_CRD_MISSING', { servedVersions: {} })).toEqual([]);
  });
});

describe('operator Deployments in any namespace', () => {
  it('finds the chart-labelled operator outside external-secrets (no false "no Deployment found")', () => {
    const objects = [
      ...healthyEso().filter(o => o.kind !== 'Deployment'),
      deployment('external-secrets', 1, 1, { namespace: 'security' }),
    ];
    const status = run(objects);
    expect(status.findings.filter(f => f.code === 'OPERATOR_NOT_READY')).toEqual(
      [],
    );
    expect(status.eso?.operator.deployments).toEqual([
      { name: 'external-secrets', namespace: 'security', ready: 1, desired: 1 },
    ]);
  });
});

describe('STORE_UNVERIFIED', () => {
  it('warns about a store Ready=True with ValidationUnknown, whose health is Unknown, not Healthy', () => {
    const store = secretStore('vault', 'team-a', {
      conditions: [
        cond('Ready', 'True', 'ValidationUnknown', 'could not determine validation status'),
      ],
    });
    const status = run([...healthyEso(), store]);
    const [f] = status.findings.filter(x => x.code === 'STORE_UNVERIFIED');
    expect(f.severity).toBe('warning');
    expect(status.eso?.stores[0].health).toBe('Unknown');
  });
});
