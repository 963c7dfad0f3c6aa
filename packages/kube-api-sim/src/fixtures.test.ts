// Checks the fixture data itself, parsed with `yaml` only (not through the simulator's loader):
// every object is valid for its upstream CRD, consistent with the rest of its cluster, and each
// cluster shows the scenario fixtures/README.md promises.
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import {
  CRD_SETS,
  CrdSet,
  isCoreApiVersion,
  loadCrds,
  resolveServedVersion,
  validateAny,
} from '@golden-gitops/crd-schemas';
import { loadFixtureCluster } from './fixtures';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
const CLUSTERS = [
  'crd-race',
  'invalid-store',
  'leaf-dev',
  'leaf-pending',
  'leaf-prod',
  'leaf-staging',
  'leaf-uat',
  'management',
  'no-eso',
];
const BUILT_IN_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];
const RFC3339 =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; uid: string }>;
  };
  spec?: any;
  status?: any;
  [key: string]: any;
};
type Condition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
};

interface Fixture {
  name: string;
  file: {
    name: string;
    description: string;
    crdSets: CrdSet[];
    crdLabels?: Record<string, Record<string, string>>;
    fixtureTime: string;
  };
  objects: Array<Obj & { __file: string }>;
}

function loadFixture(name: string): Fixture {
  const dir = path.join(FIXTURES, name);
  const file = parse(fs.readFileSync(path.join(dir, 'cluster.yaml'), 'utf8'));
  const objects: Fixture['objects'] = [];
  for (const f of fs
    .readdirSync(dir)
    .filter(x => x.endsWith('.yaml') && x !== 'cluster.yaml')
    .sort()) {
    for (const doc of parseAllDocuments(
      fs.readFileSync(path.join(dir, f), 'utf8'),
    )) {
      if (doc.errors.length)
        throw new Error(`${name}/${f}: ${doc.errors[0].message}`);
      const o = doc.toJS();
      if (o) objects.push(Object.assign(o, { __file: f }));
    }
  }
  return { name, file, objects };
}

/** The object without the test's bookkeeping field. */
function plain({ __file, ...o }: Obj & { __file?: string }): Obj {
  return o as Obj;
}

const fixtures = new Map(CLUSTERS.map(c => [c, loadFixture(c)]));
const fx = (name: string) => fixtures.get(name)!;
const find = (f: Fixture, kind: string, name: string, namespace?: string) =>
  f.objects.find(
    o =>
      o.kind === kind &&
      o.metadata.name === name &&
      (namespace === undefined || o.metadata.namespace === namespace),
  );
const get = (f: Fixture, kind: string, name: string, namespace?: string) => {
  const o = find(f, kind, name, namespace);
  if (!o)
    throw new Error(
      `${f.name}: no ${kind} ${namespace ? `${namespace}/` : ''}${name}`,
    );
  return o;
};
const ofKind = (f: Fixture, kind: string) =>
  f.objects.filter(o => o.kind === kind);
const condition = (o: Obj, type: string): Condition | undefined =>
  (o.status?.conditions as Condition[] | undefined)?.find(c => c.type === type);
const groupOf = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
const isNamespaced = (o: Obj) => {
  if (isCoreApiVersion(o.apiVersion)) return o.kind !== 'Namespace';
  const resolved = resolveServedVersion(o.apiVersion, o.kind);
  return 'error' in resolved ? true : resolved.namespaced;
};
const isFluxReady = (o: Obj) =>
  condition(o, 'Ready')?.status === 'True' &&
  !condition(o, 'Reconciling') &&
  !condition(o, 'Stalled');
/** Seconds of a Go duration such as `1h0m0s`. */
function durationSeconds(d: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(d);
  if (!m || d === '') throw new Error(`not a duration: ${d}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
const secondsBefore = (f: Fixture, timestamp: string) =>
  (Date.parse(f.file.fixtureTime) - Date.parse(timestamp)) / 1000;

/** Every string value below `value`, with its path. */
function* strings(value: unknown, at = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [at, value];
  else if (Array.isArray(value))
    for (const [i, v] of value.entries()) yield* strings(v, `${at}[${i}]`);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      yield* strings(v, at ? `${at}.${k}` : k);
}

/** Follows dependsOn from `name` to the first Kustomization that fails for a reason of its own. */
function rootCause(f: Fixture, name: string, seen = new Set<string>()): Obj {
  const k = get(f, 'Kustomization', name, 'flux-system');
  if (seen.has(name)) throw new Error(`dependsOn cycle at ${name}`);
  seen.add(name);
  if (condition(k, 'Ready')?.reason !== 'DependencyNotReady') return k;
  const blocking = (k.spec.dependsOn as Array<{ name: string }>).find(
    d => !isFluxReady(get(f, 'Kustomization', d.name, 'flux-system')),
  );
  if (!blocking)
    throw new Error(`${name} waits for a dependency that is ready`);
  return rootCause(f, blocking.name, seen);
}

const FLUX_REASONS = new Set([
  'ReconciliationSucceeded',
  'ReconciliationFailed',
  'BuildFailed',
  'HealthCheckFailed',
  'DependencyNotReady',
  'ArtifactFailed',
  'PruneFailed',
  'Progressing',
  'ProgressingWithRetry',
  'Succeeded',
  'FetchFailed',
  'AuthenticationFailed',
  'GitOperationFailed',
  'ArtifactInStorage',
  'SourceVerified',
  'ChartPullSucceeded',
  'ChartPullError',
  'InstallSucceeded',
  'InstallFailed',
  'UpgradeSucceeded',
  'UpgradeFailed',
  'RetryAfterInterval',
  'RetriesExceeded',
]);
const ESO_REASONS: Record<string, string[]> = {
  ExternalSecret: [
    'SecretSynced',
    'SecretSyncedError',
    'SecretDeleted',
    'SecretMissing',
  ],
  SecretStore: [
    'Valid',
    'InvalidProviderConfig',
    'ValidationUnknown',
    'ValidationFailed',
    'InvalidStoreConfiguration',
  ],
  ClusterSecretStore: [
    'Valid',
    'InvalidProviderConfig',
    'ValidationUnknown',
    'ValidationFailed',
    'InvalidStoreConfiguration',
  ],
};

describe('fixture folders', () => {
  it('are exactly the nine documented clusters, each with a cluster.yaml', () => {
    const dirs = fs
      .readdirSync(FIXTURES, { withFileTypes: true })
      .filter(e => e.isDirectory())
      .map(e => e.name)
      .sort();
    expect(dirs).toEqual(CLUSTERS);
    const readme = fs.readFileSync(path.join(FIXTURES, 'README.md'), 'utf8');
    for (const c of CLUSTERS) expect(readme).toContain(`\`${c}\``);
  });
});

