import type { ClusterStatus, Health } from './model';
import type { SlimObject } from './slim';
import {
  summarizeCluster,
  summarizeEntity,
  toClusterSummary,
} from './summarize';
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
): ClusterStatus {
  return summarizeCluster({
    cluster: 'mgmt',
    objects,
    servedVersions: SERVED_ALL,
    now: NOW,
    ...extra,
  });
}

const names = (list: Array<{ ref: { name: string } }>) =>
  list.map(x => x.ref.name).sort();

describe('scope', () => {
  // A management cluster with two teams and the ESO chain.
  const objects: SlimObject[] = [
    ...healthyEso(),
    gitRepository('flux-system', { branch: 'main' }),
    kustomization('external-secrets-crds'),
    kustomization('external-secrets-operator', {
      spec: { dependsOn: [{ name: 'external-secrets-crds' }] },
    }),
    kustomization('external-secrets-crs', {
      spec: { dependsOn: [{ name: 'external-secrets-operator' }] },
    }),
    kustomization('platform-base'),
    kustomization('team-a-apps', {
      namespace: 'team-a',
      spec: {
        dependsOn: [{ name: 'platform-base', namespace: 'flux-system' }],
      },
    }),
    kustomization('team-b-apps', { namespace: 'team-b' }),
    kustomization('payments', {
      labels: { 'backstage.io/kubernetes-id': 'payments' },
    }),
    kustomization('secrets-applier', {
      spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    }),
    secretStore('aws', 'team-a'),
    secretStore('aws', 'team-b'),
    secretStore('shared-ns-store', 'shared'),
    secretStore('global', undefined),
    externalSecret('db', 'team-a'),
    externalSecret('api', 'team-b', {
      conditions: [cond('Ready', 'False', 'SecretSyncedError', 'nope')],
    }),
    externalSecret('card', 'shared', {
      store: 'shared-ns-store',
      labels: {
        'backstage.io/kubernetes-id': 'payments',
        'kustomize.toolkit.fluxcd.io/name': 'secrets-applier',
      },
    }),
  ];

  it('shows everything without a scope', () => {
    const status = run(objects);
    expect(names(status.eso!.externalSecrets)).toEqual(['api', 'card', 'db']);
    expect(status.findings.map(f => f.code)).toEqual(['SECRET_SYNC_ERROR']);
    expect(status.health).toBe('Degraded');
  });

  it('keeps a namespace scope to its objects, plus the chain, dependencies and the stores they use', () => {
    const status = run(objects, { scope: { namespaces: ['team-a'] } });
    expect(names(status.eso!.externalSecrets)).toEqual(['db']);
    expect(
      status
        .eso!.stores.map(s => `${s.ref.namespace ?? ''}/${s.ref.name}`)
        .sort(),
    ).toEqual(['/global', 'team-a/aws']);
    expect(names(status.flux.objects)).toEqual([
      'external-secrets-crds',
      'external-secrets-crs',
      'external-secrets-operator',
      'platform-base',
      'team-a-apps',
    ]);
    // team-b's failing secret is not this Component's problem.
    expect(status.findings).toEqual([]);
    expect(status.health).toBe('Healthy');
  });

  it('selects by the kubernetes-id label, with the Kustomization that applied the secret and its source', () => {
    const status = run(objects, { scope: { kubernetesId: 'payments' } });
    expect(names(status.eso!.externalSecrets)).toEqual(['card']);
    expect(status.eso!.stores.map(s => s.ref.name).sort()).toEqual([
      'global',
      'shared-ns-store',
    ]);
    expect(names(status.flux.objects)).toEqual(
      expect.arrayContaining([
        'payments',
        'secrets-applier',
        'flux-system',
        'external-secrets-crds',
      ]),
    );
    expect(names(status.flux.objects)).not.toContain('team-a-apps');
  });

  it('keeps the chain visible: a failing CRDs step shows in every Component', () => {
    const failing = objects.map(o =>
      o.metadata.name === 'external-secrets-crds'
        ? kustomization('external-secrets-crds', {
            conditions: [
              cond('Ready', 'False', 'HealthCheckFailed', 'timeout'),
            ],
          })
        : o,
    );
    const status = run(failing, { scope: { namespaces: ['team-a'] } });
    expect(
      status.flux.objects.find(o => o.ref.name === 'external-secrets-crds')
        ?.health,
    ).toBe('Degraded');
    expect(status.health).toBe('Degraded');
  });
});

