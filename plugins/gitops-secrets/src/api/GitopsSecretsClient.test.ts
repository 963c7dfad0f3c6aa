import { registerMswTestHooks } from '@backstage/test-utils';
import { NotFoundError, ResponseError } from '@backstage/errors';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { GitopsSecretsClient } from './GitopsSecretsClient';
import {
  entityStatus,
  erroredCluster,
  managementCluster,
} from '../testing/fixtures';
import { toClusterSummary } from '@golden-gitops/plugin-gitops-secrets-common';

const BASE = 'http://backstage.test/api/gitops-secrets';

describe('GitopsSecretsClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const discoveryApi = {
    getBaseUrl: jest.fn(
      async (id: string) => `http://backstage.test/api/${id}`,
    ),
  };
  // The fetch API is where Backstage adds the user's token: the client must send every request through it.
  const fetchApi = {
    fetch: jest.fn((input: RequestInfo | URL, init?: RequestInit) =>
      fetch(input, {
        ...init,
        headers: { authorization: 'Bearer user-token' },
      }),
    ),
  };
  const client = new GitopsSecretsClient({ discoveryApi, fetchApi });

  it('reads an entity status from /entities/:namespace/:kind/:name/status, with the user token', async () => {
    const body = entityStatus('resource:default/management', [
      managementCluster(),
      erroredCluster(),
    ]);
    let seen: { url: string; auth: string | null } | undefined;
    server.use(
      http.get(
        `${BASE}/entities/:namespace/:kind/:name/status`,
        ({ request }) => {
          seen = {
            url: request.url,
            auth: request.headers.get('authorization'),
          };
          return HttpResponse.json(body);
        },
      ),
    );

    const result = await client.getEntityStatus({
      kind: 'Resource',
      namespace: 'default',
      name: 'management',
    });

    expect(result).toEqual(body);
    expect(seen).toEqual({
      url: `${BASE}/entities/default/resource/management/status`,
      auth: 'Bearer user-token',
    });
    expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('gitops-secrets');
  });

  it('encodes path segments', async () => {
    let url = '';
    server.use(
      http.get(`${BASE}/*`, ({ request }) => {
        url = request.url;
        return HttpResponse.json(entityStatus('x', []));
      }),
    );
    await client.getEntityStatus({
      kind: 'Component',
      namespace: 'team a',
      name: 'x/y',
    });
    expect(url).toBe(`${BASE}/entities/team%20a/component/x%2Fy/status`);
  });

  it.each([
    [
      'the card summary',
      (c: GitopsSecretsClient) =>
        c.getEntitySummary({ kind: 'Component', namespace: '', name: 'shop' }),
      `${BASE}/entities/default/component/shop/summary`,
    ],
    [
      'the status with a list limit',
      (c: GitopsSecretsClient) =>
        c.getEntityStatus(
          { kind: 'Component', namespace: 'default', name: 'shop' },
          { limit: 0 },
        ),
      `${BASE}/entities/default/component/shop/status?limit=0`,
    ],
    [
      'a page of objects',
      (c: GitopsSecretsClient) =>
        c.getEntityObjects(
          { kind: 'Component', namespace: 'default', name: 'shop' },
          {
            cluster: 'prod eu',
            kind: 'externalsecrets',
            offset: 500,
            limit: 500,
            q: 'db',
            health: ['Degraded', 'Unknown'],
          },
        ),
      `${BASE}/entities/default/component/shop/objects?cluster=prod+eu&kind=externalsecrets&offset=500&limit=500&q=db&health=Degraded%2CUnknown`,
    ],
    [
      'the picker clusters',
      (c: GitopsSecretsClient) => c.pickerClusters(),
      `${BASE}/picker/clusters`,
    ],
    [
      'the picker clusters without ESO, paged',
      (c: GitopsSecretsClient) =>
        c.pickerClusters({ eso: 'absent', offset: 100, limit: 50 }),
      `${BASE}/picker/clusters?offset=100&limit=50&eso=absent`,
    ],
    [
      "a cluster's stores in a namespace",
      (c: GitopsSecretsClient) =>
        c.pickerStores('prod/eu', { namespace: 'payments', limit: 500 }),
      `${BASE}/picker/clusters/prod%2Feu/stores?limit=500&namespace=payments`,
    ],
    [
      "a cluster's ClusterSecretStores only (no namespace)",
      (c: GitopsSecretsClient) => c.pickerStores('management'),
      `${BASE}/picker/clusters/management/stores`,
    ],
    [
      "a management cluster's templates",
      (c: GitopsSecretsClient) =>
        c.pickerTemplates('management', { offset: 0 }),
      `${BASE}/picker/clusters/management/templates?offset=0`,
    ],
  ])('reads %s', async (_, call, expected) => {
    let url = '';
    server.use(
      http.get(`${BASE}/*`, ({ request }) => {
        url = request.url;
        return HttpResponse.json({});
      }),
    );
    await call(client);
    expect(url).toBe(expected);
  });

  it('lists clusters (a bare list or wrapped in { clusters })', async () => {
    const summaries = [managementCluster(), erroredCluster()].map(
      toClusterSummary,
    );
    server.use(
      http.get(`${BASE}/clusters`, () => HttpResponse.json(summaries)),
    );
    await expect(client.getClusters()).resolves.toEqual(summaries);

    server.use(
      http.get(`${BASE}/clusters`, () =>
        HttpResponse.json({ clusters: summaries }),
      ),
    );
    await expect(client.getClusters()).resolves.toEqual(summaries);
  });

  it('reads one cluster status', async () => {
    const status = managementCluster();
    server.use(
      http.get(`${BASE}/clusters/management/status`, () =>
        HttpResponse.json(status),
      ),
    );
    await expect(client.getClusterStatus('management')).resolves.toEqual(
      status,
    );
  });

  it('turns an error body into a ResponseError with the backend message', async () => {
    server.use(
      http.get(`${BASE}/clusters/nope/status`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'No cluster named nope' },
            request: { method: 'GET', url: '/clusters/nope/status' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    const error = await client.getClusterStatus('nope').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.message).toBe('No cluster named nope');
    expect(error.response.status).toBe(404);
  });

  it('says the backend plugin is missing on a bare 404', async () => {
    server.use(
      http.get(
        `${BASE}/clusters`,
        () => new HttpResponse(null, { status: 404 }),
      ),
    );
    const error = await client.getClusters().catch(e => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toMatch(/backend plugin .* is installed/);
  });

  it('reports 401 and 403 as errors, not as empty status', async () => {
    server.use(
      http.get(`${BASE}/entities/*`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotAllowedError', message: 'Unauthorized' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    const error = await client
      .getEntityStatus({ kind: 'Component', namespace: 'default', name: 'a' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(403);
  });

  it('returns the picker page as the backend sends it', async () => {
    const body = {
      total: 1,
      offset: 0,
      limit: 100,
      items: [
        {
          name: 'management',
          entityRef: 'resource:default/management',
          clusterPath: 'clusters/management',
          reachable: true,
          health: 'Healthy',
          flux: { objects: 12 },
          eso: { installed: true, ready: true, stores: 2 },
        },
      ],
    };
    server.use(
      http.get(`${BASE}/picker/clusters`, () => HttpResponse.json(body)),
    );
    await expect(client.pickerClusters()).resolves.toEqual(body);
  });

  it('passes the abort signal through', async () => {
    server.use(http.get(`${BASE}/clusters`, () => HttpResponse.json([])));
    const controller = new AbortController();
    await client.getClusters({ signal: controller.signal });
    expect(fetchApi.fetch).toHaveBeenLastCalledWith(`${BASE}/clusters`, {
      signal: controller.signal,
    });
  });
});
