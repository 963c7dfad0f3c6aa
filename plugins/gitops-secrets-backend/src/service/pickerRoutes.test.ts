import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { SimFleet } from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';
import express from 'express';
import request from 'supertest';
import { clusterResource } from '../__testUtils__/entities';
import { clusterConfig, eventually, secretStore } from '../__testUtils__/sim';
import { Fleet } from '../cache/Fleet';
import { readSettings } from '../config/clusters';
import type {
  PickerCluster,
  PickerStore,
  PickerTemplate,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { RepositoryTemplates } from './RepositoryTemplates';
import { createRouter } from './router';
import { StatusService } from './StatusService';

jest.setTimeout(60_000);

// Synthetic stores: one Ready ClusterSecretStore, a not-ready SecretStore in apps, one in another namespace.
const store = (
  kind: 'ClusterSecretStore' | 'SecretStore',
  name: string,
  ready: 'True' | 'False',
  namespace?: string,
) =>
  secretStore(kind, name, ready, {
    namespace,
    failure: 'could not assume role',
  });

const annotate = (e: Entity, annotations: Record<string, string>): Entity => ({
  ...e,
  metadata: {
    ...e.metadata,
    annotations: { ...e.metadata.annotations, ...annotations },
  },
});
const withPath = (e: Entity, path: string): Entity =>
  annotate(e, { 'gitops-secrets.io/cluster-path': path });

// Synthetic WGE templates, shaped as templates-controller's CRDs (spec.description, spec.params).
const template = (
  kind: 'CAPITemplate' | 'GitOpsTemplate',
  name: string,
  params: object[],
) => ({
  apiVersion:
    kind === 'CAPITemplate'
      ? 'capi.weave.works/v1alpha2'
      : 'templates.weave.works/v1alpha2',
  kind,
  metadata: { name, namespace: 'default' },
  spec: {
    description: `${name} template`,
    params,
    resourcetemplates: [{ content: [{ kind: 'ConfigMap', apiVersion: 'v1' }] }],
  },
});
const mgmtTemplates = [
  template('CAPITemplate', 'capd', [
    { name: 'CLUSTER_NAME', description: 'Name of the cluster' },
    {
      name: 'KUBERNETES_VERSION',
      options: ['v1.34.1', 'v1.33.4'],
      default: 'v1.34.1',
    },
    { name: 'NAMESPACE', required: false, default: 'default' },
  ]),
  template('CAPITemplate', 'aws', [{ name: 'REGION', required: true }]),
  template('GitOpsTemplate', 'podinfo', []),
];

/** The repository's files as a UrlReader tree of the folder the annotation names (synthetic). */
const REPO_URL = 'https://github.com/acme/gitops/tree/main/clusters/gone';
const repoFiles: Record<string, string> = {
  'capi/templates/eks.yaml': [
    '# A comment, then two documents: a template and something else',
    'apiVersion: capi.weave.works/v1alpha2',
    'kind: CAPITemplate',
    'metadata: {name: eks, namespace: default}',
    'spec:',
    '  description: EKS leaf',
    '  params:',
    '    - name: CLUSTER_NAME',
    '    - {name: AWS_REGION, options: [eu-west-1, eu-north-1]}',
    '  resourcetemplates: []',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: not-a-template}',
  ].join('\n'),
  'flux-system/broken.yaml': 'kind: [unclosed',
  'README.md': 'kind: CAPITemplate',
};
const fakeReader = {
  readTree: jest.fn(
    async (
      url: string,
      opts?: { filter?(p: string, i?: { size: number }): boolean },
    ) => {
      if (url !== REPO_URL) throw new Error(`unexpected URL ${url}`);
      const files = Object.entries(repoFiles)
        .filter(([p, c]) => opts?.filter?.(p, { size: c.length }) ?? true)
        .map(([p, c]) => ({
          path: p,
          content: async () => Buffer.from(c),
        }));
      return { etag: 'c1', files: async () => files } as any;
    },
  ),
  readUrl: jest.fn(),
  search: jest.fn(),
};

