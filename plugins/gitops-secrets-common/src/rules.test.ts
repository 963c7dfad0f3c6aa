import { kubectlLook, RULES } from './rules';
import {
  SERVED_ALL,
  cond,
  deployment,
  esoCrd,
  externalSecret,
  healthyEso,
  helmRelease,
  kustomization,
  secretStore,
} from './testing/builders';
import { findings, notReady, run } from './testing/rules';

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
    expect(
      status.findings.filter(f => f.code === 'OPERATOR_NOT_READY'),
    ).toEqual([]);
    expect(status.eso?.operator.deployments).toEqual([
      { name: 'external-secrets', namespace: 'security', ready: 1, desired: 1 },
    ]);
  });
});

describe('STORE_UNVERIFIED', () => {
  it('warns about a store Ready=True with ValidationUnknown, whose health is Unknown, not Healthy', () => {
    const store = secretStore('vault', 'team-a', {
      conditions: [
        cond(
          'Ready',
          'True',
          'ValidationUnknown',
          'could not determine validation status',
        ),
      ],
    });
    const status = run([...healthyEso(), store]);
    const [f] = status.findings.filter(x => x.code === 'STORE_UNVERIFIED');
    expect(f.severity).toBe('warning');
    expect(status.eso?.stores[0].health).toBe('Unknown');
  });
});
