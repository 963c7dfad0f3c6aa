import type { PermissionsService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { parseEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { SimFleet } from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';
import type {
  ClusterStatus,
  ObjectPage,
} from '@golden-gitops/plugin-gitops-secrets-common';
import express from 'express';
import request from 'supertest';
import { clusterResource, component } from '../__testUtils__/entities';
import { clusterConfig, externalSecret } from '../__testUtils__/sim';
import { Fleet } from '../cache/Fleet';
import { readSettings } from '../config/clusters';
import { createRouter } from './router';
import { StatusService } from './StatusService';

jest.setTimeout(120_000);

/**
 * The permission matrix (issue 18): policies × entity kinds × annotations × routes. Each answer is reduced to
 * the cluster/namespace pairs of the ExternalSecrets it shows (or the cluster names of `/clusters`), and must
 * be exactly what the rule in docs/security.md allows: a namespace on a cluster is visible to a caller
 * who may read that cluster's `kubernetes-cluster` Resource, or an entity whose scope names that namespace
 * (never flux-system, the ESO operator's or Kubernetes' own); nothing else.
 */

const es = (name: string, namespace: string) => {
  const o = externalSecret(name, 'True');
  return { ...o, metadata: { ...o.metadata, namespace } };
};

const withAnnotations = (e: Entity, annotations: Record<string, string>) => ({
  ...e,
  metadata: { ...e.metadata, annotations },
});

const ENTITIES: Entity[] = [
  clusterResource('management'),
  // Unannotated: its name is the cluster's.
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'leaf', namespace: 'default' },
    spec: { type: 'kubernetes-cluster', owner: 'group:default/platform' },
  },
  component('shop', {
    namespaces: 'apps',
    dependsOn: ['resource:default/management', 'resource:default/leaf'],
  }),
  // Attacks of issue 18: the cluster annotation on a Component, a System and a non-cluster Resource.
  withAnnotations(component('claims-cluster', {}), {
    'gitops-secrets.io/cluster-name': 'management',
  }),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: {
      name: 'sys',
      namespace: 'default',
      annotations: { 'gitops-secrets.io/cluster-name': 'management' },
    },
    spec: { owner: 'group:default/platform' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'db',
      namespace: 'default',
      annotations: { 'gitops-secrets.io/cluster-name': 'management' },
    },
    spec: { type: 'database', owner: 'group:default/platform' },
  },
  // A Component claiming the cluster's own namespaces (alone, and with its own).
  component('flux-claim', {
    namespaces: 'flux-system,external-secrets,kube-system',
    dependsOn: ['resource:default/management'],
  }),
  component('mixed', {
    namespaces: 'flux-system,team-b',
    dependsOn: ['resource:default/management'],
  }),
];

type Policy = (ref: string) => boolean;
const POLICIES: Record<string, Policy | AuthorizeResult> = {
  'allow all': AuthorizeResult.ALLOW,
  'deny all': AuthorizeResult.DENY,
  'Components only': ref => parseEntityRef(ref).kind === 'component',
  'Resources only': ref => parseEntityRef(ref).kind === 'resource',
  'the Resource of leaf only': ref => ref === 'resource:default/leaf',
};

