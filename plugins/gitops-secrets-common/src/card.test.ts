import { cardClusterStatus } from './card';
import type {
  ClusterStatus,
  ExternalSecretStatus,
  Finding,
  FluxObjectStatus,
  Health,
  LeafClusterStatus,
  ObjectRef,
} from './model';
import { limitClusterStatus } from './paging';

const ref = (kind: string, name: string): ObjectRef => ({
  kind,
  apiVersion: 'v1',
  namespace: 'apps',
  name,
});

function es(name: string, health: Health, stale = false): ExternalSecretStatus {
  return {
    ref: ref('ExternalSecret', name),
    health,
    store: { kind: 'ClusterSecretStore', name: 'aws' },
    targetSecret: name,
    synced: health === 'Healthy',
    stale,
  };
}

function flux(kind: string, name: string, health: Health): FluxObjectStatus {
  return { ref: ref(kind, name), health, suspended: false, dependsOn: [] };
}

function leaf(name: string, health: Health, bootstrapped: boolean) {
  const l: LeafClusterStatus = {
    name,
    namespace: 'default',
    health,
    bootstrapped,
    credentialsRequired: true,
    credentialsCopied: bootstrapped,
  };
  return l;
}

function finding(i: number, objects: number): Finding {
  return {
    code: 'SECRET_SYNC_ERROR',
    severity: 'error',
    title: `t${i}`,
    detail: 'd',
    fix: 'f',
    objects: Array.from({ length: objects }, (_, j) =>
      ref('ExternalSecret', `o${j}`),
    ),
    blocks: Array.from({ length: objects }, (_, j) =>
      ref('Kustomization', `b${j}`),
    ),
  };
}

/** 1,000 ExternalSecrets of which every 100th fails and every 250th is stale; 3 of 4 sources ready; 2 leaves. */
function bigStatus(findings = 3): ClusterStatus {
  const secrets = Array.from({ length: 1000 }, (_, i) => {
    if (i % 100 === 7) return es(`es-${i}`, 'Degraded');
    return es(`es-${i}`, 'Healthy', i % 250 === 3);
  });
  return {
    cluster: 'c',
    health: 'Degraded',
    reachable: true,
    observedAt: '2026-11-01T12:00:00.000Z',
    flux: {
      objects: [
        flux('GitRepository', 'g1', 'Healthy'),
        flux('GitRepository', 'g2', 'Degraded'),
        flux('OCIRepository', 'o1', 'Healthy'),
        flux('HelmRepository', 'h1', 'Healthy'),
        ...Array.from({ length: 50 }, (_, i) =>
          flux('Kustomization', `k${i}`, i === 20 ? 'Progressing' : 'Healthy'),
        ),
      ],
    },
    leafClusters: [leaf('l1', 'Healthy', true), leaf('l2', 'Degraded', false)],
    findings: Array.from({ length: findings }, (_, i) => finding(i, 40)),
    eso: {
      installed: true,
      operator: { deployments: [], ready: true },
      stores: [
        {
          ref: ref('ClusterSecretStore', 'aws'),
          health: 'Healthy',
          provider: 'aws',
        },
      ],
      externalSecrets: secrets,
      counts: { total: 1000, synced: 990, failing: 10, stale: 4 },
    },
  };
}

const tallies = {
  sources: { total: 4, healthy: 3, health: 'Degraded' },
  stores: { total: 1, healthy: 1, health: 'Healthy' },
  leafClusters: {
    total: 2,
    healthy: 1,
    health: 'Degraded',
    bootstrapped: 1,
    credentialsRequired: 2,
    credentialsCopied: 1,
  },
};
const totals = {
  fluxObjects: 54,
  externalSecrets: 1000,
  stores: 1,
  leafClusters: 2,
};

describe('cardClusterStatus', () => {
  // The backend cuts first (cached per limit), then makes the card form; both ways must give the same answer.
  it.each([
    ['a whole status', (s: ClusterStatus) => s],
    [
      'a status cut by limitClusterStatus',
      (s: ClusterStatus) => limitClusterStatus(s, 5),
    ],
  ])(
    'from %s keeps only the worst entries, with exact totals and tallies',
    (_, prepare) => {
      const card = cardClusterStatus(prepare(bigStatus()));
      // Failing first in list order as limitClusterStatus keeps them; healthy ones are not listed.
      expect(card.eso!.externalSecrets.map(e => e.ref.name)).toEqual([
        'es-7',
        'es-107',
        'es-207',
        'es-307',
        'es-407',
      ]);
      expect(card.flux.objects.map(o => o.ref.name)).toEqual(['g2', 'k20']);
      expect(card.leafClusters.map(l => l.name)).toEqual(['l1', 'l2']);
      expect(card.eso!.stores).toEqual([]);
      expect(card.eso!.counts).toEqual(bigStatus().eso!.counts);
      expect(card.truncated).toEqual({ limit: 5, totals, tallies });
    },
  );

  it('keeps the most urgent findings, says how many there were, and cuts their object lists', () => {
    const card = cardClusterStatus(bigStatus(30), {
      findings: 10,
      findingObjects: 3,
    });
    expect(card.findings.map(f => f.title)).toEqual(
      Array.from({ length: 10 }, (_, i) => `t${i}`),
    );
    expect(card.truncated?.findings).toBe(30);
    expect(card.findings[0].objects.map(o => o.name)).toEqual([
      'o0',
      'o1',
      'o2',
    ]);
    expect(card.findings[0].blocks).toHaveLength(3);

    const few = cardClusterStatus(bigStatus(2));
    expect(few.findings).toHaveLength(2);
    expect(few.truncated?.findings).toBeUndefined();
  });

  it('is small for a big healthy cluster', () => {
    const s = bigStatus(0);
    const healthy: ClusterStatus = {
      ...s,
      eso: {
        ...s.eso!,
        externalSecrets: s.eso!.externalSecrets.map(e => ({
          ...e,
          health: 'Healthy',
          synced: true,
          stale: false,
        })),
      },
    };
    const card = cardClusterStatus(healthy);
    expect(card.eso!.externalSecrets).toEqual([]);
    expect(JSON.stringify(card).length).toBeLessThan(2048);
  });
});
