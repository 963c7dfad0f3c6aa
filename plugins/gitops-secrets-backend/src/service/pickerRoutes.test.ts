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
import type { PickerCluster, PickerStore } from './pickerRoutes';
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

const withPath = (e: Entity, path: string): Entity => ({
  ...e,
  metadata: {
    ...e.metadata,
    annotations: {
      ...e.metadata.annotations,
      'gitops-secrets.io/cluster-path': path,
    },
  },
});

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
    ]);
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: [
            clusterConfig(sim.cluster('edge')),
            clusterConfig(sim.cluster('bare')),
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
  });
  afterAll(async () => {
    fleet.stop();
    await sim.stop();
  });

  const get = (path: string, app = apps.allow) => request(app).get(path);

  it('lists clusters with their entity, folder and ESO state; filters by ESO; pages', async () => {
    const all = await get('/picker/clusters').expect(200);
    expect(all.body.total).toBe(2);
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
    ]);
    const second = await get('/picker/clusters?offset=1&limit=1').expect(200);
    expect(second.body).toMatchObject({ total: 2, offset: 1, limit: 1 });
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

  it.each([
    ['/picker/clusters?eso=maybe', /eso/],
    ['/picker/clusters?limit=501', /limit/],
    ['/picker/clusters/edge/stores?namespace=Team%20A', /namespace/],
  ])('rejects %s with 400', async (path, message) => {
    const res = await get(path).expect(400);
    expect(res.body.error).toMatch(message);
  });

  it('checks the permission like the status routes: nothing listed, 403 for a cluster, 404 for an unknown one', async () => {
    const denied = await get('/picker/clusters', apps.deny).expect(200);
    expect(denied.body).toMatchObject({ total: 0, items: [] });
    await get('/picker/clusters/edge/stores', apps.deny).expect(403);
    await get('/picker/clusters/nope/stores').expect(404);
  });
});
