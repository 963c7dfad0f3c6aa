import { capiCluster, healthyEso, obj } from '../testing/builders';
import { findings } from '../testing/rules';

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