describe('picker routes', () => {
  let sim: SimFleet;
  let fleet: Fleet;
  const apps: Record<string, express.Express> = {};

  beforeAll(async () => {
    sim = await startFleet([
      {
        name: 'edge',
        crdSets: ['external-secrets'],
        objects: [
          store('ClusterSecretStore', 'aws', 'True'),
          store('SecretStore', 'team', 'False', 'apps'),
          store('SecretStore', 'web-only', 'True', 'web'),
        ],
      },
      { name: 'bare', crdSets: ['flux'], objects: [] },
      {
        name: 'mgmt',
        crdSets: ['weave-gitops-enterprise'],
        objects: mgmtTemplates,
      },
    ]);
    // An identity from an older deploy/rbac.yaml: GitOpsTemplates, but not CAPITemplates.
    sim.cluster('mgmt').addToken('old-rbac', {
      user: 'system:serviceaccount:backstage:old-reader',
      rules: [
        {
          apiGroups: ['templates.weave.works'],
          resources: ['gitopstemplates'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    });
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: [
            clusterConfig(sim.cluster('edge')),
            clusterConfig(sim.cluster('bare')),
            clusterConfig(sim.cluster('mgmt')),
            clusterConfig(sim.cluster('mgmt'), {
              name: 'mgmt-old-rbac',
              token: 'old-rbac',
            }),
            // Nothing listens on port 1: unreachable at once.
            {
              ...clusterConfig(sim.cluster('bare')),
              name: 'gone',
              url: 'https://127.0.0.1:1',
              timeout: '2s',
            },
            {
              ...clusterConfig(sim.cluster('bare')),
              name: 'gone-bare',
              url: 'https://127.0.0.1:1',
              timeout: '2s',
            },
          ],
        },
      }),
    );
    const logger = mockServices.logger.mock();
    fleet = new Fleet({ settings, logger });
    const status = new StatusService(fleet, logger);
    const catalog = catalogServiceMock({
      entities: [
        withPath(clusterResource('edge'), 'clusters/edge'),
        clusterResource('bare'),
        clusterResource('mgmt'),
        annotate(clusterResource('gone'), {
          'gitops-secrets.io/cluster-path': 'clusters/gone',
          'backstage.io/source-location': `url:${REPO_URL}`,
        }),
        clusterResource('gone-bare'),
        annotate(clusterResource('mgmt-old-rbac'), {
          'backstage.io/source-location': `url:${REPO_URL}`,
        }),
      ],
    });
    for (const [name, result] of [
      ['allow', AuthorizeResult.ALLOW],
      ['deny', AuthorizeResult.DENY],
    ] as const) {
      apps[name] = express().use(
        await createRouter({
          logger,
          httpAuth: mockServices.httpAuth(),
          permissions: mockServices.permissions({ result }),
          catalog,
          status,
          repositoryTemplates: new RepositoryTemplates({
            reader: fakeReader,
            logger,
          }),
        }),
      );
      // As the backend's error middleware: Backstage's errors answer their status.
      apps[name].use(
        (
          err: Error,
          _req: express.Request,
          res: express.Response,
          _next: express.NextFunction,
        ) => {
          const code: Record<string, number> = {
            NotAllowedError: 403,
            NotFoundError: 404,
            InputError: 400,
          };
          res.status(code[err.name] ?? 500).json({ error: err.message });
        },
      );
    }
    await eventually(
      async () => (await status.clusterStatus('edge')).eso?.stores.length === 3,
    );
    await eventually(
      async () =>
        (
          await status.cachedObjects('mgmt', ['capitemplates.capi.weave.works'])
        ).objects.length === 2,
    );
  });
  afterAll(async () => {
    fleet.stop();
    await sim.stop();
  });

  const get = (path: string, app = apps.allow) => request(app).get(path);

  it('lists clusters with their entity, folder and ESO state; filters by ESO; pages', async () => {
    const all = await get('/picker/clusters').expect(200);
    expect(all.body.total).toBe(6);
    const byName = Object.fromEntries(
      (all.body.items as PickerCluster[]).map(c => [c.name, c]),
    );
    expect(byName.edge).toMatchObject({
      entityRef: 'resource:default/edge',
      clusterPath: 'clusters/edge',
      reachable: true,
      eso: { installed: true, stores: 3 },
    });
    expect(byName.bare).toMatchObject({
      entityRef: 'resource:default/bare',
      eso: { installed: false },
    });
    expect(byName.bare.clusterPath).toBeUndefined();

    const withEso = await get('/picker/clusters?eso=installed').expect(200);
    expect(withEso.body.items.map((c: PickerCluster) => c.name)).toEqual([
      'edge',
    ]);
    const without = await get('/picker/clusters?eso=absent').expect(200);
    expect(without.body.items.map((c: PickerCluster) => c.name)).toEqual([
      'bare',
      'gone',
      'gone-bare',
      'mgmt',
      'mgmt-old-rbac',
    ]);
    const second = await get('/picker/clusters?offset=1&limit=1').expect(200);
    expect(second.body).toMatchObject({ total: 6, offset: 1, limit: 1 });
    expect(second.body.items.map((c: PickerCluster) => c.name)).toEqual([
      'edge',
    ]);
  });

  it('lists the ClusterSecretStores and the SecretStores of the namespace, not-ready ones as such', async () => {
    const res = await get('/picker/clusters/edge/stores?namespace=apps').expect(
      200,
    );
    expect(res.body).toMatchObject({ cluster: 'edge', total: 2 });
    const items = res.body.items as PickerStore[];
    expect(items.map(s => [s.kind, s.namespace, s.name, s.ready])).toEqual([
      ['ClusterSecretStore', undefined, 'aws', true],
      ['SecretStore', 'apps', 'team', false],
    ]);
    expect(items[1]).toMatchObject({
      provider: 'aws',
      reason: 'InvalidProviderConfig',
    });
    const noNs = await get('/picker/clusters/edge/stores').expect(200);
    expect(noNs.body.items.map((s: PickerStore) => s.name)).toEqual(['aws']);
  });

  it('lists the CAPITemplates and GitOpsTemplates of a cluster with their declared params, from the cache', async () => {
    const res = await get('/picker/clusters/mgmt/templates').expect(200);
    expect(res.body).toMatchObject({
      total: 3,
      offset: 0,
      limit: 100,
      source: 'cluster',
    });
    expect(res.body.message).toBeUndefined();
    const items = res.body.items as PickerTemplate[];
    expect(items.map(t => [t.kind, t.name])).toEqual([
      ['CAPITemplate', 'aws'],
      ['CAPITemplate', 'capd'],
      ['GitOpsTemplate', 'podinfo'],
    ]);
    expect(items[1]).toEqual({
      kind: 'CAPITemplate',
      name: 'capd',
      namespace: 'default',
      description: 'capd template',
      source: 'cluster',
      params: [
        // The CRD defaults `required` to true.
        {
          name: 'CLUSTER_NAME',
          description: 'Name of the cluster',
          required: true,
        },
        {
          name: 'KUBERNETES_VERSION',
          required: true,
          options: ['v1.34.1', 'v1.33.4'],
          default: 'v1.34.1',
        },
        { name: 'NAMESPACE', required: false, default: 'default' },
      ],
    });
    expect(JSON.stringify(res.body)).not.toContain('resourcetemplates');

    const second = await get(
      '/picker/clusters/mgmt/templates?offset=1&limit=1',
    ).expect(200);
    expect(second.body).toMatchObject({ total: 3, offset: 1, limit: 1 });
    expect(second.body.items.map((t: PickerTemplate) => t.name)).toEqual([
      'capd',
    ]);
  });

  it('says when a reachable cluster serves no template kinds (WGE not installed), without a finding', async () => {
    const res = await get('/picker/clusters/bare/templates').expect(200);
    expect(res.body).toMatchObject({ total: 0, items: [], source: 'cluster' });
    expect(res.body.message).toMatch(
      /serves neither CAPITemplate nor GitOpsTemplate/,
    );
    const status = await get('/clusters/bare/status').expect(200);
    expect(status.body.findings).toEqual([]);
  });

  it("lists an unreachable cluster's templates from the folder its entity names, with repository paths", async () => {
    fakeReader.readTree.mockClear();
    const res = await get('/picker/clusters/gone/templates').expect(200);
    expect(res.body).toMatchObject({ total: 1, source: 'repository' });
    expect(res.body.message).toMatch(
      /Cluster 'gone' cannot be read now \(Cannot reach the API server.*\)\. Its templates are listed as the repository holds them at https:\/\/github\.com\/acme\/gitops\/tree\/main\/clusters\/gone\./,
    );
    expect(res.body.items).toEqual([
      {
        kind: 'CAPITemplate',
        name: 'eks',
        namespace: 'default',
        description: 'EKS leaf',
        source: 'repository',
        path: 'clusters/gone/capi/templates/eks.yaml',
        params: [
          { name: 'CLUSTER_NAME', required: true },
          {
            name: 'AWS_REGION',
            required: true,
            options: ['eu-west-1', 'eu-north-1'],
          },
        ],
      },
    ]);
    // A second page is answered from what was read: one tree read.
    await get('/picker/clusters/gone/templates?offset=1').expect(200);
    expect(fakeReader.readTree).toHaveBeenCalledTimes(1);
  });

  it('reads the repository when the cluster answers but may not be listed for a template kind (RBAC), paths omitted without a cluster-path', async () => {
    const res = await get('/picker/clusters/mgmt-old-rbac/templates').expect(
      200,
    );
    expect(res.body).toMatchObject({ total: 1, source: 'repository' });
    expect(res.body.message).toMatch(
      /^Cluster 'mgmt-old-rbac': the backend has no current list of capitemplates\.capi\.weave\.works \(The backend's identity may not list\/watch .*\(HTTP 403\)\)\. Its templates are listed as the repository holds them at /,
    );
    expect(res.body.items[0]).toMatchObject({ name: 'eks' });
    expect(res.body.items[0].path).toBeUndefined();
  });

  it('answers source none, saying why, when neither the cluster nor a repository can be read', async () => {
    const res = await get('/picker/clusters/gone-bare/templates').expect(200);
    expect(res.body).toMatchObject({ total: 0, items: [], source: 'none' });
    expect(res.body.message).toMatch(
      /Cluster 'gone-bare' cannot be read now .* no backstage\.io\/source-location annotation/,
    );
  });

  it.each([
    ['/picker/clusters?eso=maybe', /eso/],
    ['/picker/clusters?limit=501', /limit/],
    ['/picker/clusters/edge/stores?namespace=Team%20A', /namespace/],
    ['/picker/clusters/mgmt/templates?limit=x', /limit/],
  ])('rejects %s with 400', async (path, message) => {
    const res = await get(path).expect(400);
    expect(res.body.error).toMatch(message);
  });

  it('checks the permission like the status routes: nothing listed, 403 for a cluster, 404 for an unknown one', async () => {
    const denied = await get('/picker/clusters', apps.deny).expect(200);
    expect(denied.body).toMatchObject({ total: 0, items: [] });
    await get('/picker/clusters/edge/stores', apps.deny).expect(403);
    await get('/picker/clusters/nope/stores').expect(404);
    await get('/picker/clusters/mgmt/templates', apps.deny).expect(403);
    await get('/picker/clusters/nope/templates').expect(404);
  });
});