describe('overall health', () => {
  const base = [
    ...healthyEso(),
    secretStore('aws', 'team-a'),
    externalSecret('db', 'team-a'),
  ];

  it.each<[string, SlimObject[], Health]>([
    ['all healthy', base, 'Healthy'],
    [
      'a Progressing Flux object',
      [
        ...base,
        kustomization('apps', {
          conditions: [
            cond('Reconciling', 'True'),
            cond('Ready', 'Unknown', 'Progressing'),
          ],
        }),
      ],
      'Progressing',
    ],
    [
      'an object with no status yet',
      [...base, kustomization('apps', { conditions: [] })],
      'Unknown',
    ],
    [
      'Degraded beats Progressing',
      [
        ...base,
        kustomization('apps', { conditions: [cond('Reconciling', 'True')] }),
        externalSecret('api', 'team-a', {
          conditions: [cond('Ready', 'False', 'SecretSyncedError')],
        }),
      ],
      'Degraded',
    ],
    [
      'Progressing beats Unknown',
      [
        ...base,
        kustomization('a', { conditions: [] }),
        kustomization('b', { conditions: [cond('Reconciling', 'True')] }),
      ],
      'Progressing',
    ],
    [
      'an error finding without a degraded object (CRDs Kustomization Ready, CRDs missing)',
      [kustomization('external-secrets-crds')],
      'Degraded',
    ],
    // A warning (CRD version skew) does not change health.
    [
      'a warning only',
      [
        ...base,
        helmRelease('external-secrets', {
          spec: { chart: { chart: 'external-secrets' } },
          status: { history: [{ chartVersion: '2.9.0' }] },
        }),
        esoCrd('clustersecretstores', 'ClusterSecretStore', {
          'app.kubernetes.io/version': '2.8.0',
        }),
      ],
      'Healthy',
    ],
    [
      'a suspended object (not reconciled: cannot vouch)',
      [...base, kustomization('apps', { spec: { suspend: true } })],
      'Unknown',
    ],
  ])('%s → %s', (_n, objects, expected) => {
    const servedVersions = objects.some(
      o => o.kind === 'CustomResourceDefinition',
    )
      ? SERVED_ALL
      : {};
    expect(run(objects, { servedVersions }).health).toBe(expected);
  });

  it('is Unknown with a cluster error, whatever the objects say', () => {
    const status = run(
      [
        externalSecret('api', 'team-a', {
          conditions: [cond('Ready', 'False')],
        }),
      ],
      {
        error: { type: 'TIMEOUT', message: 'timed out' },
      },
    );
    expect(status.health).toBe('Unknown');
    expect(status.reachable).toBe(false);
  });
});

