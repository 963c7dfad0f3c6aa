import {
  cond,
  externalSecret,
  healthyEso,
  obj,
  secretStore,
} from '../testing/builders';
import { findings, notReady } from '../testing/rules';

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

  it.each([
    [1, ['k0']],
    [3, ['k0', 'k1', 'k2']],
    [5, ['k0', 'k1', 'k2', '(2 more like these.)']],
  ])(
    'names every key AWS denied across %i ExternalSecrets of one store (at most 3, the rest counted)',
    (n, expected) => {
      const names = Array.from({ length: n }, (_, i) => `es${i}`);
      const objects = names.map(name =>
        externalSecret(name, 'team-a', {
          conditions: notReady(
            'SecretSyncedError',
            'could not get secret data from provider',
          ),
        }),
      );
      const events = names.map((name, i) => ({
        involvedObject: { kind: 'ExternalSecret', name, namespace: 'team-a' },
        type: 'Warning',
        reason: 'UpdateFailed',
        message: `AccessDeniedException: User: arn:aws:iam::111122223333:user/eso is not authorized to perform: secretsmanager:GetSecretValue on resource: k${i} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
      }));
      const [f] = findings(
        [...healthyEso(), store, ...objects],
        'SECRET_SYNC_ERROR',
        {
          events,
        },
      );
      expect(f.category).toBe('aws-access-denied');
      const named = f.fix.match(/on (k\d+) in|\(\d+ more like these\.\)/g)!;
      expect(
        named.map(x => (x.startsWith('on ') ? x.slice(3, -3) : x)),
      ).toEqual(expected);
    },
  );
});