describe.each(CLUSTERS)('fixture %s', cluster => {
  const f = fx(cluster);

  it('has a valid cluster.yaml', () => {
    expect(f.file.name).toBe(cluster);
    expect(f.file.description.length).toBeGreaterThan(20);
    expect(f.file.fixtureTime).toBe('2026-11-01T12:00:00Z');
    expect(f.file.crdSets.length).toBeGreaterThan(0);
    for (const set of f.file.crdSets) expect(CRD_SETS).toContain(set);
    for (const [set, labels] of Object.entries(f.file.crdLabels ?? {})) {
      expect(f.file.crdSets).toContain(set);
      // Labels the simulator merges into real CRDs must themselves be valid.
      for (const [k, v] of Object.entries(labels)) {
        expect(`${k}=${v}`).toMatch(
          /^([a-z0-9.-]+\/)?[A-Za-z0-9][-A-Za-z0-9_.]*=(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
        );
      }
    }
  });

  it('holds only objects valid for their upstream CRD (or core kind) and served by its CRD sets', () => {
    const invalid = f.objects.flatMap(o => {
      const { valid, errors } = validateAny(plain(o), {
        crdSets: f.file.crdSets,
      });
      return valid
        ? []
        : [`${o.__file}: ${o.kind} ${o.metadata?.name}: ${errors.join('; ')}`];
    });
    expect(invalid).toEqual([]);
    const unserved = f.objects
      .filter(o => !isCoreApiVersion(o.apiVersion))
      .map(
        o =>
          [
            o,
            resolveServedVersion(o.apiVersion, o.kind, {
              crdSets: f.file.crdSets,
            }),
          ] as const,
      )
      .filter(([, r]) => 'error' in r)
      .map(
        ([o, r]) =>
          `${o.apiVersion} ${o.kind} ${o.metadata.name}: ${
            (r as { error: string }).error
          }`,
      );
    expect(unserved).toEqual([]);
  });

  it('uses only the current API versions', () => {
    const allowed = new Set([
      'v1',
      'apps/v1',
      'source.toolkit.fluxcd.io/v1',
      'kustomize.toolkit.fluxcd.io/v1',
      'helm.toolkit.fluxcd.io/v2',
      'external-secrets.io/v1',
      'cluster.x-k8s.io/v1beta2',
      'addons.cluster.x-k8s.io/v1beta2',
      'gitops.weave.works/v1alpha1',
      'capi.weave.works/v1alpha1',
      'capi.weave.works/v1alpha2',
    ]);
    expect(
      f.objects.map(o => o.apiVersion).filter(v => !allowed.has(v)),
    ).toEqual([]);
    const capiTemplates = ofKind(f, 'CAPITemplate');
    expect(
      capiTemplates.every(t => t.apiVersion === 'capi.weave.works/v1alpha2'),
    ).toBe(true);
  });

  it('has unique names per kind and namespace, and namespaces that exist', () => {
    const keys = f.objects.map(
      o =>
        `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ''}/${
          o.metadata.name
        }`,
    );
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const namespaces = new Set([
      ...BUILT_IN_NAMESPACES,
      ...ofKind(f, 'Namespace').map(n => n.metadata.name),
    ]);
    const problems = f.objects.flatMap(o => {
      if (!isNamespaced(o))
        return o.metadata.namespace
          ? [
              `${o.kind} ${o.metadata.name} is cluster-scoped but has a namespace`,
            ]
          : [];
      if (!o.metadata.namespace)
        return [`${o.kind} ${o.metadata.name} has no namespace`];
      return namespaces.has(o.metadata.namespace)
        ? []
        : [
            `${o.kind} ${o.metadata.name}: namespace ${o.metadata.namespace} does not exist`,
          ];
    });
    expect(problems).toEqual([]);
  });

  it('never carries Secret data', () => {
    const withData = ofKind(f, 'Secret')
      .filter(s => 'data' in s || 'stringData' in s)
      .map(s => s.metadata.name);
    expect(withData).toEqual([]);
    expect(ofKind(f, 'Secret').every(s => typeof s.type === 'string')).toBe(
      true,
    );
  });

  it('writes every timestamp as RFC 3339 no later than fixtureTime, and sets creationTimestamp', () => {
    const bad: string[] = [];
    for (const o of f.objects) {
      if (!o.metadata.creationTimestamp)
        bad.push(`${o.kind} ${o.metadata.name}: no creationTimestamp`);
      for (const [at, s] of strings(plain(o))) {
        if (
          /^\d{4}-\d{2}-\d{2}T/.test(s) &&
          (!RFC3339.test(s) || secondsBefore(f, s) < 0)
        )
          bad.push(`${o.kind} ${o.metadata.name} ${at}: ${s}`);
        // A condition cannot change before its object exists.
        if (
          /lastTransitionTime$/.test(at) &&
          Date.parse(s) < Date.parse(o.metadata.creationTimestamp ?? '')
        )
          bad.push(`${o.kind} ${o.metadata.name} ${at} precedes creation`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('uses the condition reasons the controllers set', () => {
    const bad: string[] = [];
    for (const o of f.objects) {
      const conditions: Condition[] = o.status?.conditions ?? [];
      if (/fluxcd\.io\//.test(o.apiVersion)) {
        for (const c of conditions)
          if (!FLUX_REASONS.has(c.reason ?? ''))
            bad.push(`${o.kind} ${o.metadata.name}: ${c.type}/${c.reason}`);
        // Reconciling and Stalled are only present when True.
        for (const c of conditions)
          if (
            ['Reconciling', 'Stalled'].includes(c.type) &&
            c.status !== 'True'
          )
            bad.push(`${o.kind} ${o.metadata.name}: ${c.type}=${c.status}`);
        if (!condition(o, 'Ready'))
          bad.push(`${o.kind} ${o.metadata.name}: no Ready condition`);
        if (
          isFluxReady(o) &&
          o.status.observedGeneration !== o.metadata.generation
        )
          bad.push(
            `${o.kind} ${o.metadata.name}: Ready but generation not observed`,
          );
      }
      if (ESO_REASONS[o.kind]) {
        if (conditions.map(c => c.type).join() !== 'Ready')
          bad.push(`${o.kind} ${o.metadata.name}: conditions other than Ready`);
        for (const c of conditions)
          if (!ESO_REASONS[o.kind].includes(c.reason ?? ''))
            bad.push(`${o.kind} ${o.metadata.name}: ${c.reason}`);
        if ('observedGeneration' in (o.status ?? {}))
          bad.push(
            `${o.kind} ${o.metadata.name}: ESO sets no observedGeneration`,
          );
      }
    }
    expect(bad).toEqual([]);
  });

  it('writes Flux revisions and digests in the controllers’ formats', () => {
    const bad: string[] = [];
    const check = (what: string, value: unknown, format: RegExp) => {
      if (typeof value !== 'string' || !format.test(value))
        bad.push(`${what}: ${value}`);
    };
    const revision = /^[\w.-]+@sha1:[0-9a-f]{40}$/;
    for (const k of ofKind(f, 'Kustomization')) {
      const name = `Kustomization ${k.metadata.name}`;
      for (const field of ['lastAppliedRevision', 'lastAttemptedRevision']) {
        if (field in k.status)
          check(`${name} ${field}`, k.status[field], revision);
      }
      if (
        isFluxReady(k) &&
        condition(k, 'Ready')!.message !==
          `Applied revision: ${k.status.lastAppliedRevision}`
      )
        bad.push(`${name}: Ready message does not name the applied revision`);
    }
    for (const s of [
      ...ofKind(f, 'GitRepository'),
      ...ofKind(f, 'OCIRepository'),
      ...ofKind(f, 'HelmRepository'),
      ...ofKind(f, 'HelmChart'),
    ]) {
      const name = `${s.kind} ${s.metadata.name}`;
      // A source that never fetched has no artifact; a Ready one always has.
      if (!s.status.artifact) {
        if (isFluxReady(s)) bad.push(`${name}: Ready without an artifact`);
        continue;
      }
      check(
        `${name} digest`,
        s.status.artifact.digest,
        /^sha256:[0-9a-f]{64}$/,
      );
      if (s.kind === 'GitRepository') {
        check(`${name} revision`, s.status.artifact.revision, revision);
        // Never the seed's plain http:// Git URL.
        check(`${name} url`, s.spec.url, /^(https|ssh):\/\//);
      }
      if (s.kind === 'OCIRepository')
        check(
          `${name} revision`,
          s.status.artifact.revision,
          /^[\w.-]+@sha256:[0-9a-f]{64}$/,
        );
    }
    for (const hr of ofKind(f, 'HelmRelease')) {
      const name = `HelmRelease ${hr.metadata.name}`;
      // Never got its chart (ArtifactFailed): helm-controller has attempted nothing, so no revision or history.
      if (condition(hr, 'Ready')?.reason === 'ArtifactFailed') {
        if (hr.status.history) bad.push(`${name}: history without a chart`);
        continue;
      }
      check(
        `${name} lastAttemptedRevision`,
        hr.status.lastAttemptedRevision,
        /^\d+\.\d+\.\d+(\+[0-9a-f]{12})?$/,
      );
      const latest = hr.status.history?.[0]?.status;
      if (!latest) bad.push(`${name}: no history`);
      if (isFluxReady(hr) && latest !== 'deployed')
        bad.push(`${name}: Ready but latest release ${latest}`);
    }
    expect(bad).toEqual([]);
  });

  it('references only objects that exist: sources, dependencies, stores, owners and inventories', () => {
    const missing: string[] = [];
    const need = (what: string, ok: boolean) => {
      if (!ok) missing.push(what);
    };
    const crdNames = new Set(
      loadCrds(f.file.crdSets).map(c => c.metadata.name),
    );
    for (const k of ofKind(f, 'Kustomization')) {
      const ns = k.spec.sourceRef.namespace ?? k.metadata.namespace;
      need(
        `source of ${k.metadata.name}`,
        !!find(f, k.spec.sourceRef.kind, k.spec.sourceRef.name, ns),
      );
      for (const d of k.spec.dependsOn ?? [])
        need(
          `dependency ${d.name} of ${k.metadata.name}`,
          !!find(
            f,
            'Kustomization',
            d.name,
            d.namespace ?? k.metadata.namespace,
          ),
        );
      for (const e of k.status.inventory?.entries ?? []) {
        const [namespace, name, group, kind] = e.id.split('_');
        if (kind === 'CustomResourceDefinition')
          need(
            `CRD ${name} in ${k.metadata.name}'s inventory`,
            crdNames.has(name),
          );
        else
          need(
            `${e.id} in ${k.metadata.name}'s inventory`,
            f.objects.some(
              o =>
                o.kind === kind &&
                groupOf(o.apiVersion) === group &&
                o.metadata.name === name &&
                (o.metadata.namespace ?? '') === namespace,
            ),
          );
      }
    }
    for (const hr of ofKind(f, 'HelmRelease')) {
      const ref = hr.spec.chartRef ?? hr.spec.chart.spec.sourceRef;
      need(
        `chart source of ${hr.metadata.name}`,
        !!find(f, ref.kind, ref.name, ref.namespace ?? hr.metadata.namespace),
      );
      if (hr.status.helmChart) {
        const [ns, name] = hr.status.helmChart.split('/');
        need(
          `HelmChart ${hr.status.helmChart}`,
          !!find(f, 'HelmChart', name, ns),
        );
      }
    }
    for (const es of ofKind(f, 'ExternalSecret')) {
      const ref = es.spec.secretStoreRef;
      need(
        `store of ${es.metadata.namespace}/${es.metadata.name}`,
        !!find(
          f,
          ref.kind,
          ref.name,
          ref.kind === 'SecretStore' ? es.metadata.namespace : undefined,
        ),
      );
      if (condition(es, 'Ready')?.status === 'True') {
        const target = find(
          f,
          'Secret',
          es.spec.target.name,
          es.metadata.namespace,
        );
        need(
          `target Secret of ${es.metadata.name}`,
          !!target &&
            target.metadata.ownerReferences?.[0]?.uid === es.metadata.uid,
        );
      }
    }
    for (const o of f.objects) {
      const owner = o.metadata.labels?.['kustomize.toolkit.fluxcd.io/name'];
      if (owner)
        need(
          `Kustomization ${owner} labelled on ${o.kind} ${o.metadata.name}`,
          !!find(
            f,
            'Kustomization',
            owner,
            o.metadata.labels!['kustomize.toolkit.fluxcd.io/namespace'],
          ),
        );
    }
    expect(missing).toEqual([]);
  });

  it('never reports a store Valid whose credentials Secret is missing', () => {
    const wrong = [
      ...ofKind(f, 'SecretStore'),
      ...ofKind(f, 'ClusterSecretStore'),
    ].filter(store => {
      const ref =
        store.spec.provider.aws?.auth?.secretRef?.accessKeyIDSecretRef;
      if (!ref) return false;
      const ns =
        store.kind === 'ClusterSecretStore'
          ? ref.namespace
          : store.metadata.namespace;
      return (
        !find(f, 'Secret', ref.name, ns) &&
        condition(store, 'Ready')?.status === 'True'
      );
    });
    expect(wrong.map(s => s.metadata.name)).toEqual([]);
  });

  it('labels every ESO object and workload of a component with backstage.io/kubernetes-id', () => {
    const unlabelled = f.objects
      .filter(
        o =>
          o.kind === 'ExternalSecret' ||
          (o.kind === 'Deployment' &&
            o.metadata.namespace !== 'external-secrets'),
      )
      .filter(o => !o.metadata.labels?.['backstage.io/kubernetes-id'])
      .map(o => `${o.kind} ${o.metadata.name}`);
    expect(unlabelled).toEqual([]);
  });
});

// --- The scenario of each cluster -----------------------------------------------------------

const esoObjects = (f: Fixture) =>
  f.objects.filter(o => o.apiVersion.startsWith('external-secrets.io/'));

function expectHealthyChain(f: Fixture) {
  const crds = get(f, 'Kustomization', 'external-secrets-crds', 'flux-system');
  const operator = get(
    f,
    'Kustomization',
    'external-secrets-operator',
    'flux-system',
  );
  const crs = get(f, 'Kustomization', 'external-secrets-crs', 'flux-system');
  expect([crds, operator, crs].map(isFluxReady)).toEqual([true, true, true]);
  expect(crds.spec).toMatchObject({
    wait: true,
    prune: false,
    sourceRef: { kind: 'GitRepository', name: 'external-secrets' },
  });
  expect(crds.spec.commonMetadata.labels).toEqual({
    'app.kubernetes.io/name': 'external-secrets',
    'app.kubernetes.io/version': 'v2.9.0',
  });
  expect(operator.spec).toMatchObject({
    wait: true,
    dependsOn: [{ name: 'external-secrets-crds' }],
  });
  expect(crs.spec).toMatchObject({
    dependsOn: [{ name: 'external-secrets-operator' }],
    retryInterval: '1m0s',
    wait: true,
  });
  expect(
    crs.spec.healthCheckExprs.map((e: { kind: string }) => e.kind),
  ).toEqual(expect.arrayContaining(['ExternalSecret', 'ClusterSecretStore']));
  const release = get(f, 'HelmRelease', 'external-secrets', 'flux-system');
  expect(isFluxReady(release)).toBe(true);
  expect(release.metadata.labels!['kustomize.toolkit.fluxcd.io/name']).toBe(
    'external-secrets-operator',
  );
  expect(release.spec.values.installCRDs).toBe(false);
  const git = get(f, 'GitRepository', 'external-secrets', 'flux-system');
  expect(git.spec).toMatchObject({
    url: 'https://github.com/external-secrets/external-secrets',
    ref: { tag: 'v2.9.0' },
  });
  expect(git.status.artifact.revision).toMatch(/^v2\.9\.0@sha1:/);
  for (const name of [
    'external-secrets',
    'external-secrets-webhook',
    'external-secrets-cert-controller',
  ]) {
    const d = get(f, 'Deployment', name, 'external-secrets');
    expect(d.status.readyReplicas).toBe(d.spec.replicas);
  }
  // The CRDs carry the labels commonMetadata writes, plus Flux's owner labels.
  expect(f.file.crdLabels?.['external-secrets']).toEqual({
    'app.kubernetes.io/name': 'external-secrets',
    'app.kubernetes.io/version': 'v2.9.0',
    'kustomize.toolkit.fluxcd.io/name': 'external-secrets-crds',
    'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
  });
}

function expectSynced(es: Obj, f: Fixture, maxAgeSeconds: number) {
  expect(condition(es, 'Ready')).toMatchObject({
    status: 'True',
    reason: 'SecretSynced',
  });
  expect(secondsBefore(f, es.status.refreshTime)).toBeLessThanOrEqual(
    maxAgeSeconds,
  );
}

/** Renders a CAPITemplate as WGE's envsubst renderer does: on the YAML text, then parsed again. */
function renderTemplate(template: Obj, values: Record<string, string>): Obj[] {
  return (
    template.spec.resourcetemplates as Array<{ content: unknown[] }>
  ).flatMap(rt =>
    rt.content.map(c => {
      const text = stringify(c).replace(
        /\$\{(\w+)\}/g,
        (_: string, v: string) => {
          if (!(v in values)) throw new Error(`no value for \${${v}}`);
          return values[v];
        },
      );
      return parse(text) as Obj;
    }),
  );
}

describe('scenario management', () => {
  const f = fx('management');

  it('is healthy end to end: every Flux object Ready, the race-free chain, all operator pods ready', () => {
    const flux = f.objects.filter(o => /fluxcd\.io\//.test(o.apiVersion));
    expect(flux.filter(o => !isFluxReady(o)).map(o => o.metadata.name)).toEqual(
      [],
    );
    expectHealthyChain(f);
    expect(f.file.crdSets).toEqual([
      'flux',
      'external-secrets',
      'cluster-api',
      'weave-gitops-enterprise',
    ]);
    expect(f.objects.length).toBeLessThanOrEqual(60);
  });

  it('has a Valid AWS ClusterSecretStore with namespaced credentials and six recently synced ExternalSecrets of payments-api', () => {
    const store = get(f, 'ClusterSecretStore', 'aws-secrets-manager');
    expect(condition(store, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Valid',
    });
    expect(store.spec.provider.aws).toMatchObject({
      service: 'SecretsManager',
      region: 'eu-north-1',
      auth: {
        secretRef: {
          accessKeyIDSecretRef: {
            name: 'awssm-secret',
            namespace: 'external-secrets',
          },
        },
      },
    });
    const externalSecrets = ofKind(f, 'ExternalSecret');
    expect(externalSecrets).toHaveLength(6);
    for (const es of externalSecrets) {
      expect(es.metadata.namespace).toBe('payments');
      expect(es.metadata.labels!['backstage.io/kubernetes-id']).toBe(
        'payments-api',
      );
      expect(es.spec.refreshInterval).toBe('1h0m0s');
      expectSynced(es, f, 15 * 60);
    }
  });

  it.each(['leaf-dev', 'leaf-prod'])(
    'has CAPI leaf %s bootstrapped, provisioned and given the AWS credentials',
    leaf => {
      const gc = get(f, 'GitopsCluster', leaf, 'default');
      expect(gc.metadata.labels!['weave.works/flux']).toBe('bootstrap');
      expect(gc.metadata.annotations!['capi.weave.works/bootstrapped']).toBe(
        'true',
      );
      expect(condition(gc, 'Ready')).toMatchObject({
        status: 'True',
        reason: 'ControlPlaneReadyStatus',
      });
      const cluster = get(f, 'Cluster', leaf, 'default');
      expect(cluster.metadata.labels).toMatchObject({
        secretmanager: 'aws',
        cni: 'calico',
      });
      expect(cluster.status.phase).toBe('Provisioned');
      for (const type of [
        'Available',
        'ControlPlaneAvailable',
        'InfrastructureReady',
      ]) {
        expect(condition(cluster, type)?.status).toBe('True');
      }
      expect(Object.keys(cluster.spec.controlPlaneRef).sort()).toEqual([
        'apiGroup',
        'kind',
        'name',
      ]);
      const binding = get(f, 'ClusterResourceSetBinding', leaf, 'default');
      expect(binding.spec.clusterName).toBe(leaf);
      expect(binding.spec.bindings[0]).toMatchObject({
        clusterResourceSetName: 'aws-sm-crs',
        resources: [
          { kind: 'Secret', name: 'aws-sm-crs-secret', applied: true },
        ],
      });
    },
  );

  it('selects the leaves with the ClusterResourceSet and ClusterBootstrapConfig', () => {
    const crs = get(f, 'ClusterResourceSet', 'aws-sm-crs', 'default');
    expect(crs.spec).toEqual({
      clusterSelector: { matchLabels: { secretmanager: 'aws' } },
      resources: [{ kind: 'Secret', name: 'aws-sm-crs-secret' }],
      strategy: 'Reconcile',
    });
    expect(condition(crs, 'ResourcesApplied')?.status).toBe('True');
    expect(get(f, 'Secret', 'aws-sm-crs-secret', 'default').type).toBe(
      'addons.cluster.x-k8s.io/resource-set',
    );
    const cbc = get(f, 'ClusterBootstrapConfig', 'capi-gitops', 'default');
    expect(cbc.spec.clusterSelector.matchLabels).toEqual({
      'weave.works/flux': 'bootstrap',
    });
    const [container] = cbc.spec.jobTemplate.spec.containers;
    expect(container.image).toMatch(/^ghcr\.io\/fluxcd\/flux-cli:v2\.9\.\d+$/);
    expect(container.args.slice(0, 2)).toEqual(['bootstrap', 'github']);
    // The owner comes from the environment, expanded by Kubernetes as $(VAR); never hard-coded.
    expect(container.args).toContain('--owner=$(GITHUB_OWNER)');
    const env = Object.fromEntries(
      container.env.map((e: { name: string }) => [e.name, e]),
    );
    expect(env.GITHUB_TOKEN.valueFrom.secretKeyRef).toBeDefined();
    expect(env.GITHUB_OWNER.value).toBe('acme');
  });

  it('has a CAPITemplate whose rendered resources are valid current-API objects', () => {
    const template = get(
      f,
      'CAPITemplate',
      'cluster-template-development',
      'default',
    );
    const params = template.spec.params as Array<{
      name: string;
      description?: string;
      default?: string;
      options?: string[];
    }>;
    const values = Object.fromEntries(
      params.map(p => [p.name, p.default ?? p.options?.[0] ?? 'leaf-test']),
    );
    const rendered = renderTemplate(template, values);
    expect(rendered.map(o => o.kind)).toEqual(
      expect.arrayContaining([
        'GitopsCluster',
        'Cluster',
        'KubeadmControlPlane',
        'MachineDeployment',
      ]),
    );
    const invalid = rendered.flatMap(o =>
      validateAny(o).errors.map(e => `${o.kind}: ${e}`),
    );
    expect(invalid).toEqual([]);
    // Unquoted in the template, the machine counts render as integers.
    expect(
      rendered.find(o => o.kind === 'KubeadmControlPlane')!.spec.replicas,
    ).toBe(1);
    expect(
      rendered.find(o => o.kind === 'MachineDeployment')!.spec.replicas,
    ).toBe(2);
    const workers = params.find(p => p.name === 'WORKER_MACHINE_COUNT');
    expect(workers?.description).toMatch(/worker/i);
  });

  it("serves the demo repository's leaf-cluster CAPITemplate as the repository holds it (the picker lists it live)", () => {
    const file = path.resolve(
      __dirname,
      '../../github-api-sim/demo-repo/clusters/management/capi/templates/leaf-cluster.yaml',
    );
    const inRepo = parse(fs.readFileSync(file, 'utf8'));
    const served = get(f, 'CAPITemplate', 'leaf-cluster', 'default');
    expect(served.apiVersion).toBe(inRepo.apiVersion);
    expect(served.spec).toEqual(inRepo.spec);
    expect(served.metadata.labels).toMatchObject(inRepo.metadata.labels);
  });
});

describe('scenario leaf-dev', () => {
  const f = fx('leaf-dev');

  it('runs the healthy chain with the chart from an OCIRepository', () => {
    expectHealthyChain(f);
    expect(
      get(f, 'HelmRelease', 'external-secrets', 'flux-system').spec.chartRef,
    ).toEqual({ kind: 'OCIRepository', name: 'external-secrets' });
    expect(
      get(f, 'Kustomization', 'flux-system', 'flux-system').spec.path,
    ).toBe('./clusters/default/leaf-dev');
  });

  it('has a Valid SecretStore on the CRS-copied credentials and three synced ExternalSecrets', () => {
    const [store] = ofKind(f, 'SecretStore');
    expect(condition(store, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Valid',
    });
    const ref = store.spec.provider.aws.auth.secretRef.accessKeyIDSecretRef;
    const credentials = get(f, 'Secret', ref.name, store.metadata.namespace);
    // Copied by the ClusterResourceSet, not applied by Flux.
    expect(
      credentials.metadata.labels?.['kustomize.toolkit.fluxcd.io/name'],
    ).toBeUndefined();
    const externalSecrets = ofKind(f, 'ExternalSecret');
    expect(externalSecrets).toHaveLength(3);
    for (const es of externalSecrets) {
      expect(es.spec.secretStoreRef).toEqual({
        kind: 'SecretStore',
        name: store.metadata.name,
      });
      expectSynced(es, f, 60 * 60);
    }
  });
});

describe('scenario leaf-prod (webhook race)', () => {
  const f = fx('leaf-prod');

  it('fails external-secrets-crs on the webhook dry-run because it waited for the CRDs only', () => {
    const crs = get(f, 'Kustomization', 'external-secrets-crs', 'flux-system');
    expect(condition(crs, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReconciliationFailed',
      message:
        'ExternalSecret/checkout/db-credentials dry-run failed (InternalError): Internal error occurred: failed calling webhook "validate.externalsecret.external-secrets.io": failed to call webhook: Post "https://external-secrets-webhook.external-secrets.svc:443/validate-external-secrets-io-v1-externalsecret?timeout=5s": dial tcp 10.96.12.34:443: connect: connection refused',
    });
    expect(crs.spec.dependsOn).toEqual([{ name: 'external-secrets-crds' }]);
    expect(
      find(f, 'Kustomization', 'external-secrets-operator'),
    ).toBeUndefined();
    expect(
      isFluxReady(
        get(f, 'Kustomization', 'external-secrets-crds', 'flux-system'),
      ),
    ).toBe(true);
    expect(rootCause(f, 'external-secrets-crs')).toBe(crs);
  });

  it('has the webhook Deployment 0/1 ready and no ESO object applied', () => {
    const webhook = get(
      f,
      'Deployment',
      'external-secrets-webhook',
      'external-secrets',
    );
    expect(webhook.spec.replicas).toBe(1);
    expect(webhook.status.readyReplicas ?? 0).toBe(0);
    expect(condition(webhook, 'Available')?.status).toBe('False');
    expect(esoObjects(f)).toEqual([]);
    expect(
      get(f, 'Namespace', 'checkout').metadata.labels![
        'backstage.io/kubernetes-id'
      ],
    ).toBe('checkout');
  });
});

describe('scenario crd-race', () => {
  const f = fx('crd-race');

  it('has no ESO CRDs and no ESO object, only the failure in the Kustomization status', () => {
    expect(f.file.crdSets).not.toContain('external-secrets');
    expect(esoObjects(f)).toEqual([]);
    const k = get(f, 'Kustomization', 'cluster-secrets', 'flux-system');
    expect(k.spec.dependsOn).toBeUndefined();
    expect(condition(k, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReconciliationFailed',
    });
    expect(condition(k, 'Ready')!.message).toMatch(
      /^ExternalSecret\/[a-z0-9-]+\/[a-z0-9-]+ dry-run failed: no matches for kind "ExternalSecret" in version "external-secrets\.io\/v1"$/,
    );
  });

  it('still installs the HelmRelease', () => {
    const release = get(f, 'HelmRelease', 'external-secrets', 'flux-system');
    expect(condition(release, 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'Progressing',
    });
    expect(condition(release, 'Reconciling')?.status).toBe('True');
  });
});

describe('scenario invalid-store', () => {
  const f = fx('invalid-store');

  it('keeps the chain Ready while SecretStore vault-backend is InvalidProviderConfig', () => {
    expectHealthyChain(f);
    const store = get(f, 'SecretStore', 'vault-backend', 'team-a');
    expect(condition(store, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidProviderConfig',
    });
    expect(condition(store, 'Ready')!.message).not.toBe('');
    const users = ofKind(f, 'ExternalSecret').filter(
      es => es.spec.secretStoreRef.name === 'vault-backend',
    );
    expect(users.length).toBeGreaterThan(0);
    for (const es of users)
      expect(condition(es, 'Ready')).toMatchObject({
        status: 'False',
        reason: 'SecretSyncedError',
      });
  });

  it('has exactly one stale ExternalSecret on a good store: Ready but refreshed long past its interval', () => {
    const stale = ofKind(f, 'ExternalSecret').filter(
      es =>
        condition(es, 'Ready')?.status === 'True' &&
        secondsBefore(f, es.status.refreshTime) >
          2 * durationSeconds(es.spec.refreshInterval),
    );
    expect(stale.map(es => es.metadata.name)).toEqual(['smtp-credentials']);
    expect(stale[0].spec.refreshInterval).toBe('1h0m0s');
    expect(secondsBefore(f, stale[0].status.refreshTime)).toBe(5 * 3600);
    const store = get(
      f,
      stale[0].spec.secretStoreRef.kind,
      stale[0].spec.secretStoreRef.name,
    );
    expect(condition(store, 'Ready')?.reason).toBe('Valid');
  });

  it('has one suspended Kustomization', () => {
    expect(
      ofKind(f, 'Kustomization')
        .filter(k => k.spec.suspend)
        .map(k => k.metadata.name),
    ).toEqual(['team-b']);
  });
});

describe('scenario leaf-pending', () => {
  const f = fx('leaf-pending');

  it('has leaf-qa not bootstrapped and without a ClusterResourceSetBinding', () => {
    const gc = get(f, 'GitopsCluster', 'leaf-qa', 'default');
    expect(
      gc.metadata.annotations?.['capi.weave.works/bootstrapped'],
    ).toBeUndefined();
    expect(condition(gc, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForControlPlaneReadyStatus',
    });
    const cluster = get(f, 'Cluster', 'leaf-qa', 'default');
    expect(cluster.metadata.labels!.secretmanager).toBe('aws');
    expect(condition(cluster, 'ControlPlaneInitialized')?.status).toBe('False');
    expect(ofKind(f, 'ClusterResourceSetBinding')).toEqual([]);
  });

  it('blocks apps -> infra-config -> external-secrets-crs at its first non-ready object', () => {
    const apps = get(f, 'Kustomization', 'apps', 'flux-system');
    expect(condition(apps, 'Ready')).toMatchObject({
      reason: 'DependencyNotReady',
      message: "dependency 'flux-system/infra-config' is not ready",
    });
    const infra = get(f, 'Kustomization', 'infra-config', 'flux-system');
    expect(condition(infra, 'Ready')).toMatchObject({
      reason: 'DependencyNotReady',
      message: "dependency 'flux-system/external-secrets-crs' is not ready",
    });
    const root = rootCause(f, 'apps');
    expect(root.metadata.name).toBe('external-secrets-crs');
    expect(condition(root, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'HealthCheckFailed',
    });
    expect(
      condition(get(f, 'ClusterSecretStore', 'aws-secrets-manager'), 'Ready')
        ?.reason,
    ).toBe('InvalidProviderConfig');
  });
});

describe('scenario leaf-staging (failing HelmRelease chain, AWS permission error)', () => {
  const f = fixtures.get('leaf-staging')!;

  it('fails the chart source first: HelmRepository → HelmChart → HelmRelease → Kustomization → dependent', () => {
    const reasons = [
      get(f, 'HelmRepository', 'podinfo', 'flux-system'),
      get(f, 'HelmChart', 'flux-system-podinfo', 'flux-system'),
      get(f, 'HelmRelease', 'podinfo', 'flux-system'),
      get(f, 'Kustomization', 'podinfo', 'flux-system'),
      get(f, 'Kustomization', 'podinfo-ingress', 'flux-system'),
    ].map(o => condition(o, 'Ready')?.reason);
    expect(reasons).toEqual([
      'FetchFailed',
      'ChartPullError',
      'ArtifactFailed',
      'HealthCheckFailed',
      'DependencyNotReady',
    ]);
    expect(
      condition(get(f, 'HelmRepository', 'podinfo', 'flux-system'), 'Ready')!
        .message,
    ).toMatch(/x509: certificate signed by unknown authority/);
  });

  it('has a Valid store whose identity may not read two keys: only their Warning Events say so', () => {
    const store = get(f, 'SecretStore', 'aws-secrets-manager', 'storefront');
    expect(condition(store, 'Ready')?.reason).toBe('Valid');
    const failing = ofKind(f, 'ExternalSecret')
      .filter(es => condition(es, 'Ready')?.status === 'False')
      .map(es => es.metadata.name);
    expect(failing).toEqual(['db-credentials', 'stripe-api-key']);
    const events = ofKind(f, 'Event');
    for (const name of failing) {
      const es = get(f, 'ExternalSecret', name, 'storefront');
      expect(condition(es, 'Ready')?.message).toBe(
        'could not get secret data from provider',
      );
      const e = events.find(
        x =>
          x.involvedObject.kind === 'ExternalSecret' &&
          x.involvedObject.name === name,
      );
      expect(e).toMatchObject({ type: 'Warning', reason: 'UpdateFailed' });
      expect(e!.message).toMatch(
        /AccessDeniedException: .* is not authorized to perform: secretsmanager:GetSecretValue/,
      );
    }
  });

  it('gives each Event the uid of the object it names when loaded', () => {
    const loaded = loadFixtureCluster(path.join(FIXTURES, 'leaf-staging'));
    const es = loaded.objects!.find(
      o => o.kind === 'ExternalSecret' && o.metadata.name === 'db-credentials',
    )!;
    const ev = loaded.objects!.find(
      o =>
        o.kind === 'Event' &&
        (o as Obj).involvedObject.name === 'db-credentials',
    ) as Obj;
    expect(ev.involvedObject.uid).toBe(es.metadata.uid);
  });
});

describe('scenario leaf-uat (build failure, exhausted HelmRelease, unverified store, conversion webhook)', () => {
  const f = fixtures.get('leaf-uat')!;
  const ready = (kind: string, name: string, ns?: string) =>
    condition(get(f, kind, name, ns), 'Ready');

  it('fails Kustomization apps on a missing file while its source is Ready', () => {
    expect(ready('GitRepository', 'flux-system', 'flux-system')?.status).toBe(
      'True',
    );
    const apps = get(f, 'Kustomization', 'apps', 'flux-system');
    expect(condition(apps, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'BuildFailed',
    });
    expect(condition(apps, 'Ready')!.message).toMatch(
      /storefront-worker\.yaml: no such file or directory/,
    );
    expect(apps.status.lastAppliedRevision).not.toBe(
      apps.status.lastAttemptedRevision,
    );
  });

  it('has HelmRelease podinfo out of upgrade retries while its chart and repository are Ready', () => {
    expect(ready('HelmRepository', 'podinfo', 'flux-system')?.status).toBe(
      'True',
    );
    expect(
      ready('HelmChart', 'flux-system-podinfo', 'flux-system')?.status,
    ).toBe('True');
    const hr = get(f, 'HelmRelease', 'podinfo', 'flux-system');
    expect(condition(hr, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'UpgradeFailed',
      message: 'upgrade retries exhausted',
    });
    expect(condition(hr, 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'RetriesExceeded',
    });
    expect(ready('Kustomization', 'podinfo', 'flux-system')?.message).toContain(
      'HelmRelease/flux-system/podinfo',
    );
  });

  it('has a ClusterSecretStore Ready with reason ValidationUnknown that no ExternalSecret uses', () => {
    expect(ready('ClusterSecretStore', 'cluster-kubernetes')).toMatchObject({
      status: 'True',
      reason: 'ValidationUnknown',
    });
    expect(
      ofKind(f, 'ExternalSecret').filter(
        es => es.spec.secretStoreRef.name === 'cluster-kubernetes',
      ),
    ).toEqual([]);
  });

  it("fails team-secrets on ESO's conversion webhook while the ESO chain is Ready and CRDs and chart are one release", () => {
    for (const name of [
      'external-secrets-crds',
      'external-secrets-operator',
      'external-secrets-crs',
    ])
      expect(ready('Kustomization', name, 'flux-system')?.status).toBe('True');
    expect(
      ready('Kustomization', 'team-secrets', 'flux-system')?.message,
    ).toMatch(
      /conversion webhook for external-secrets\.io\/v1, Kind=ExternalSecret failed: .*context deadline exceeded/,
    );
  });
});

describe('scenario no-eso', () => {
  const f = fx('no-eso');

  it('runs healthy Flux only, without ESO CRDs or objects', () => {
    expect(f.file.crdSets).toEqual(['flux']);
    expect(esoObjects(f)).toEqual([]);
    expect(
      f.objects.some(o => o.metadata.name.includes('external-secrets')),
    ).toBe(false);
    expect(
      isFluxReady(get(f, 'Kustomization', 'flux-system', 'flux-system')),
    ).toBe(true);
    expect(
      isFluxReady(get(f, 'GitRepository', 'flux-system', 'flux-system')),
    ).toBe(true);
  });
});
