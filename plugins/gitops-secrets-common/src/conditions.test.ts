import {
  HEALTH_PRIORITY,
  capiClusterHealth,
  deploymentHealth,
  esoHealth,
  fluxHealth,
  getCondition,
  gitopsClusterHealth,
  hasGenerationLag,
  isCapiClusterProvisioned,
  isFalse,
  isReady,
  isReconciling,
  isStalled,
  isTrue,
  isUnknown,
  mergeHealth,
  objectHealth,
} from './conditions';
import type { ObjectHealth } from './conditions';
import { fluxActivity } from './conditions';
import type { Health } from './model';
import type { SlimObject } from './slim';
import {
  cond,
  capiCluster,
  deployment,
  externalSecret,
  kustomization,
  obj,
} from './testing/builders';

describe('getCondition and status predicates', () => {
  const o = kustomization('k', {
    conditions: [
      cond('Ready', 'False', 'BuildFailed'),
      cond('Healthy', 'Unknown'),
    ],
  });

  it.each([
    // [object, type, isTrue, isFalse, isUnknown]
    ['Ready False', o, 'Ready', false, true, false],
    ['Healthy Unknown', o, 'Healthy', false, false, true],
    ['absent type', o, 'Stalled', false, false, true],
    ['undefined object', undefined, 'Ready', false, false, true],
    ['null object', null, 'Ready', false, false, true],
    ['object without status', obj('v1', 'X', 'x'), 'Ready', false, false, true],
  ])('%s', (_name, target, type, t, f, u) => {
    expect(isTrue(target, type)).toBe(t);
    expect(isFalse(target, type)).toBe(f);
    expect(isUnknown(target, type)).toBe(u);
  });

  it('getCondition returns the condition of that type only', () => {
    expect(getCondition(o, 'Ready')?.reason).toBe('BuildFailed');
    expect(getCondition(o, 'Reconciling')).toBeUndefined();
  });
});

type ReadyStatus = 'True' | 'False' | 'Unknown' | 'absent';
type Lag = 'lagging' | 'current' | 'no observedGeneration';

const READY_STATUSES: ReadyStatus[] = ['True', 'False', 'Unknown', 'absent'];
const LAGS: Lag[] = ['lagging', 'current', 'no observedGeneration'];

function fluxObject(
  ready: ReadyStatus,
  reconciling: boolean,
  stalled: boolean,
  lag: Lag,
) {
  const conditions = [];
  if (ready !== 'absent')
    conditions.push(
      cond('Ready', ready, ready === 'False' ? 'BuildFailed' : 'Progressing'),
    );
  if (reconciling) conditions.push(cond('Reconciling', 'True', 'Progressing'));
  if (stalled) conditions.push(cond('Stalled', 'True', 'BuildFailed'));
  const o = kustomization('k', { generation: 3, conditions });
  o.status!.observedGeneration = lag === 'lagging' ? 2 : 3;
  if (lag === 'no observedGeneration') delete o.status!.observedGeneration;
  return o;
}

// Every combination of Ready × Reconciling × Stalled × observedGeneration lag.
const PAIRS = READY_STATUSES.flatMap(ready =>
  [false, true].flatMap(reconciling =>
    [false, true].flatMap(stalled =>
      LAGS.map(lag => ({ ready, reconciling, stalled, lag })),
    ),
  ),
);

describe('isReady (fluxcd IsReady + kstatus generation)', () => {
  it('covers 48 combinations', () => expect(PAIRS).toHaveLength(48));

  it.each(PAIRS)(
    'Ready=$ready Reconciling=$reconciling Stalled=$stalled $lag',
    ({ ready, reconciling, stalled, lag }) => {
      const o = fluxObject(ready, reconciling, stalled, lag);
      // Ready only when all four hold; any one failing makes it not ready.
      const expected =
        ready === 'True' && !reconciling && !stalled && lag !== 'lagging';
      expect(isReady(o)).toBe(expected);
      expect(isStalled(o)).toBe(stalled);
      expect(isReconciling(o)).toBe(reconciling);
      expect(hasGenerationLag(o)).toBe(lag === 'lagging');
    },
  );

  it('is false for nothing', () => {
    expect(isReady(undefined)).toBe(false);
    expect(isReady(null)).toBe(false);
  });
});

