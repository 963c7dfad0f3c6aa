import {
  cond,
  healthyEso,
  helmRelease,
  kustomization,
} from '../testing/builders';
import { findings, notReady } from '../testing/rules';

const CRD_RACE_MESSAGE =
  'ExternalSecret/app/db dry-run failed: no matches for kind "ExternalSecret" in version "external-secrets.io/v1"';

describe('CRD_RACE', () => {
  it('fires for a Flux object applying ESO kinds before the CRDs', () => {
    const apps = kustomization('apps', {
      conditions: notReady('ReconciliationFailed', CRD_RACE_MESSAGE),
    });
    const [f] = findings([...healthyEso(), apps], 'CRD_RACE');
    expect(f.severity).toBe('error');
    expect(f.objects[0].name).toBe('apps');
    expect(f.fix).toContain('external-secrets-crds');
    expect(f.fix).toContain('external-secrets-operator');
    expect(f.command).toBe(
      'kubectl --context mgmt -n flux-system get kustomization apps -o yaml',
    );
  });

  it('says whether the object depends on the CRDs Kustomization', () => {
    const crds = kustomization('external-secrets-crds', {
      conditions: [
        cond('Reconciling', 'True'),
        cond('Ready', 'Unknown', 'Progressing'),
      ],
    });
    const linked = kustomization('apps', {
      spec: { dependsOn: [{ name: 'external-secrets-crds' }] },
      conditions: notReady('ReconciliationFailed', CRD_RACE_MESSAGE),
    });
    expect(findings([crds, linked], 'CRD_RACE')[0].detail).toContain(
      'It depends on Kustomization flux-system/external-secrets-crds',
    );
    const unlinked = kustomization('apps', {
      conditions: notReady('ReconciliationFailed', CRD_RACE_MESSAGE),
    });
    expect(findings([crds, unlinked], 'CRD_RACE')[0].detail).toContain(
      'It does not depend on',
    );
  });

  it('also reads HelmRelease messages', () => {
    const hr = helmRelease('app', {
      conditions: notReady('InstallFailed', CRD_RACE_MESSAGE),
    });
    expect(findings([...healthyEso(), hr], 'CRD_RACE')).toHaveLength(1);
  });

  it.each([
    [
      'a Ready object',
      [cond('Ready', 'True', 'ReconciliationSucceeded', CRD_RACE_MESSAGE)],
    ],
    [
      'another API group',
      notReady(
        'ReconciliationFailed',
        'no matches for kind "Foo" in version "example.com/v1"',
      ),
    ],
    [
      'a removed ESO version',
      notReady(
        'ReconciliationFailed',
        'no matches for kind "ExternalSecret" in version "external-secrets.io/v1beta1"',
      ),
    ],
  ])('does not fire for %s', (_n, conditions) => {
    expect(
      findings(
        [...healthyEso(), kustomization('apps', { conditions })],
        'CRD_RACE',
      ),
    ).toEqual([]);
  });
});
