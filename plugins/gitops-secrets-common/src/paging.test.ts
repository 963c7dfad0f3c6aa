import type { ClusterStatus, ExternalSecretStatus, Health } from './model';
import { limitClusterStatus, pageObjects } from './paging';

function es(name: string, health: Health, stale = false): ExternalSecretStatus {
  return {
    ref: {
      kind: 'ExternalSecret',
      apiVersion: 'external-secrets.io/v1',
      namespace: 'apps',
      name,
    },
    health,
    store: { kind: 'ClusterSecretStore', name: 'aws' },
    targetSecret: `${name}-secret`,
    synced: health === 'Healthy',
    stale,
  };
}

function status(externalSecrets: ExternalSecretStatus[]): ClusterStatus {
  return {
    cluster: 'c',
    health: 'Degraded',
    reachable: true,
    flux: { objects: [] },
    leafClusters: [],
    findings: [],
    observedAt: '2026-11-01T12:00:00.000Z',
    eso: {
      installed: true,
      operator: { deployments: [], ready: true },
      stores: [],
      externalSecrets,
      counts: {
        total: externalSecrets.length,
        synced: 0,
        failing: 0,
        stale: 0,
      },
    },
  };
}

const list = [
  es('a', 'Healthy'),
  es('b', 'Degraded'),
  es('c', 'Healthy', true),
  es('d', 'Progressing'),
  es('e', 'Unknown'),
];

describe('limitClusterStatus', () => {
  it('returns the status as is when every list fits', () => {
    const s = status(list);
    expect(limitClusterStatus(s, 5)).toBe(s);
  });

  it.each([
    [1, ['b']],
    [2, ['b', 'd']],
    [3, ['b', 'd', 'e']],
    [4, ['b', 'c', 'd', 'e']],
    [0, []],
  ])(
    'keeps the %i most important entries (Degraded, Progressing, Unknown, stale, Healthy) in list order',
    (limit, names) => {
      const out = limitClusterStatus(status(list), limit);
      expect(out.eso!.externalSecrets.map(e => e.ref.name)).toEqual(names);
      expect(out.truncated).toEqual({
        limit,
        totals: {
          fluxObjects: 0,
          externalSecrets: 5,
          stores: 0,
          leafClusters: 0,
        },
        tallies: {
          sources: { total: 0, healthy: 0 },
          stores: { total: 0, healthy: 0 },
          leafClusters: {
            total: 0,
            healthy: 0,
            bootstrapped: 0,
            credentialsRequired: 0,
            credentialsCopied: 0,
          },
        },
      });
      expect(out.eso!.counts.total).toBe(5);
    },
  );
});

describe('pageObjects', () => {
  it('pages with offset and limit and counts the total', () => {
    const page = pageObjects(status(list), 'externalsecrets', {
      offset: 1,
      limit: 2,
    });
    expect(page).toMatchObject({
      cluster: 'c',
      kind: 'externalsecrets',
      total: 5,
      offset: 1,
      limit: 2,
    });
    expect(page.items.map(i => i.ref.name)).toEqual(['b', 'c']);
  });

  it('filters by health and by text (namespace/name, store, target Secret)', () => {
    const s = status(list);
    expect(
      pageObjects(s, 'externalsecrets', {
        health: ['Degraded', 'Unknown'],
      }).items.map(i => i.ref.name),
    ).toEqual(['b', 'e']);
    expect(
      pageObjects(s, 'externalsecrets', { q: 'APPS/D' }).items.map(
        i => i.ref.name,
      ),
    ).toEqual(['d']);
    expect(pageObjects(s, 'externalsecrets', { q: 'e-secret' }).total).toBe(1);
    expect(pageObjects(s, 'externalsecrets', { q: 'aws' }).total).toBe(5);
  });

  it('pages the other lists, and carries the cluster error', () => {
    const s: ClusterStatus = {
      ...status([]),
      error: { type: 'TIMEOUT', message: 'slow' },
      leafClusters: [
        {
          name: 'leaf',
          namespace: 'default',
          health: 'Healthy',
          bootstrapped: true,
          credentialsCopied: true,
          credentialsRequired: true,
        },
      ],
    };
    expect(
      pageObjects(s, 'leafclusters', { q: 'default/leaf' }).items,
    ).toHaveLength(1);
    expect(pageObjects(s, 'flux')).toEqual({
      cluster: 'c',
      kind: 'flux',
      total: 0,
      offset: 0,
      limit: 50,
      items: [],
      error: { type: 'TIMEOUT', message: 'slow' },
    });
  });
});
