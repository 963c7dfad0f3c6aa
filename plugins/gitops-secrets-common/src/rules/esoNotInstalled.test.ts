import {
  cond,
  healthyEso,
  helmRelease,
  kustomization,
} from '../testing/builders';
import { findings, notReady, run } from '../testing/rules';

describe('ESO_NOT_INSTALLED', () => {
  it('says nothing when nothing installs or needs ESO (a Flux-only cluster, a Component without secrets)', () => {
    expect(findings([], 'ESO_NOT_INSTALLED', { servedVersions: {} })).toEqual(
      [],
    );
    expect(
      findings([kustomization('apps')], 'ESO_NOT_INSTALLED', {
        servedVersions: {},
      }),
    ).toEqual([]);
  });

  it('names the CRDs Kustomization when it exists but has not applied them', () => {
    const crds = kustomization('external-secrets-crds', {
      conditions: notReady('ArtifactFailed', 'source not found'),
    });
    const [f] = findings([crds], 'ESO_NOT_INSTALLED', { servedVersions: {} });
    expect(f.objects).toEqual([
      {
        kind: 'Kustomization',
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        namespace: 'flux-system',
        name: 'external-secrets-crds',
      },
    ]);
    expect(f.detail).toContain('source not found');
    expect(f.command).toBe(
      'kubectl --context mgmt -n flux-system get kustomization external-secrets-crds -o yaml',
    );
  });

  it('is an error when a Flux object applies ESO objects and nothing installs ESO', () => {
    const racing = kustomization('cluster-secrets', {
      conditions: notReady(
        'ReconciliationFailed',
        'ExternalSecret/orders/db dry-run failed: no matches for kind "ExternalSecret" in version "external-secrets.io/v1"',
      ),
    });
    const [f] = findings([racing], 'ESO_NOT_INSTALLED', { servedVersions: {} });
    expect(f.severity).toBe('error');
    expect(f.detail).toContain('Kustomization flux-system/cluster-secrets');
    expect(f.objects.map(o => o.name)).toEqual(['cluster-secrets']);
  });

  it('is a warning while the ESO HelmRelease is still installing, an error when it fails', () => {
    const installing = helmRelease('external-secrets', {
      conditions: [
        cond('Ready', 'Unknown', 'Progressing', 'Running install'),
        cond('Reconciling', 'True', 'Progressing'),
      ],
    });
    const [w] = findings([installing], 'ESO_NOT_INSTALLED', {
      servedVersions: {},
    });
    expect(w.severity).toBe('warning');
    expect(w.detail).toContain('is still installing it');
    const failed = helmRelease('external-secrets', {
      conditions: [cond('Ready', 'False', 'InstallFailed', 'timed out')],
    });
    const [e] = findings([failed], 'ESO_NOT_INSTALLED', { servedVersions: {} });
    expect(e.severity).toBe('error');
    expect(e.fix).toContain('HelmRelease flux-system/external-secrets');
    expect(e.fix).toContain(
      'flux reconcile helmrelease external-secrets -n flux-system',
    );
  });

  it('does not fire when ESO CRDs exist', () => {
    expect(
      findings(healthyEso(), 'ESO_NOT_INSTALLED', { servedVersions: {} }),
    ).toEqual([]);
  });

  it('does not fire when the API is served even without CRD objects', () => {
    expect(
      findings([], 'ESO_NOT_INSTALLED', {
        servedVersions: { 'externalsecrets.external-secrets.io': 'v1' },
      }),
    ).toEqual([]);
  });

  it('gives way to UNSUPPORTED_API when only removed ESO versions are served', () => {
    const status = run([], {
      servedVersions: {},
      unsupported: [
        {
          kind: 'externalsecrets.external-secrets.io',
          servedVersions: ['v1beta1'],
        },
      ],
    });
    expect(status.findings.map(f => f.code)).toEqual(['UNSUPPORTED_API']);
  });
});