describe('fluxHealth', () => {
  it.each(PAIRS)(
    'Ready=$ready Reconciling=$reconciling Stalled=$stalled $lag',
    ({ ready, reconciling, stalled, lag }) => {
      const o = fluxObject(ready, reconciling, stalled, lag);
      // The documented order: Stalled, then Ready=False of the current generation (even while Reconciling),
      // then lag/Reconciling, then Ready.
      let expected: ObjectHealth;
      if (stalled) expected = 'Degraded';
      else if (ready === 'False' && lag !== 'lagging') expected = 'Degraded';
      else if (reconciling || lag === 'lagging') expected = 'Progressing';
      else if (ready === 'True') expected = 'Healthy';
      else if (ready === 'Unknown') expected = 'Progressing';
      else if (ready === 'False') expected = 'Degraded';
      else expected = 'Unknown';
      expect(fluxHealth(o)).toBe(expected);
    },
  );

  it('suspended wins over everything', () => {
    const o = fluxObject('False', false, true, 'current');
    o.spec = { suspend: true };
    expect(fluxHealth(o)).toBe('Suspended');
  });

  it('a failed reconcile Flux will retry (Ready=False, Reconciling=True ProgressingWithRetry) is Degraded', () => {
    const o = kustomization('apps', {
      spec: { interval: '10m', retryInterval: '1m' },
      status: { lastAppliedRevision: 'main@sha1:abc' },
      conditions: [
        {
          ...cond('Ready', 'False', 'BuildFailed', 'kustomize build failed'),
          lastTransitionTime: '2026-08-20T11:00:00Z',
        },
        cond('Reconciling', 'True', 'ProgressingWithRetry', 'retrying'),
      ],
    });
    expect(fluxHealth(o)).toBe('Degraded');
    expect(fluxActivity(o)).toEqual({
      failing: true,
      stalled: false,
      failingSince: '2026-08-20T11:00:00Z',
      retryInterval: '1m',
      lastAppliedRevision: 'main@sha1:abc',
      text: 'failing since 2026-08-20T11:00:00Z, retrying every 1m; last applied main@sha1:abc',
    });
  });

  it('a HelmRelease v2 (no lastAppliedRevision) names the release still deployed after a failed upgrade', () => {
    const hr = (history: Array<Record<string, string>>): SlimObject => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { interval: '10m' },
      status: {
        conditions: [
          cond('Ready', 'False', 'UpgradeFailed', 'upgrade retries exhausted'),
        ],
        history,
      },
    });
    const failedUpgrade = hr([
      { chartName: 'podinfo', chartVersion: '6.5.1', status: 'failed' },
      { chartName: 'podinfo', chartVersion: '6.5.0', status: 'deployed' },
    ]);
    expect(fluxActivity(failedUpgrade).lastAppliedRevision).toBe(
      'podinfo@6.5.0',
    );
    expect(fluxActivity(failedUpgrade).text).toMatch(
      /; last applied podinfo@6\.5\.0$/,
    );
    const failedInstall = hr([
      { chartName: 'podinfo', chartVersion: '6.5.1', status: 'failed' },
    ]);
    expect(fluxActivity(failedInstall).text).toMatch(/; never applied$/);
  });

  it('a Ready object is not failing and has no activity text', () => {
    const o = kustomization('apps', { spec: { interval: '10m' } });
    expect(fluxActivity(o)).toEqual({
      failing: false,
      stalled: false,
      retryInterval: '10m',
    });
  });

  it('waiting for a dependency is Progressing, not Degraded', () => {
    const o = kustomization('k', {
      conditions: [
        cond(
          'Ready',
          'False',
          'DependencyNotReady',
          "dependency 'flux-system/a' is not ready",
        ),
      ],
    });
    expect(fluxHealth(o)).toBe('Progressing');
  });
});

describe('esoHealth', () => {
  it.each([
    ['True', 'Healthy'],
    ['False', 'Degraded'],
    ['Unknown', 'Progressing'],
    ['absent', 'Unknown'],
  ] as const)('Ready %s → %s', (ready, expected) => {
    const es = externalSecret('db', 'team-a', {
      conditions: ready === 'absent' ? [] : [cond('Ready', ready)],
    });
    expect(esoHealth(es)).toBe(expected);
    expect(objectHealth(es)).toBe(expected);
  });

  it('ignores generation: ESO has no observedGeneration', () => {
    const es = externalSecret('db', 'team-a', { generation: 7 });
    expect(esoHealth(es)).toBe('Healthy');
  });

  it('a ClusterExternalSecret with failed namespaces is Degraded', () => {
    const ces = obj(
      'external-secrets.io/v1',
      'ClusterExternalSecret',
      'shared',
      {
        conditions: [cond('Ready', 'True')],
        status: { failedNamespaces: [{ namespace: 'team-b', reason: 'x' }] },
      },
    );
    expect(esoHealth(ces)).toBe('Degraded');
  });
});

describe('capiClusterHealth', () => {
  it.each([
    ['v1beta2 Available True', capiCluster('c', 'ns'), 'Healthy'],
    [
      'v1beta2 Available False while Provisioned',
      capiCluster('c', 'ns', { available: 'False' }),
      'Degraded',
    ],
    [
      'v1beta2 Provisioned, control plane not yet initialized',
      capiCluster('c', 'ns', {
        available: 'False',
        status: { initialization: { infrastructureProvisioned: true } },
        conditions: [
          cond('Available', 'False', 'NotAvailable'),
          cond('ControlPlaneInitialized', 'False', 'NotInitialized'),
        ],
      }),
      'Progressing',
    ],
    [
      'v1beta2 Provisioning',
      capiCluster('c', 'ns', { phase: 'Provisioning', available: 'False' }),
      'Progressing',
    ],
    ['phase Failed', capiCluster('c', 'ns', { phase: 'Failed' }), 'Degraded'],
    [
      'v1beta1 Ready True',
      obj('cluster.x-k8s.io/v1beta1', 'Cluster', 'c', {
        status: { phase: 'Provisioned' },
        conditions: [cond('Ready', 'True')],
      }),
      'Healthy',
    ],
    [
      'v1beta1 failureMessage',
      obj('cluster.x-k8s.io/v1beta1', 'Cluster', 'c', {
        status: { phase: 'Provisioned', failureMessage: 'boom' },
        conditions: [cond('Ready', 'True')],
      }),
      'Degraded',
    ],
    [
      'paused',
      { ...capiCluster('c', 'ns'), spec: { paused: true } },
      'Suspended',
    ],
    ['no status', obj('cluster.x-k8s.io/v1beta2', 'Cluster', 'c'), 'Unknown'],
  ] as const)('%s → %s', (_n, o, expected) => {
    expect(capiClusterHealth(o)).toBe(expected);
  });
});

