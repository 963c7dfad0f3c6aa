import {
  capiCluster,
  cond,
  gitopsCluster,
  healthyEso,
  obj,
} from '../testing/builders';
import { findings, notReady } from '../testing/rules';

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
