import { assertValidObject } from '@golden-gitops/crd-schemas';
import { clusterOptions, ENTITY_TEAM, entityShare, share } from './generate';

describe('the benchmark fleet', () => {
  const size = {
    clusters: 2,
    externalSecrets: 120,
    kustomizations: 25,
    helmReleases: 9,
    teams: 4,
  };
  const objects = clusterOptions(0, size).objects!;
  const count = (kind: string, namespace?: string) =>
    objects.filter(
      o =>
        o.kind === kind && (!namespace || o.metadata.namespace === namespace),
    ).length;

  it('holds exactly the asked numbers per cluster, the fixture’s objects included', () => {
    expect(count('ExternalSecret')).toBe(120);
    expect(count('Kustomization')).toBe(25);
    expect(count('HelmRelease')).toBe(9);
  });

  it('gives the entity the share entityShare() promises', () => {
    const mine = entityShare(size);
    expect(count('ExternalSecret', ENTITY_TEAM)).toBe(mine.externalSecrets);
    expect(count('Kustomization', ENTITY_TEAM)).toBe(mine.kustomizations);
    expect(count('HelmRelease', ENTITY_TEAM)).toBe(mine.helmReleases);
    // Both plugins must select the same objects: ours by namespace, the anchor by label.
    const labelled = objects.filter(
      o => o.metadata.labels?.['backstage.io/kubernetes-id'] === ENTITY_TEAM,
    );
    expect(
      labelled.every(
        o => o.metadata.namespace === ENTITY_TEAM || o.kind === 'Namespace',
      ),
    ).toBe(true);
  });

  it('spreads a total over teams without losing any', () => {
    expect([0, 1, 2].map(t => share(10, 3, t))).toEqual([4, 3, 3]);
  });

  it('writes only objects that validate against their upstream CRDs', () => {
    const custom = objects.filter(o =>
      [
        'ExternalSecret',
        'Kustomization',
        'HelmRelease',
        'HelmRepository',
      ].includes(o.kind),
    );
    expect(custom.length).toBeGreaterThan(150);
    for (const o of custom) expect(() => assertValidObject(o)).not.toThrow();
  });
});
