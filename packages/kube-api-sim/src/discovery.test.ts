import { loadCrds } from '@golden-gitops/crd-schemas';
import { startCluster } from './cluster';
import { request } from './testing';
import type { SimCluster } from './types';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

describe('discovery', () => {
  let cluster: SimCluster;

  beforeAll(async () => {
    cluster = await startCluster({
      name: 'disco',
      crdSets: ['flux', 'external-secrets', 'cluster-api'],
      crdLabels: {
        'external-secrets': {
          'kustomize.toolkit.fluxcd.io/name': 'external-secrets-crds',
        },
      },
    });
  });
  afterAll(() => cluster.stop());

  it('answers /version with a v1.34 server', async () => {
    const r = await request(cluster, 'GET', '/version');
    expect(r.status).toBe(200);
    expect(r.body.gitVersion).toMatch(/^v1\.34\.\d+$/);
    expect(r.body.major).toBe('1');
    expect(r.body.minor).toBe('34');
  });

  it('answers /api and /api/v1 with the core kinds', async () => {
    const api = await request(cluster, 'GET', '/api');
    expect(api.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const v1 = await request(cluster, 'GET', '/api/v1');
    expect(v1.body.kind).toBe('APIResourceList');
    expect(v1.body.groupVersion).toBe('v1');
    const names = v1.body.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'configmaps',
        'namespaces',
        'namespaces/status',
        'secrets',
      ]),
    );
    const ns = v1.body.resources.find(
      (r: { name: string }) => r.name === 'namespaces',
    );
    expect(ns).toMatchObject({
      namespaced: false,
      kind: 'Namespace',
      shortNames: ['ns'],
    });
  });

  it('lists every served group/version of the loaded CRDs plus apps and apiextensions, and no unserved version', async () => {
    const r = await request(cluster, 'GET', '/apis');
    expect(r.body.kind).toBe('APIGroupList');
    const groups = Object.fromEntries(
      r.body.groups.map(
        (g: {
          name: string;
          versions: Array<{ version: string }>;
          preferredVersion: { version: string };
        }) => [
          g.name,
          {
            versions: g.versions.map(v => v.version),
            preferred: g.preferredVersion.version,
          },
        ],
      ),
    );
    expect(groups.apps).toEqual({ versions: ['v1'], preferred: 'v1' });
    expect(groups['apiextensions.k8s.io']).toEqual({
      versions: ['v1'],
      preferred: 'v1',
    });
    expect(groups['kustomize.toolkit.fluxcd.io'].versions).toEqual(['v1']);
    expect(groups['helm.toolkit.fluxcd.io'].versions).toEqual(['v2']);
    expect(groups['external-secrets.io'].versions).toContain('v1');
    expect(groups['external-secrets.io'].versions).not.toContain('v1beta1');
    // Cluster API serves v1beta2 (preferred) and the deprecated v1beta1.
    expect(groups['cluster.x-k8s.io']).toEqual({
      versions: ['v1beta2', 'v1beta1'],
      preferred: 'v1beta2',
    });
    // A group of a set that was not loaded is absent.
    expect(groups['capi.weave.works']).toBeUndefined();

    // Every served version of every loaded CRD appears, and only those.
    const expected = new Set<string>();
    for (const crd of loadCrds(['flux', 'external-secrets', 'cluster-api'])) {
      for (const v of crd.spec.versions)
        if (v.served) expected.add(`${crd.spec.group}/${v.name}`);
    }
    const served = new Set<string>(
      r.body.groups.flatMap(
        (g: { versions: Array<{ groupVersion: string }> }) =>
          g.versions.map(v => v.groupVersion),
      ),
    );
    for (const gv of expected) expect(served).toContain(gv);
    const builtinGroupVersions = ['apps/v1', 'apiextensions.k8s.io/v1'];
    expect(
      [...served].filter(
        gv => !builtinGroupVersions.includes(gv) && !expected.has(gv),
      ),
    ).toEqual([]);
  });

  it('describes a CRD group/version as an APIResourceList with the status subresource', async () => {
    const r = await request(cluster, 'GET', '/apis/external-secrets.io/v1');
    expect(r.body).toMatchObject({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'external-secrets.io/v1',
    });
    const es = r.body.resources.find(
      (x: { name: string }) => x.name === 'externalsecrets',
    );
    expect(es).toMatchObject({
      name: 'externalsecrets',
      singularName: 'externalsecret',
      namespaced: true,
      kind: 'ExternalSecret',
      shortNames: ['es'],
      categories: ['external-secrets'],
    });
    expect(es.verbs).toEqual(
      expect.arrayContaining([
        'get',
        'list',
        'watch',
        'create',
        'update',
        'patch',
        'delete',
      ]),
    );
    const status = r.body.resources.find(
      (x: { name: string }) => x.name === 'externalsecrets/status',
    );
    expect(status).toMatchObject({
      kind: 'ExternalSecret',
      namespaced: true,
      verbs: ['get', 'patch', 'update'],
    });
    const css = r.body.resources.find(
      (x: { name: string }) => x.name === 'clustersecretstores',
    );
    expect(css.namespaced).toBe(false);

    const group = await request(
      cluster,
      'GET',
      '/apis/kustomize.toolkit.fluxcd.io',
    );
    expect(group.body).toMatchObject({
      kind: 'APIGroup',
      name: 'kustomize.toolkit.fluxcd.io',
      preferredVersion: {
        groupVersion: 'kustomize.toolkit.fluxcd.io/v1',
        version: 'v1',
      },
    });
  });

  it('answers 404 for a version that is not served, like a real server', async () => {
    for (const path of [
      '/apis/external-secrets.io/v1beta1',
      '/apis/external-secrets.io/v1beta1/externalsecrets',
      '/apis/external-secrets.io/v1beta1/namespaces/apps/externalsecrets/x',
      '/apis/kustomize.toolkit.fluxcd.io/v1beta2/kustomizations',
      '/apis/no.such.group',
      '/apis/external-secrets.io/v1/nosuchthings',
    ]) {
      const r = await request(cluster, 'GET', path);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(r.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      });
    }
  });

  it('stores the CRDs as objects with the set labels merged and Established status', async () => {
    const r = await request(
      cluster,
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/externalsecrets.external-secrets.io',
    );
    expect(r.status).toBe(200);
    expect(r.body.metadata.labels['kustomize.toolkit.fluxcd.io/name']).toBe(
      'external-secrets-crds',
    );
    const established = r.body.status.conditions.find(
      (c: { type: string }) => c.type === 'Established',
    );
    expect(established.status).toBe('True');
    const flux = await request(
      cluster,
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/kustomizations.kustomize.toolkit.fluxcd.io',
    );
    expect(
      flux.body.metadata.labels?.['kustomize.toolkit.fluxcd.io/name'],
    ).toBeUndefined();
  });

  it('serves a CRD created through the API and stops serving it when deleted', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: {
          kind: 'Widget',
          plural: 'widgets',
          singular: 'widget',
          listKind: 'WidgetList',
        },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object' } },
          },
        ],
      },
    };
    const created = await request(
      cluster,
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      {
        body: crd,
      },
    );
    expect(created.status).toBe(201);
    const rl = await request(cluster, 'GET', '/apis/example.com/v1');
    expect(rl.body.resources.map((x: { name: string }) => x.name)).toEqual([
      'widgets',
    ]);
    const w = await request(
      cluster,
      'POST',
      '/apis/example.com/v1/namespaces/default/widgets',
      {
        body: {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'w1' },
        },
      },
    );
    expect(w.status).toBe(201);
    await request(
      cluster,
      'DELETE',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
    );
    expect((await request(cluster, 'GET', '/apis/example.com/v1')).status).toBe(
      404,
    );
  });

  it('rejects a CRD whose name is not plural.group', async () => {
    const r = await request(
      cluster,
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      {
        body: {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'wrong.example.com' },
          spec: {
            group: 'example.com',
            scope: 'Namespaced',
            names: { kind: 'Gadget', plural: 'gadgets' },
            versions: [{ name: 'v1', served: true, storage: true }],
          },
        },
      },
    );
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('Invalid');
    expect(r.body.message).toBe(
      'CustomResourceDefinition.apiextensions.k8s.io "wrong.example.com" is invalid: metadata.name: Invalid value: "wrong.example.com": must be spec.names.plural+"."+spec.group',
    );
  });

  it('serves OpenAPI v3 documents that declare fieldValidation on PATCH', async () => {
    const root = await request(cluster, 'GET', '/openapi/v3');
    expect(
      root.body.paths['apis/external-secrets.io/v1'].serverRelativeURL,
    ).toMatch(/^\/openapi\/v3\/apis\/external-secrets\.io\/v1\?hash=/);
    expect(root.body.paths['api/v1']).toBeDefined();
    expect(root.body.paths['apis/external-secrets.io/v1beta1']).toBeUndefined();
    const doc = await request(
      cluster,
      'GET',
      root.body.paths['apis/external-secrets.io/v1'].serverRelativeURL,
    );
    const item =
      doc.body.paths[
        '/apis/external-secrets.io/v1/namespaces/{namespace}/externalsecrets/{name}'
      ];
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'external-secrets.io',
      version: 'v1',
      kind: 'ExternalSecret',
    });
    expect(
      item.patch.parameters.map((p: { name: string }) => p.name),
    ).toContain('fieldValidation');
    expect(
      (
        await request(
          cluster,
          'GET',
          '/openapi/v3/apis/external-secrets.io/v1beta1',
        )
      ).status,
    ).toBe(404);
  });

  it('answers the health endpoints', async () => {
    for (const p of ['/healthz', '/readyz', '/livez']) {
      const r = await request(cluster, 'GET', p, { token: null });
      expect(r.status).toBe(200);
      expect(r.text).toBe('ok');
    }
  });
});
