import {
  esoCrd,
  gitRepository,
  helmRelease,
  kustomization,
} from '../testing/builders';
import { findings, run } from '../testing/rules';

describe('CRD_VERSION_SKEW', () => {
  const chart = (version: string) =>
    helmRelease('external-secrets', {
      spec: { chart: { chart: 'external-secrets', version } },
      status: { history: [{ chartVersion: version }] },
    });

  it('compares the CRD version label with the installed chart', () => {
    const objects = [
      esoCrd('externalsecrets', 'ExternalSecret', {
        'app.kubernetes.io/version': 'v2.8.0',
      }),
      chart('2.9.0'),
    ];
    const [f] = findings(objects, 'CRD_VERSION_SKEW');
    expect(f.severity).toBe('warning');
    expect(f.title).toBe('ESO CRDs are 2.8.0 but the chart is 2.9.0');
  });

  it('never tells the user to retag the fleet repository the CRDs share with everything else', () => {
    const crd = esoCrd('externalsecrets', 'ExternalSecret', {
      'app.kubernetes.io/version': '2.8.0',
      'kustomize.toolkit.fluxcd.io/name': 'flux-system',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    const fleet = kustomization('flux-system', {
      spec: {
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        path: './clusters/mgmt',
      },
    });
    const apps = kustomization('apps', {
      spec: { sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    });
    const repo = gitRepository('flux-system', { branch: 'main' });
    const all = run([crd, fleet, apps, repo, chart('2.9.0')]).findings;
    const [f] = all.filter(x => x.code === 'CRD_VERSION_SKEW');
    expect(f.title).toBe('ESO CRDs are 2.8.0 but the chart is 2.9.0');
    expect(f.fix).not.toContain('GitRepository');
    expect(f.fix).toContain(
      'Kustomization flux-system/flux-system applies (path ./clusters/mgmt)',
    );
    expect(f.objects.map(o => o.kind)).not.toContain('GitRepository');
    // A fleet on a branch is not "CRDs following a branch".
    const [branchOnly] = run([
      {
        ...crd,
        metadata: {
          ...crd.metadata,
          labels: {
            'kustomize.toolkit.fluxcd.io/name': 'flux-system',
            'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
          },
        },
      },
      fleet,
      apps,
      repo,
      chart('2.9.0'),
    ]).findings.filter(x => x.code === 'CRD_VERSION_SKEW');
    expect(branchOnly).toBeUndefined();
  });

  it('reads the CRD version from the git tag of the Kustomization that applied them', () => {
    const crd = esoCrd('externalsecrets', 'ExternalSecret', {
      'kustomize.toolkit.fluxcd.io/name': 'eso-crds',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    const ks = kustomization('eso-crds', {
      spec: {
        sourceRef: { kind: 'GitRepository', name: 'external-secrets' },
        path: './deploy/crds',
      },
    });
    const [f] = findings(
      [
        crd,
        ks,
        gitRepository('external-secrets', { tag: 'v2.8.1' }),
        chart('2.9.0'),
      ],
      'CRD_VERSION_SKEW',
    );
    expect(f.title).toBe('ESO CRDs are 2.8.1 but the chart is 2.9.0');
    expect(f.fix).toContain(
      'Set ref.tag of GitRepository flux-system/external-secrets to v2.9.0',
    );
  });

  it('warns about CRDs following a branch', () => {
    const crds = kustomization('external-secrets-crds', {
      spec: { sourceRef: { kind: 'GitRepository', name: 'external-secrets' } },
    });
    const [f] = findings(
      [
        esoCrd('externalsecrets', 'ExternalSecret'),
        crds,
        gitRepository('external-secrets', { branch: 'main' }),
        chart('2.9.0'),
      ],
      'CRD_VERSION_SKEW',
    );
    expect(f.title).toBe('ESO CRDs follow branch main');
    expect(f.fix).toContain('ref.tag v2.9.0');
  });

  it.each([
    [
      'the same version',
      [
        esoCrd('externalsecrets', 'ExternalSecret', {
          'app.kubernetes.io/version': 'v2.9.0',
        }),
        chart('2.9.0'),
      ],
    ],
    [
      'no chart version known',
      [
        esoCrd('externalsecrets', 'ExternalSecret', {
          'app.kubernetes.io/version': 'v2.8.0',
        }),
      ],
    ],
    [
      'no CRD version known',
      [esoCrd('externalsecrets', 'ExternalSecret'), chart('2.9.0')],
    ],
  ])('does not fire with %s', (_n, objects) => {
    expect(findings(objects, 'CRD_VERSION_SKEW')).toEqual([]);
  });
});
