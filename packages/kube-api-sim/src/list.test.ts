import { startCluster } from './cluster';
import { request } from './testing';
import type { KubeObject, SimCluster } from './types';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

const KS = '/apis/kustomize.toolkit.fluxcd.io/v1';

function kustomization(
  namespace: string,
  name: string,
  labels?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: {
      interval: '10m',
      path: `./${name}`,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
  };
}

describe('list', () => {
  let cluster: SimCluster;

  beforeAll(async () => {
    cluster = await startCluster({
      name: 'lists',
      crdSets: ['flux'],
      objects: [
        kustomization('flux-system', 'infra', {
          tier: 'infra',
          team: 'platform',
        }),
        kustomization('flux-system', 'apps', { tier: 'apps', team: 'apps' }),
        kustomization('flux-system', 'crds', { tier: 'infra' }),
        kustomization('tenants', 'alpha', { tier: 'apps', team: 'alpha' }),
        kustomization('tenants', 'beta'),
      ],
    });
  });
  afterAll(() => cluster.stop());

  const names = (body: { items: KubeObject[] }) =>
    body.items.map(i => `${i.metadata.namespace}/${i.metadata.name}`);

  it('lists all namespaces sorted by namespace then name, with the list kind and resourceVersion', async () => {
    const r = await request(cluster, 'GET', `${KS}/kustomizations`);
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('KustomizationList');
    expect(r.body.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(r.body.metadata.resourceVersion).toBe(cluster.resourceVersion());
    expect(names(r.body)).toEqual([
      'flux-system/apps',
      'flux-system/crds',
      'flux-system/infra',
      'tenants/alpha',
      'tenants/beta',
    ]);
    for (const item of r.body.items) {
      expect(item.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(item.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(item.metadata.generation).toBe(1);
      expect(item.metadata.creationTimestamp).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
    }
  });

  it('lists one namespace', async () => {
    const r = await request(
      cluster,
      'GET',
      `${KS}/namespaces/tenants/kustomizations`,
    );
    expect(names(r.body)).toEqual(['tenants/alpha', 'tenants/beta']);
    const none = await request(
      cluster,
      'GET',
      `${KS}/namespaces/nothing-here/kustomizations`,
    );
    expect(none.status).toBe(200);
    expect(none.body.items).toEqual([]);
  });

  it.each([
    ['tier=infra', ['flux-system/crds', 'flux-system/infra']],
    ['tier==apps', ['flux-system/apps', 'tenants/alpha']],
    ['tier!=infra', ['flux-system/apps', 'tenants/alpha', 'tenants/beta']],
    [
      'tier in (apps,infra),team',
      ['flux-system/apps', 'flux-system/infra', 'tenants/alpha'],
    ],
    [
      'team notin (platform, alpha)',
      ['flux-system/apps', 'flux-system/crds', 'tenants/beta'],
    ],
    ['team', ['flux-system/apps', 'flux-system/infra', 'tenants/alpha']],
    ['!team', ['flux-system/crds', 'tenants/beta']],
    ['tier=infra,!team', ['flux-system/crds']],
    ['tier=nothing', []],
  ])('filters by labelSelector %s', async (selector, expected) => {
    const r = await request(
      cluster,
      'GET',
      `${KS}/kustomizations?labelSelector=${encodeURIComponent(selector)}`,
    );
    expect(r.status).toBe(200);
    expect(names(r.body)).toEqual(expected);
  });

  it.each([
    ['metadata.name=alpha', ['tenants/alpha']],
    [
      'metadata.namespace==flux-system,metadata.name!=apps',
      ['flux-system/crds', 'flux-system/infra'],
    ],
    ['metadata.namespace!=flux-system', ['tenants/alpha', 'tenants/beta']],
  ])('filters by fieldSelector %s', async (selector, expected) => {
    const r = await request(
      cluster,
      'GET',
      `${KS}/kustomizations?fieldSelector=${encodeURIComponent(selector)}`,
    );
    expect(names(r.body)).toEqual(expected);
  });

  it('rejects an unsupported field selector and a malformed label selector with 400', async () => {
    const f = await request(
      cluster,
      'GET',
      `${KS}/kustomizations?fieldSelector=spec.path%3Dx`,
    );
    expect(f.status).toBe(400);
    expect(f.body).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: 'field label not supported: spec.path',
      code: 400,
    });
    const l = await request(
      cluster,
      'GET',
      `${KS}/kustomizations?labelSelector=${encodeURIComponent('a in (b')}`,
    );
    expect(l.status).toBe(400);
    expect(l.body.reason).toBe('BadRequest');
  });

  it('pages with limit and continue, counting the remaining items', async () => {
    const seen: string[] = [];
    const p1 = await request(cluster, 'GET', `${KS}/kustomizations?limit=2`);
    expect(names(p1.body)).toEqual(['flux-system/apps', 'flux-system/crds']);
    expect(p1.body.metadata.remainingItemCount).toBe(3);
    expect(typeof p1.body.metadata.continue).toBe('string');
    seen.push(...names(p1.body));

    const p2 = await request(
      cluster,
      'GET',
      `${KS}/kustomizations?limit=2&continue=${encodeURIComponent(
        p1.body.metadata.continue,
      )}`,
    );
    expect(names(p2.body)).toEqual(['flux-system/infra', 'tenants/alpha']);
    expect(p2.body.metadata.remainingItemCount).toBe(1);
    // pages keep the resourceVersion of the first page
    expect(p2.body.metadata.resourceVersion).toBe(
      p1.body.metadata.resourceVersion,
    );

    const p3 = await request(
      cluster,
      'GET',
      `${KS}/kustomizations?limit=2&continue=${encodeURIComponent(
        p2.body.metadata.continue,
      )}`,
    );
    expect(names(p3.body)).toEqual(['tenants/beta']);
    expect(p3.body.metadata.continue).toBeUndefined();
    expect(p3.body.metadata.remainingItemCount).toBeUndefined();
  });

  it('pages within a namespace and with a selector (no remainingItemCount then)', async () => {
    const p1 = await request(
      cluster,
      'GET',
      `${KS}/namespaces/flux-system/kustomizations?limit=1&labelSelector=tier%3Dinfra`,
    );
    expect(names(p1.body)).toEqual(['flux-system/crds']);
    expect(p1.body.metadata.remainingItemCount).toBeUndefined();
    const p2 = await request(
      cluster,
      'GET',
      `${KS}/namespaces/flux-system/kustomizations?limit=1&labelSelector=tier%3Dinfra&continue=${encodeURIComponent(
        p1.body.metadata.continue,
      )}`,
    );
    expect(names(p2.body)).toEqual(['flux-system/infra']);
    expect(p2.body.metadata.continue).toBeUndefined();
  });

  it('rejects a forged continue token', async () => {
    const r = await request(
      cluster,
      'GET',
      `${KS}/kustomizations?limit=1&continue=not-a-token`,
    );
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe('BadRequest');
  });

  it('answers a Table when kubectl asks for one, with the CRD printer columns', async () => {
    const r = await request(
      cluster,
      'GET',
      `${KS}/namespaces/tenants/kustomizations`,
      {
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      },
    );
    expect(r.body.kind).toBe('Table');
    expect(
      r.body.columnDefinitions.map((c: { name: string }) => c.name),
    ).toEqual(['Name', 'Age', 'Ready', 'Status']);
    expect(
      r.body.rows.map((row: { cells: unknown[] }) => row.cells[0]),
    ).toEqual(['alpha', 'beta']);
    expect(r.body.rows[0].object.kind).toBe('PartialObjectMetadata');
  });

  it('keeps list cost linear: 2,000 objects list in well under a second', async () => {
    const big = await startCluster({
      name: 'big',
      crdSets: ['flux'],
      objects: Array.from({ length: 2000 }, (_, i) =>
        kustomization(`ns-${i % 20}`, `ks-${i}`, { i: String(i % 7) }),
      ),
    });
    try {
      const start = Date.now();
      const all = await request(big, 'GET', `${KS}/kustomizations`);
      const some = await request(
        big,
        'GET',
        `${KS}/kustomizations?labelSelector=i%3D3`,
      );
      expect(all.body.items).toHaveLength(2000);
      // i % 7 === 3 for i in 0..1999: 3, 10, …, 1998
      expect(some.body.items).toHaveLength(286);
      expect(Date.now() - start).toBeLessThan(1500);
    } finally {
      await big.stop();
    }
  });
});

describe('core/v1 Events', () => {
  let cluster: SimCluster;
  const event = (
    name: string,
    namespace: string,
    involved: { kind: string; name: string; namespace?: string; uid?: string },
    type = 'Warning',
  ): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: { apiVersion: 'external-secrets.io/v1', ...involved },
    reason: 'UpdateFailed',
    message: `${name} happened`,
    type,
  });

  beforeAll(async () => {
    cluster = await startCluster({
      name: 'events',
      crdSets: [],
      objects: [
        event('db.1', 'apps', {
          kind: 'ExternalSecret',
          name: 'db',
          namespace: 'apps',
          uid: 'u-db',
        }),
        event('db.2', 'apps', {
          kind: 'ExternalSecret',
          name: 'db',
          namespace: 'apps',
          uid: 'u-old',
        }),
        event(
          'db.3',
          'apps',
          { kind: 'ExternalSecret', name: 'db', namespace: 'apps' },
          'Normal',
        ),
        event('cache.1', 'apps', {
          kind: 'ExternalSecret',
          name: 'cache',
          namespace: 'apps',
        }),
        event('store.1', 'apps', {
          kind: 'SecretStore',
          name: 'db',
          namespace: 'apps',
        }),
        // A cluster-scoped object's Events live in `default`, naming no namespace.
        event('css.1', 'default', { kind: 'ClusterSecretStore', name: 'aws' }),
      ],
    });
  });
  afterAll(() => cluster.stop());

  const names = (body: { items: KubeObject[] }) =>
    body.items.map(i => i.metadata.name);

  it.each([
    [
      'apps',
      'involvedObject.kind=ExternalSecret,involvedObject.name=db',
      ['db.1', 'db.2', 'db.3'],
    ],
    [
      'apps',
      'involvedObject.kind=ExternalSecret,involvedObject.name=db,involvedObject.uid=u-db',
      ['db.1'],
    ],
    [
      'apps',
      'involvedObject.name=db,involvedObject.namespace=apps,type=Warning',
      ['db.1', 'db.2', 'store.1'],
    ],
    [
      undefined,
      'involvedObject.kind=ClusterSecretStore,involvedObject.name=aws,involvedObject.namespace=',
      ['css.1'],
    ],
    ['apps', 'involvedObject.kind!=ExternalSecret', ['store.1']],
  ])(
    'selects in namespace %s by %s, as kubectl describe does',
    async (ns, selector, expected) => {
      const base = ns ? `/api/v1/namespaces/${ns}/events` : '/api/v1/events';
      const r = await request(
        cluster,
        'GET',
        `${base}?fieldSelector=${encodeURIComponent(selector)}`,
      );
      expect(r.status).toBe(200);
      expect(r.body.kind).toBe('EventList');
      expect(names(r.body)).toEqual(expected);
    },
  );

  it('keeps involvedObject.* to Events: other kinds answer 400', async () => {
    const r = await request(
      cluster,
      'GET',
      `/api/v1/namespaces/apps/configmaps?fieldSelector=involvedObject.name%3Ddb`,
    );
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      'field label not supported: involvedObject.name',
    );
  });
});