describe('deploymentHealth', () => {
  it.each([
    ['all ready', deployment('d', 2, 2), 'Healthy'],
    ['rolling out', deployment('d', 2, 1), 'Progressing'],
    [
      'crash loop after rollout',
      deployment('d', 1, 0, {
        conditions: [
          cond('Available', 'False', 'MinimumReplicasUnavailable'),
          cond('Progressing', 'True', 'NewReplicaSetAvailable'),
        ],
      }),
      'Degraded',
    ],
    [
      'progress deadline exceeded',
      deployment('d', 1, 0, {
        conditions: [cond('Progressing', 'False', 'ProgressDeadlineExceeded')],
      }),
      'Degraded',
    ],
    ['generation lag', deployment('d', 1, 1, { generation: 2 }), 'Progressing'],
  ] as const)('%s → %s', (_n, o, expected) => {
    expect(deploymentHealth(o)).toBe(expected);
  });
});

describe('gitopsClusterHealth', () => {
  it.each([
    ['True', 'ControlPlaneReadyStatus', 'Healthy'],
    ['False', 'WaitingForControlPlaneReadyStatus', 'Progressing'],
    ['False', 'SomethingBroke', 'Degraded'],
  ] as const)('Ready %s %s → %s', (status, reason, expected) => {
    const gc = obj('gitops.weave.works/v1alpha1', 'GitopsCluster', 'leaf', {
      conditions: [cond('Ready', status, reason)],
    });
    expect(gitopsClusterHealth(gc)).toBe(expected);
  });
});

describe('mergeHealth and HEALTH_PRIORITY', () => {
  it('is Degraded > Progressing > Unknown > Healthy', () => {
    expect(HEALTH_PRIORITY).toEqual([
      'Degraded',
      'Progressing',
      'Unknown',
      'Healthy',
    ]);
  });

  const all: Health[] = ['Healthy', 'Progressing', 'Degraded', 'Unknown'];
  const rank: Record<Health, number> = {
    Degraded: 0,
    Progressing: 1,
    Unknown: 2,
    Healthy: 3,
  };
  it.each(all.flatMap(a => all.map(b => [a, b] as const)))(
    '%s + %s',
    (a, b) => {
      const expected = rank[a] <= rank[b] ? a : b;
      expect(mergeHealth([a, b])).toBe(expected);
      expect(mergeHealth([b, a])).toBe(expected);
    },
  );

  it('folds Suspended into Unknown and nothing into Unknown', () => {
    expect(mergeHealth(['Healthy', 'Suspended'])).toBe('Unknown');
    expect(mergeHealth(['Progressing', 'Suspended'])).toBe('Progressing');
    expect(mergeHealth([])).toBe('Unknown');
  });
});

describe('isCapiClusterProvisioned', () => {
  const v1beta1 = (
    status: Record<string, unknown>,
    conditions = [] as ReturnType<typeof cond>[],
  ) => obj('cluster.x-k8s.io/v1beta1', 'Cluster', 'c', { status, conditions });
  it.each([
    ['v1beta2 control plane initialized', capiCluster('c', 'ns'), true],
    [
      'v1beta2 phase Provisioned, initialization without controlPlaneInitialized, condition False',
      capiCluster('c', 'ns', {
        status: { initialization: { infrastructureProvisioned: true } },
        conditions: [
          cond('ControlPlaneInitialized', 'False', 'NotInitialized'),
        ],
      }),
      false,
    ],
    [
      'v1beta2 initialization says false even though the phase is Provisioned',
      capiCluster('c', 'ns', {
        status: {
          initialization: {
            infrastructureProvisioned: true,
            controlPlaneInitialized: false,
          },
        },
      }),
      false,
    ],
    [
      'v1beta1 controlPlaneReady',
      v1beta1({ phase: 'Provisioned', controlPlaneReady: true }),
      true,
    ],
    [
      'v1beta1 Provisioned, controlPlaneReady false',
      v1beta1({ phase: 'Provisioned', controlPlaneReady: false }),
      false,
    ],
    ['phase only', v1beta1({ phase: 'Provisioned' }), true],
    ['Provisioning', v1beta1({ phase: 'Provisioning' }), false],
    ['absent', undefined, false],
  ] as const)('%s → %s', (_n, o, expected) => {
    expect(isCapiClusterProvisioned(o)).toBe(expected);
  });
});
