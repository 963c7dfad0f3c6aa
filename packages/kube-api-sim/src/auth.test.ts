import { startCluster } from './cluster';
import { request } from './testing';
import type { SimCluster } from './types';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
};

describe('authentication and RBAC', () => {
  let cluster: SimCluster;

  beforeAll(async () => {
    cluster = await startCluster({
      name: 'rbac',
      crdSets: ['flux', 'external-secrets'],
      tokens: {
        'reader-token': {
          user: 'reader',
          rules: [
            {
              apiGroups: ['kustomize.toolkit.fluxcd.io'],
              resources: ['kustomizations'],
              verbs: ['get', 'list', 'watch'],
            },
            {
              apiGroups: ['external-secrets.io'],
              resources: ['externalsecrets'],
              verbs: ['list'],
              namespaces: ['team-a'],
            },
          ],
        },
        'status-writer': {
          user: 'flux',
          rules: [
            {
              apiGroups: ['*'],
              resources: ['kustomizations/status'],
              verbs: ['*'],
            },
          ],
        },
      },
      objects: [
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'x', namespace: 'flux-system' },
          spec: {
            interval: '1m',
            path: './',
            prune: true,
            sourceRef: { kind: 'GitRepository', name: 'r' },
          },
        },
      ],
    });
  });
  afterAll(() => cluster.stop());

  it('answers 401 with the exact apiserver body without a token or with an unknown one', async () => {
    for (const token of [null, 'wrong']) {
      for (const path of [
        '/apis',
        '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
        '/api/v1/namespaces',
      ]) {
        const r = await request(cluster, 'GET', path, { token });
        expect({ path, token, status: r.status }).toEqual({
          path,
          token,
          status: 401,
        });
        expect(r.text).toBe(JSON.stringify(UNAUTHORIZED));
      }
    }
  });

  it('lets any valid token read discovery', async () => {
    for (const path of [
      '/api',
      '/api/v1',
      '/apis',
      '/apis/external-secrets.io/v1',
      '/openapi/v3',
      '/version',
    ]) {
      expect({
        path,
        status: (await request(cluster, 'GET', path, { token: 'reader-token' }))
          .status,
      }).toEqual({ path, status: 200 });
    }
  });

  it('allows the granted verbs and resources', async () => {
    const list = await request(
      cluster,
      'GET',
      '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
      { token: 'reader-token' },
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const inNs = await request(
      cluster,
      'GET',
      '/apis/external-secrets.io/v1/namespaces/team-a/externalsecrets',
      { token: 'reader-token' },
    );
    expect(inNs.status).toBe(200);
  });

  it('answers 403 with the exact apiserver body for a namespaced list', async () => {
    const r = await request(
      cluster,
      'GET',
      '/apis/external-secrets.io/v1/namespaces/apps/externalsecrets',
      { token: 'reader-token' },
    );
    expect(r.status).toBe(403);
    expect(r.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'externalsecrets.external-secrets.io is forbidden: User "reader" cannot list resource "externalsecrets" in API group "external-secrets.io" in the namespace "apps"',
      reason: 'Forbidden',
      details: { group: 'external-secrets.io', kind: 'externalsecrets' },
      code: 403,
    });
  });

  it('names the cluster scope for all-namespaces lists the rule limits to namespaces', async () => {
    const r = await request(
      cluster,
      'GET',
      '/apis/external-secrets.io/v1/externalsecrets',
      { token: 'reader-token' },
    );
    expect(r.status).toBe(403);
    expect(r.body.message).toBe(
      'externalsecrets.external-secrets.io is forbidden: User "reader" cannot list resource "externalsecrets" in API group "external-secrets.io" at the cluster scope',
    );
  });

  it('names the object and the verb for item requests, and the core group as ""', async () => {
    const del = await request(
      cluster,
      'DELETE',
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/x',
      {
        token: 'reader-token',
      },
    );
    expect(del.status).toBe(403);
    expect(del.body.message).toBe(
      'kustomizations.kustomize.toolkit.fluxcd.io "x" is forbidden: User "reader" cannot delete resource "kustomizations" in API group "kustomize.toolkit.fluxcd.io" in the namespace "flux-system"',
    );
    expect(del.body.details).toEqual({
      name: 'x',
      group: 'kustomize.toolkit.fluxcd.io',
      kind: 'kustomizations',
    });
    const cm = await request(
      cluster,
      'GET',
      '/api/v1/namespaces/default/configmaps/c',
      { token: 'reader-token' },
    );
    expect(cm.body.message).toBe(
      'configmaps "c" is forbidden: User "reader" cannot get resource "configmaps" in API group "" in the namespace "default"',
    );
    expect(cm.body.details).toEqual({ name: 'c', kind: 'configmaps' });
  });

  it('checks subresources separately from their resource', async () => {
    const path =
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/x';
    const status = await request(cluster, 'PATCH', `${path}/status`, {
      token: 'status-writer',
      contentType: 'application/merge-patch+json',
      body: { status: { observedGeneration: 1 } },
    });
    expect(status.status).toBe(200);
    const main = await request(cluster, 'PATCH', path, {
      token: 'status-writer',
      contentType: 'application/merge-patch+json',
      body: { spec: { suspend: true } },
    });
    expect(main.status).toBe(403);
    const reader = await request(cluster, 'GET', `${path}/status`, {
      token: 'reader-token',
    });
    expect(reader.status).toBe(403);
    expect(reader.body.message).toBe(
      'kustomizations.kustomize.toolkit.fluxcd.io "x" is forbidden: User "reader" cannot get resource "kustomizations/status" in API group "kustomize.toolkit.fluxcd.io" in the namespace "flux-system"',
    );
  });

  it('accepts tokens added at run time', async () => {
    cluster.addToken('late', {
      user: 'late',
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }],
    });
    expect(
      (await request(cluster, 'GET', '/api/v1/namespaces', { token: 'late' }))
        .status,
    ).toBe(200);
    expect(
      (
        await request(cluster, 'GET', '/api/v1/namespaces/default', {
          token: 'late',
        })
      ).status,
    ).toBe(403);
  });

  it('keeps the admin API to the admin token', async () => {
    expect(
      (await request(cluster, 'GET', '/_sim/counters', { token: null })).status,
    ).toBe(401);
    const r = await request(cluster, 'GET', '/_sim/counters', {
      token: 'reader-token',
    });
    expect(r.status).toBe(403);
    expect((await request(cluster, 'GET', '/_sim/counters')).status).toBe(200);
  });
});
