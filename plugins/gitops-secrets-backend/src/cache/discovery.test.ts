import type { KubeClient } from '../kube/KubeClient';
import { KubeRequestError } from '../kube/KubeClient';
import { discover } from './discovery';

/** Legacy discovery documents: group → version → plurals. */
function client(
  groups: Record<string, Record<string, string[]>>,
  fail?: KubeRequestError,
): KubeClient & { paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    async getJson(path: string) {
      paths.push(path);
      if (fail) throw fail;
      if (path === '/apis') {
        return {
          kind: 'APIGroupList',
          groups: Object.entries(groups).map(([name, versions]) => ({
            name,
            versions: Object.keys(versions).map(version => ({
              groupVersion: `${name}/${version}`,
              version,
            })),
          })),
        };
      }
      const [, , group, version] = path.split('/');
      const plurals = groups[group]?.[version];
      if (!plurals) throw new KubeRequestError('http', 'not found', 404);
      return {
        kind: 'APIResourceList',
        resources: plurals.flatMap(p => [
          { name: p, verbs: ['get', 'list', 'watch'] },
          { name: `${p}/status`, verbs: ['get'] },
        ]),
      };
    },
    async watch() {
      throw new Error('not used');
    },
  };
}

describe('discover', () => {
  it('picks the preferred served version of each kind', async () => {
    const d = await discover(
      client({
        'cluster.x-k8s.io': { v1beta1: ['clusters'], v1beta2: ['clusters'] },
        'external-secrets.io': {
          v1: ['externalsecrets', 'secretstores'],
          v1alpha1: ['pushsecrets'],
        },
        apps: { v1: ['deployments'] },
      }),
    );
    expect(d.served).toMatchObject({
      'clusters.cluster.x-k8s.io': 'v1beta2',
      'externalsecrets.external-secrets.io': 'v1',
      'secretstores.external-secrets.io': 'v1',
      'clustersecretstores.external-secrets.io': null,
      'deployments.apps': 'v1',
      'kustomizations.kustomize.toolkit.fluxcd.io': null,
    });
    expect(d.unsupported).toEqual([]);
  });

  it('falls back to an older version we still read (CAPI v1beta1)', async () => {
    const d = await discover(
      client({ 'cluster.x-k8s.io': { v1beta1: ['clusters'] } }),
    );
    expect(d.served['clusters.cluster.x-k8s.io']).toBe('v1beta1');
  });

  it('reports kinds served only in versions we do not read', async () => {
    const d = await discover(
      client({
        'external-secrets.io': { v1beta1: ['externalsecrets', 'secretstores'] },
        'kustomize.toolkit.fluxcd.io': { v1beta2: ['kustomizations'] },
      }),
    );
    expect(d.served['externalsecrets.external-secrets.io']).toBeNull();
    expect(d.unsupported).toEqual([
      {
        kind: 'externalsecrets.external-secrets.io',
        servedVersions: ['v1beta1'],
      },
      {
        kind: 'kustomizations.kustomize.toolkit.fluxcd.io',
        servedVersions: ['v1beta2'],
      },
      { kind: 'secretstores.external-secrets.io', servedVersions: ['v1beta1'] },
    ]);
  });

  it('asks each group version once, and only for groups it watches', async () => {
    const c = client({
      'external-secrets.io': {
        v1: ['externalsecrets', 'secretstores', 'clustersecretstores'],
      },
      'cert-manager.io': { v1: ['certificates'] },
    });
    await discover(c);
    expect(c.paths.sort()).toEqual(['/apis', '/apis/external-secrets.io/v1']);
  });

  it('fails with the request error when /apis cannot be read', async () => {
    await expect(
      discover(
        client(
          {},
          new KubeRequestError('http', 'GET /apis answered HTTP 401', 401),
        ),
      ),
    ).rejects.toMatchObject({ status: 401 });
  });
});
