import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { startGitopsBackend } from './__testUtils__/backend';
import { clusterResource, component } from './__testUtils__/entities';

// Clusters nobody can reach: these tests are about auth, permissions and input, not about Kubernetes.
const config = {
  gitopsSecrets: {
    clusters: [
      { name: 'a', url: 'https://127.0.0.1:1', serviceAccountToken: 't' },
      { name: 'b', url: 'https://127.0.0.1:1', serviceAccountToken: 't' },
    ],
  },
};
const entities = [
  clusterResource('a'),
  clusterResource('b'),
  component('shop', { namespaces: 'shop', dependsOn: ['resource:default/a'] }),
  component('unmapped', {}),
];

describe('gitopsSecretsPlugin HTTP API: auth, permissions, input', () => {
  it('answers /health without credentials', async () => {
    const backend = await startGitopsBackend({
      config,
      defaultCredentials: mockCredentials.none(),
    });
    const res = await request(backend.server).get('/api/gitops-secrets/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    await backend.stop();
  });

  it.each([
    '/clusters',
    '/clusters/a/status',
    '/clusters/a/objects?kind=flux',
    '/entities/default/component/shop/status',
    '/entities/default/component/shop/objects?cluster=a&kind=flux',
  ])('answers 401 without credentials: %s', async path => {
    const backend = await startGitopsBackend({
      config,
      entities,
      defaultCredentials: mockCredentials.none(),
    });
    const res = await request(backend.server).get(`/api/gitops-secrets${path}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: { name: 'AuthenticationError', message: 'Missing credentials' },
      request: { method: 'GET', url: path },
      response: { statusCode: 401 },
    });
    await backend.stop();
  });

  describe('when the policy denies gitops-secrets.status.read', () => {
    let backend: Awaited<ReturnType<typeof startGitopsBackend>>;
    beforeAll(async () => {
      backend = await startGitopsBackend({
        config,
        entities,
        permissions: mockServices.permissions.factory({
          result: AuthorizeResult.DENY,
        }),
      });
    });
    afterAll(() => backend.stop());

    it.each([
      [
        '/entities/default/component/shop/status',
        'Not allowed to read the GitOps secrets status of component:default/shop',
      ],
      [
        '/entities/default/Component/shop/objects?cluster=a&kind=externalsecrets',
        'Not allowed to read the GitOps secrets status of component:default/shop',
      ],
      [
        '/clusters/a/status',
        "Not allowed to read the GitOps secrets status of cluster 'a'",
      ],
      [
        '/clusters/a/objects?kind=stores',
        "Not allowed to read the GitOps secrets status of cluster 'a'",
      ],
      [
        '/clusters',
        'Not allowed to read the GitOps secrets status of any cluster',
      ],
    ])('answers 403 for %s', async (path, message) => {
      const res = await request(backend.server).get(
        `/api/gitops-secrets${path}`,
      );
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: { name: 'NotAllowedError', message },
        request: { method: 'GET', url: path },
        response: { statusCode: 403 },
      });
    });
  });

  it('checks the permission on the catalog entity, per request, as the caller', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async reqs =>
        reqs.map(() => ({ result: AuthorizeResult.ALLOW })),
    });
    const backend = await startGitopsBackend({
      config,
      entities,
      permissions: permissions.factory,
    });
    const user = mockCredentials.user('user:default/alice');
    for (let i = 0; i < 2; i++) {
      const res = await request(backend.server)
        .get('/api/gitops-secrets/entities/default/component/shop/status')
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/alice'),
        );
      expect(res.status).toBe(200);
      expect(res.body.entityRef).toBe('component:default/shop');
      expect(
        res.body.clusters.map((c: any) => [c.cluster, c.error.type]),
      ).toEqual([['a', 'UNREACHABLE']]);
    }
    expect(permissions.authorize).toHaveBeenCalledTimes(2);
    expect(permissions.authorize).toHaveBeenLastCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'gitops-secrets.status.read',
          }),
          resourceRef: 'component:default/shop',
        },
      ],
      { credentials: user },
    );
    await backend.stop();
  });

  it('with a conditional decision, shows only the clusters whose Resource the caller may read', async () => {
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async reqs =>
        reqs.map(() => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'catalog',
          resourceType: 'catalog-entity',
          conditions: {
            rule: 'IS_ENTITY_OWNER',
            resourceType: 'catalog-entity',
            params: {},
          },
        })) as any,
      authorize: async reqs =>
        reqs.map(r => ({
          result:
            (r as { resourceRef?: string }).resourceRef === 'resource:default/a'
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        })),
    });
    const backend = await startGitopsBackend({
      config,
      entities,
      permissions: permissions.factory,
    });
    const list = await request(backend.server).get(
      '/api/gitops-secrets/clusters',
    );
    expect(list.status).toBe(200);
    expect(list.body.clusters.map((c: any) => c.name)).toEqual(['a']);
    expect(
      (
        await request(backend.server).get(
          '/api/gitops-secrets/clusters/a/status',
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await request(backend.server).get(
          '/api/gitops-secrets/clusters/b/status',
        )
      ).status,
    ).toBe(403);
    await backend.stop();
  });

  describe('input and lookups', () => {
    let backend: Awaited<ReturnType<typeof startGitopsBackend>>;
    beforeAll(async () => {
      backend = await startGitopsBackend({ config, entities });
    });
    afterAll(() => backend.stop());

    const errorBody = (
      path: string,
      statusCode: number,
      name: string,
      message: string,
    ) => ({
      error: { name, message },
      request: { method: 'GET', url: path },
      response: { statusCode },
    });
    const get = (path: string) =>
      request(backend.server).get(`/api/gitops-secrets${path}`);

    it('404 for an entity the catalog does not have', async () => {
      const path = '/entities/default/component/nope/status';
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(
        errorBody(
          path,
          404,
          'NotFoundError',
          'Entity component:default/nope not found',
        ),
      );
    });

    it('404 for a cluster that is not configured', async () => {
      const path = '/clusters/nope/status';
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(
        errorBody(
          path,
          404,
          'NotFoundError',
          "No cluster named 'nope' is configured",
        ),
      );
    });

    it.each([
      [
        '/clusters/a/status?limit=-1',
        "Invalid 'limit' query parameter '-1': an integer from 0 to 1000",
      ],
      [
        '/clusters/a/status?limit=5000',
        "Invalid 'limit' query parameter '5000': an integer from 0 to 1000",
      ],
      [
        '/clusters/a/objects',
        "Invalid 'kind' query parameter (missing): allowed are externalsecrets, flux, stores, leafclusters",
      ],
      [
        '/clusters/a/objects?kind=secrets',
        "Invalid 'kind' query parameter 'secrets': allowed are externalsecrets, flux, stores, leafclusters",
      ],
      [
        '/clusters/a/objects?kind=flux&limit=501',
        "Invalid 'limit' query parameter '501': an integer from 0 to 500",
      ],
      [
        '/clusters/a/objects?kind=flux&health=Bad',
        "Invalid 'health' query parameter 'Bad': allowed are Degraded, Progressing, Unknown, Healthy",
      ],
      [
        '/clusters/a/objects?kind=flux&kind=stores',
        "Query parameter 'kind' must be given once",
      ],
      [
        '/entities/default/component/shop/objects?kind=flux',
        "Missing 'cluster' query parameter: the name of one of the entity's clusters",
      ],
      [
        '/entities/default/component/shop/objects?kind=flux&cluster=b',
        "component:default/shop does not map to cluster 'b'; its clusters are: a",
      ],
      [
        '/entities/default/component/unmapped/objects?kind=flux&cluster=a',
        "component:default/unmapped does not map to cluster 'a'; it maps to no cluster",
      ],
    ])('400 for %s', async (path, message) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorBody(path, 400, 'InputError', message));
    });

    it('an entity that maps to no cluster gets an empty, Unknown answer', async () => {
      const res = await request(backend.server).get(
        '/api/gitops-secrets/entities/default/component/unmapped/status',
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        entityRef: 'component:default/unmapped',
        clusters: [],
        health: 'Unknown',
      });
    });
  });
});
