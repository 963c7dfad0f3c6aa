import { slimObject } from '@golden-gitops/plugin-gitops-secrets-common';
import { StringPool } from './intern';

function es(name: string) {
  return slimObject({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: {
      name,
      namespace: 'apps',
      uid: `uid-${name}`,
      creationTimestamp: '2026-11-01T11:00:00Z',
      labels: { 'backstage.io/kubernetes-id': 'shop' },
    },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
      target: { name: `${name}-secret` },
    },
    status: {
      refreshTime: '2026-11-01T11:50:00Z',
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'SecretSynced',
          message: 'secret synced',
        },
      ],
    },
  });
}

describe('StringPool', () => {
  it('keeps the content, drops uid and creationTimestamp, and shares label sets and store references', () => {
    const pool = new StringPool();
    const a = pool.internObject(es('a'));
    const b = pool.internObject(es('b'));
    const { uid, creationTimestamp, ...metadata } = es('a').metadata;
    expect(a).toEqual({ ...es('a'), metadata });
    expect(a.metadata.labels).toBe(b.metadata.labels);
    expect(a.spec!.secretStoreRef).toBe(b.spec!.secretStoreRef);
    expect(Object.isFrozen(a.metadata.labels)).toBe(true);
    expect(a.spec!.target).not.toBe(b.spec!.target);
  });

  it('does not pool unique names and timestamps', () => {
    const pool = new StringPool();
    for (let i = 0; i < 100; i++) pool.internObject(es(`secret-${i}`));
    // apiVersion, kind, namespace, label key/value, refreshInterval, condition strings, two shared objects: not 100s.
    expect(pool.size).toBeLessThan(20);
  });
});
