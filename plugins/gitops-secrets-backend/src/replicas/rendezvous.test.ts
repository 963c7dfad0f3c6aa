import { assignClusters } from './rendezvous';

const clusters = Array.from({ length: 300 }, (_, i) => `cluster-${i}`);

describe('assignClusters', () => {
  it('gives every cluster one of the replicas, the same whatever the order of the replicas', () => {
    const a = assignClusters(clusters, ['r1', 'r2', 'r3']);
    const b = assignClusters(clusters, ['r3', 'r1', 'r2']);
    expect([...a.keys()]).toEqual(clusters);
    expect(a).toEqual(b);
    expect(new Set(a.values())).toEqual(new Set(['r1', 'r2', 'r3']));
  });

  it('spreads clusters evenly enough (each of 3 replicas gets 20–47% of 300)', () => {
    const counts = new Map<string, number>();
    for (const r of assignClusters(clusters, ['r1', 'r2', 'r3']).values()) {
      counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(60);
      expect(n).toBeLessThan(140);
    }
  });

  it.each([
    [
      'a replica leaves: only its clusters move',
      ['r1', 'r2', 'r3'],
      ['r1', 'r3'],
      'r2',
    ],
    [
      'a replica joins: only the clusters it wins move',
      ['r1', 'r2'],
      ['r1', 'r2', 'r4'],
      'r4',
    ],
  ])('%s', (_name, before, after, changed) => {
    const x = assignClusters(clusters, before);
    const y = assignClusters(clusters, after);
    const moved = clusters.filter(c => x.get(c) !== y.get(c));
    expect(moved.length).toBeGreaterThan(0);
    for (const c of moved) {
      expect([x.get(c), y.get(c)]).toContain(changed);
    }
  });

  it('assigns nothing without replicas', () => {
    expect(assignClusters(clusters, []).size).toBe(0);
  });
});