describe('ClusterStatus content', () => {
  it('reports ESO versions, operator, counts and the latest refresh', () => {
    const status = run(
      [
        esoCrd('externalsecrets', 'ExternalSecret', {
          'app.kubernetes.io/version': 'v2.9.0',
        }),
        helmRelease('external-secrets', {
          spec: { chart: { chart: 'external-secrets', version: '2.9.0' } },
          status: { lastAttemptedRevision: '2.9.0' },
        }),
        deployment('external-secrets', 2, 1),
        secretStore('aws', 'team-a'),
        externalSecret('a', 'team-a', {
          status: { refreshTime: '2026-08-20T11:30:00Z' },
        }),
        externalSecret('b', 'team-a', {
          status: { refreshTime: '2026-08-20T08:00:00Z' },
        }),
        externalSecret('c', 'team-a', {
          conditions: [cond('Ready', 'False', 'SecretSyncedError', 'denied')],
        }),
      ],
      { cacheAgeSeconds: 12 },
    );
    const eso = status.eso!;
    expect(eso.installed).toBe(true);
    expect(eso.crdVersion).toBe('2.9.0');
    expect(eso.chartVersion).toBe('2.9.0');
    expect(eso.operator).toEqual({
      deployments: [
        {
          name: 'external-secrets',
          namespace: 'external-secrets',
          ready: 1,
          desired: 2,
        },
      ],
      ready: false,
    });
    expect(eso.counts).toEqual({ total: 3, synced: 2, failing: 1, stale: 1 });
    expect(eso.lastRefresh).toBe('2026-08-20T11:30:00Z');
    expect(eso.externalSecrets.find(e => e.ref.name === 'b')).toMatchObject({
      stale: true,
      synced: true,
      targetSecret: 'b',
      store: { kind: 'SecretStore', name: 'aws' },
    });
    expect(eso.externalSecrets.find(e => e.ref.name === 'c')).toMatchObject({
      synced: false,
      stale: false,
      reason: 'SecretSyncedError',
      message: 'denied',
      health: 'Degraded',
    });
    expect(status.observedAt).toBe('2026-08-20T12:00:00.000Z');
    expect(status.cacheAgeSeconds).toBe(12);
    expect(status.servedVersions).toEqual(SERVED_ALL);
  });

  it('describes Flux objects with their dependencies, revision and reason', () => {
    const status = run([
      ...healthyEso(),
      kustomization('a', { status: { lastAppliedRevision: 'main@sha1:abc' } }),
      kustomization('b', {
        spec: { dependsOn: [{ name: 'a' }], suspend: true },
        conditions: [cond('Ready', 'False', 'DependencyNotReady', 'waiting')],
      }),
      kustomization('s', {
        conditions: [
          cond(
            'Stalled',
            'True',
            'BuildFailed',
            'kustomization.yaml not found',
          ),
          cond('Ready', 'False', 'BuildFailed', 'x'),
        ],
      }),
    ]);
    const [a, b, s] = status.flux.objects;
    expect(a).toEqual({
      ref: {
        kind: 'Kustomization',
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        namespace: 'flux-system',
        name: 'a',
      },
      health: 'Healthy',
      ready: true,
      suspended: false,
      dependsOn: [],
      reason: 'ReconciliationSucceeded',
      revision: 'main@sha1:abc',
    });
    expect(b).toMatchObject({
      suspended: true,
      health: 'Unknown',
      ready: false,
      dependsOn: [
        { kind: 'Kustomization', name: 'a', namespace: 'flux-system' },
      ],
    });
    expect(s).toMatchObject({
      health: 'Degraded',
      reason: 'BuildFailed',
      message: 'kustomization.yaml not found',
    });
  });

  it('builds leaf clusters from GitopsClusters and unreferenced CAPI Clusters', () => {
    const status = run([
      ...healthyEso(),
      capiCluster('dev', 'default', { labels: { secretmanager: 'aws' } }),
      gitopsCluster('dev', 'default', {
        annotations: { 'capi.weave.works/bootstrapped': 'true' },
      }),
      obj('addons.cluster.x-k8s.io/v1beta2', 'ClusterResourceSet', 'aws-sm', {
        namespace: 'default',
        spec: {
          clusterSelector: { matchLabels: { secretmanager: 'aws' } },
          resources: [{ kind: 'Secret', name: 'aws-sm-crs-secret' }],
        },
      }),
      obj(
        'addons.cluster.x-k8s.io/v1beta2',
        'ClusterResourceSetBinding',
        'dev',
        {
          namespace: 'default',
          spec: {
            clusterName: 'dev',
            bindings: [
              {
                clusterResourceSetName: 'aws-sm',
                resources: [
                  { kind: 'Secret', name: 'aws-sm-crs-secret', applied: true },
                ],
              },
            ],
          },
        },
      ),
      capiCluster('staging', 'default', {
        phase: 'Provisioning',
        available: 'False',
      }),
    ]);
    expect(status.leafClusters).toEqual([
      {
        name: 'dev',
        namespace: 'default',
        health: 'Healthy',
        bootstrapped: true,
        credentialsCopied: true,
        credentialsRequired: true,
        phase: 'Provisioned',
      },
      {
        name: 'staging',
        namespace: 'default',
        health: 'Progressing',
        bootstrapped: false,
        credentialsCopied: false,
        credentialsRequired: false,
        phase: 'Provisioning',
      },
    ]);
  });

  it('marks a provisioned but unbootstrapped leaf as Progressing and one missing credentials as Degraded', () => {
    const status = run([
      ...healthyEso(),
      capiCluster('dev', 'default', { labels: { secretmanager: 'aws' } }),
      gitopsCluster('dev', 'default'),
    ]);
    expect(status.leafClusters[0]).toMatchObject({
      bootstrapped: false,
      credentialsRequired: true,
      credentialsCopied: false,
      health: 'Degraded',
    });
    const noCreds = run([
      ...healthyEso(),
      capiCluster('dev', 'default'),
      gitopsCluster('dev', 'default'),
    ]);
    expect(noCreds.leafClusters[0].health).toBe('Progressing');
  });

  it('is plain JSON', () => {
    const status = run([
      ...healthyEso(),
      secretStore('aws', 'team-a'),
      externalSecret('db', 'team-a'),
    ]);
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });

  it('leaves ESO out when an errored cluster gave no objects', () => {
    const status = run([], {
      error: { type: 'UNREACHABLE', message: 'no route to host' },
    });
    expect(status.eso).toBeUndefined();
    expect(toClusterSummary(status)).toEqual({
      name: 'mgmt',
      health: 'Unknown',
      reachable: false,
      error: { type: 'UNREACHABLE', message: 'no route to host' },
    });
  });
});

