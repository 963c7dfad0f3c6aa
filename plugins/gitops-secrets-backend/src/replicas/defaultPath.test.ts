import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { SimFleet } from '@golden-gitops/kube-api-sim';
import request from 'supertest';
import { gitopsSecretsPlugin } from '../plugin';
import { clusterConfig, startSimFleet } from '../__testUtils__/sim';

jest.setTimeout(60_000);

/** Database and cache services that record every use: the default path must make none. */
function recordingServices(used: string[]) {
  const record = (what: string) => () => {
    used.push(what);
    throw new Error(`${what} used`);
  };
  return [
    createServiceFactory({
      service: coreServices.database,
      deps: {},
      factory: () => ({ getClient: record('database.getClient') } as any),
    }),
    createServiceFactory({
      service: coreServices.cache,
      deps: {},
      factory: () =>
        ({
          get: record('cache.get'),
          set: record('cache.set'),
          delete: record('cache.delete'),
          withOptions: record('cache.withOptions'),
        } as any),
    }),
  ];
}

describe('replicas: the default path', () => {
  let sim: SimFleet;
  beforeAll(async () => {
    sim = await startSimFleet(['leaf-dev']);
  });
  afterAll(() => sim.stop());

  const startWith = (extra: object, used: string[]) =>
    startTestBackend({
      features: [
        gitopsSecretsPlugin,
        mockServices.rootConfig.factory({
          data: {
            gitopsSecrets: {
              clusters: [clusterConfig(sim.cluster('leaf-dev'))],
              ...extra,
            },
          },
        }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.user(),
        }),
        ...recordingServices(used),
      ],
    });

  it.each([
    ['replicas not configured', {}],
    ['replicas.enabled: false', { replicas: { enabled: false } }],
  ])(
    '%s: answers without using the database or the cache',
    async (_n, extra) => {
      const used: string[] = [];
      const backend = await startWith(extra, used);
      try {
        const res = await request(backend.server).get(
          '/api/gitops-secrets/clusters/leaf-dev/status',
        );
        expect(res.status).toBe(200);
        expect(res.body.error).toBeUndefined();
        expect(res.body.cluster).toBe('leaf-dev');
        expect(used).toEqual([]);
      } finally {
        await backend.stop();
      }
    },
  );

  it('replicas.enabled: true uses the database (the recorder sees it), and keeps answering when it cannot', async () => {
    const used: string[] = [];
    const backend = await startWith({ replicas: { enabled: true } }, used);
    try {
      expect(used).toContain('database.getClient');
      const res = await request(backend.server).get(
        '/api/gitops-secrets/clusters/leaf-dev/status?limit=1',
      );
      expect(res.status).toBe(200);
      // Without a database no replica owns the cluster, and the cache fails too: said so, nothing invented.
      expect(res.body.error?.type).toBe('UNKNOWN');
      expect(res.body.error?.message).toContain('shared cache');
      expect(res.body.health).toBe('Unknown');
    } finally {
      await backend.stop();
    }
  });
});