/** A permission service for a policy: a fixed answer, or a conditional one decided per entity. */
function permissionsFor(policy: Policy | AuthorizeResult): PermissionsService {
  if (typeof policy !== 'function') {
    return mockServices.permissions({ result: policy as any });
  }
  return mockServices.permissions.mock({
    authorize: async reqs =>
      reqs.map(r => ({
        result: policy((r as { resourceRef: string }).resourceRef)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
    authorizeConditional: async reqs =>
      reqs.map(() => ({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: { rule: 'X', resourceType: 'catalog-entity', params: {} },
      })) as any,
  });
}

const ALL_MGMT = [
  'management/apps',
  'management/flux-system',
  'management/team-b',
];
const ALL_LEAF = ['leaf/apps', 'leaf/kube-system'];

// What each route shows under each policy: 403, or the visible cluster/namespace pairs (cluster names for /clusters).
const ROUTES = [
  '/clusters',
  '/clusters/management/status',
  '/clusters/leaf/status',
  '/clusters/management/objects?kind=externalsecrets',
  '/entities/default/resource/management/status',
  '/entities/default/resource/leaf/status',
  '/entities/default/component/shop/status',
  '/entities/default/component/shop/objects?kind=externalsecrets&cluster=management',
  '/entities/default/component/claims-cluster/status',
  '/entities/default/system/sys/status',
  '/entities/default/resource/db/status',
  '/entities/default/component/flux-claim/status',
  '/entities/default/component/mixed/status',
] as const;
type Route = (typeof ROUTES)[number];
type Expected = 403 | string[];

const SHOP = ['management/apps', 'leaf/apps'];
const MATRIX: Record<string, Record<Route, Expected>> = {
  'allow all': {
    '/clusters': ['management', 'leaf'],
    '/clusters/management/status': ALL_MGMT,
    '/clusters/leaf/status': ALL_LEAF,
    '/clusters/management/objects?kind=externalsecrets': ALL_MGMT,
    '/entities/default/resource/management/status': ALL_MGMT,
    '/entities/default/resource/leaf/status': ALL_LEAF,
    '/entities/default/component/shop/status': SHOP,
    '/entities/default/component/shop/objects?kind=externalsecrets&cluster=management':
      ['management/apps'],
    '/entities/default/component/claims-cluster/status': [],
    '/entities/default/system/sys/status': [],
    '/entities/default/resource/db/status': [],
    '/entities/default/component/flux-claim/status': [],
    '/entities/default/component/mixed/status': ['management/team-b'],
  },
  'deny all': Object.fromEntries(ROUTES.map(r => [r, 403])) as Record<
    Route,
    Expected
  >,
  'Components only': {
    '/clusters': 403,
    '/clusters/management/status': 403,
    '/clusters/leaf/status': 403,
    '/clusters/management/objects?kind=externalsecrets': 403,
    '/entities/default/resource/management/status': 403,
    '/entities/default/resource/leaf/status': 403,
    '/entities/default/component/shop/status': SHOP,
    '/entities/default/component/shop/objects?kind=externalsecrets&cluster=management':
      ['management/apps'],
    '/entities/default/component/claims-cluster/status': [],
    '/entities/default/system/sys/status': 403,
    '/entities/default/resource/db/status': 403,
    '/entities/default/component/flux-claim/status': [],
    '/entities/default/component/mixed/status': ['management/team-b'],
  },
  'Resources only': {
    '/clusters': ['management', 'leaf'],
    '/clusters/management/status': ALL_MGMT,
    '/clusters/leaf/status': ALL_LEAF,
    '/clusters/management/objects?kind=externalsecrets': ALL_MGMT,
    '/entities/default/resource/management/status': ALL_MGMT,
    '/entities/default/resource/leaf/status': ALL_LEAF,
    '/entities/default/component/shop/status': 403,
    '/entities/default/component/shop/objects?kind=externalsecrets&cluster=management': 403,
    '/entities/default/component/claims-cluster/status': 403,
    '/entities/default/system/sys/status': 403,
    // Readable, but a database Resource stands for no cluster whatever its annotations say.
    '/entities/default/resource/db/status': [],
    '/entities/default/component/flux-claim/status': 403,
    '/entities/default/component/mixed/status': 403,
  },
  'the Resource of leaf only': {
    '/clusters': ['leaf'],
    '/clusters/management/status': 403,
    '/clusters/leaf/status': ALL_LEAF,
    '/clusters/management/objects?kind=externalsecrets': 403,
    '/entities/default/resource/management/status': 403,
    '/entities/default/resource/leaf/status': ALL_LEAF,
    '/entities/default/component/shop/status': 403,
    '/entities/default/component/shop/objects?kind=externalsecrets&cluster=management': 403,
    '/entities/default/component/claims-cluster/status': 403,
    '/entities/default/system/sys/status': 403,
    '/entities/default/resource/db/status': 403,
    '/entities/default/component/flux-claim/status': 403,
    '/entities/default/component/mixed/status': 403,
  },
};

/** The cluster/namespace pairs an answer shows. */
function visible(route: Route, body: any): string[] {
  if (route === '/clusters') return body.clusters.map((c: any) => c.name);
  if (route.includes('/objects')) {
    const page = body as ObjectPage;
    return page.items.map((i: any) => `${page.cluster}/${i.ref.namespace}`);
  }
  const clusters: ClusterStatus[] = route.startsWith('/clusters/')
    ? [body]
    : body.clusters;
  return clusters.flatMap(c =>
    (c.eso?.externalSecrets ?? []).map(e => `${c.cluster}/${e.ref.namespace}`),
  );
}

describe('permission matrix: no route shows a cluster or namespace the caller may not read', () => {
  let sim: SimFleet;
  let fleet: Fleet;
  let status: StatusService;

  beforeAll(async () => {
    sim = await startFleet([
      {
        name: 'management',
        crdSets: ['external-secrets', 'flux'],
        objects: [
          es('app-db', 'apps'),
          es('flux-deploy-key', 'flux-system'),
          es('team-b-db', 'team-b'),
        ],
      },
      {
        name: 'leaf',
        crdSets: ['external-secrets'],
        objects: [es('app-db', 'apps'), es('etcd', 'kube-system')],
      },
    ]);
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: ['management', 'leaf'].map(n =>
            clusterConfig(sim.cluster(n)),
          ),
        },
      }),
    );
    const logger = mockServices.logger.mock();
    fleet = new Fleet({ settings, logger });
    status = new StatusService(fleet, logger);
  });
  afterAll(async () => {
    fleet.stop();
    await sim.stop();
  });

  describe.each(Object.keys(POLICIES))('policy: %s', policyName => {
    let app: express.Express;
    beforeAll(async () => {
      app = express().use(
        await createRouter({
          logger: mockServices.logger.mock(),
          httpAuth: mockServices.httpAuth(),
          permissions: permissionsFor(POLICIES[policyName]),
          catalog: catalogServiceMock({ entities: ENTITIES }),
          status,
        }),
      );
      // As the backend's error middleware: Backstage's errors answer their status.
      app.use(
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
    });

    // The card's summary is checked exactly as the entity's status: same refusals, same clusters and counts.
    it.each(
      ROUTES.filter(r => r.startsWith('/entities/') && r.endsWith('/status')),
    )('%s, as a card summary', async route => {
      const full = await request(app).get(route);
      const summary = await request(app).get(
        route.replace(/\/status$/, '/summary'),
      );
      expect(summary.status).toBe(full.status);
      if (full.status !== 200) return;
      const counts = (body: { clusters: ClusterStatus[] }) =>
        body.clusters.map(c => [c.cluster, c.eso?.counts]);
      expect(counts(summary.body)).toEqual(counts(full.body));
    });

    it.each(ROUTES.map(r => [r]))('%s', async route => {
      const expected = MATRIX[policyName][route];
      const res = await request(app).get(route);
      const shown =
        res.status === 200 ? visible(route, res.body).sort() : res.status;
      expect(shown).toEqual(expected === 403 ? 403 : [...expected].sort());
    });
  });
});