describe('summarizeEntity', () => {
  const cluster = (health: Health) => ({ health } as ClusterStatus);
  it.each<[Health[], Health]>([
    [[], 'Unknown'],
    [['Healthy'], 'Healthy'],
    [['Healthy', 'Degraded'], 'Degraded'],
    [['Healthy', 'Unknown'], 'Unknown'],
    [['Unknown', 'Progressing'], 'Progressing'],
    [['Progressing', 'Degraded', 'Unknown'], 'Degraded'],
  ])('%j → %s', (healths, expected) => {
    expect(summarizeEntity(healths.map(cluster))).toBe(expected);
  });
});

describe('events of findings', () => {
  const failing = externalSecret('db', 'apps', {
    store: 'aws',
    conditions: [
      cond(
        'Ready',
        'False',
        'SecretSyncedError',
        'could not get secret data from provider',
      ),
    ],
  });
  const event = (name: string, minute: number, message: string) => ({
    involvedObject: { kind: 'ExternalSecret', name, namespace: 'apps' },
    type: 'Warning',
    reason: 'UpdateFailed',
    message,
    count: minute,
    lastTimestamp: `2026-08-20T11:${String(minute).padStart(2, '0')}:00Z`,
  });

  const run_ = (events: SummarizeClusterInput['events']) =>
    run([...healthyEso(), secretStore('aws', 'apps'), failing], {
      events,
    }).findings.find(x => x.code === 'SECRET_SYNC_ERROR')!;

  it.each([
    ['no Events read', [], undefined],
    [
      'the newest three of its objects, newest first',
      [1, 5, 3, 4, 2].map(m => event('db', m, `try ${m}`)),
      ['try 5', 'try 4', 'try 3'],
    ],
    [
      "none of another object's",
      [event('other', 9, 'not this one')],
      undefined,
    ],
  ])('gives a finding %s', (_name, events, expected) => {
    expect(run_(events).events?.map(e => e.message)).toEqual(expected);
  });

  it('keeps what the card shows of an Event', () => {
    expect(run_([event('db', 5, 'try 5')]).events).toEqual([
      {
        object: { kind: 'ExternalSecret', name: 'db', namespace: 'apps' },
        type: 'Warning',
        reason: 'UpdateFailed',
        message: 'try 5',
        count: 5,
        lastTimestamp: '2026-08-20T11:05:00Z',
      },
    ]);
  });
});
