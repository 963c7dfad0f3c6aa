import { removedApiVersionsIn } from '../rules';
import { healthyEso, kustomization } from '../testing/builders';
import { findings, notReady } from '../testing/rules';

describe('REMOVED_API_VERSION', () => {
  it.each([
    ['kustomize.toolkit.fluxcd.io/v1beta2', 'kustomize.toolkit.fluxcd.io/v1'],
    ['helm.toolkit.fluxcd.io/v2beta1', 'helm.toolkit.fluxcd.io/v2'],
    ['source.toolkit.fluxcd.io/v1beta1', 'source.toolkit.fluxcd.io/v1'],
    ['external-secrets.io/v1beta1', 'external-secrets.io/v1'],
  ])('%s → %s', (removed, replacement) => {
    const k = kustomization('cluster-secrets', {
      spec: {
        path: './cluster-secrets',
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
      conditions: notReady(
        'ReconciliationFailed',
        `Kind/x dry-run failed: no matches for kind "X" in version "${removed}"`,
      ),
    });
    const [f] = findings([...healthyEso(), k], 'REMOVED_API_VERSION');
    expect(f.fix).toContain(`apiVersion ${removed} to ${replacement}`);
    expect(f.fix).toContain(
      'path ./cluster-secrets of GitRepository flux-system',
    );
  });

  it.each([
    [
      'a current ESO version',
      'no matches for kind "ExternalSecret" in version "external-secrets.io/v1"',
    ],
    [
      'a current generator version',
      'no matches for kind "Password" in version "generators.external-secrets.io/v1alpha1"',
    ],
    [
      'a longer version',
      'no matches for kind "X" in version "external-secrets.io/v1beta12"',
    ],
  ])('does not fire for %s', (_n, message) => {
    const k = kustomization('apps', {
      conditions: notReady('ReconciliationFailed', message),
    });
    expect(findings([...healthyEso(), k], 'REMOVED_API_VERSION')).toEqual([]);
  });

  it('finds versions as whole tokens', () => {
    expect(
      removedApiVersionsIn(
        'uses external-secrets.io/v1alpha1 and helm.toolkit.fluxcd.io/v2beta2',
      ).map(r => r.apiVersion),
    ).toEqual([
      'helm.toolkit.fluxcd.io/v2beta2',
      'external-secrets.io/v1alpha1',
    ]);
    expect(
      removedApiVersionsIn('generators.external-secrets.io/v1alpha1'),
    ).toEqual([]);
  });
});
