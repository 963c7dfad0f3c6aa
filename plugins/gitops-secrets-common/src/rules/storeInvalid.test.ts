import {
  cond,
  externalSecret,
  healthyEso,
  secretStore,
} from '../testing/builders';
import { findings, notReady } from '../testing/rules';

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
