import type { SimFleet } from '@golden-gitops/kube-api-sim';
import type {
  ClusterStatus,
  EntityStatusResponse,
  ObjectPage,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { WATCHED_KINDS } from '@golden-gitops/plugin-gitops-secrets-common';
import request from 'supertest';
import { startGitopsBackend } from './__testUtils__/backend';
import { clusterResource, component } from './__testUtils__/entities';
import {
  FIXTURE_CLUSTERS,
  clusterConfig,
  eventually,
  startSimFleet,
} from './__testUtils__/sim';

// Starting seven simulated clusters parses the upstream CRDs once (seconds on a cold module cache).
jest.setTimeout(120_000);

const findingsOf = (s: ClusterStatus) =>
  s.findings.map(f => `${f.severity} ${f.code}`);

/** Health and findings per fixture cluster, as packages/kube-api-sim/fixtures/README.md describes them. */
const EXPECTED: Record<string, { health: string; findings: string[] }> = {
  management: { health: 'Healthy', findings: [] },
  'leaf-dev': { health: 'Healthy', findings: [] },
  'leaf-prod': {
    health: 'Degraded',
    findings: ['error WEBHOOK_RACE', 'error OPERATOR_NOT_READY'],
  },
  'crd-race': {
    health: 'Degraded',
    findings: ['error CRD_RACE', 'warning ESO_NOT_INSTALLED'],
  },
  'invalid-store': {
    health: 'Degraded',
    findings: [
      'error STORE_INVALID',
      'error SECRET_SYNC_ERROR',
      'warning SECRET_STALE',
      'warning OBJECT_SUSPENDED',
    ],
  },
  'leaf-pending': {
    health: 'Degraded',
    findings: ['error STORE_INVALID', 'info LEAF_NOT_BOOTSTRAPPED'],
  },
  'leaf-staging': {
    health: 'Degraded',
    findings: ['error SOURCE_FAILED', 'error SECRET_SYNC_ERROR'],
  },
  'leaf-uat': {
    health: 'Degraded',
    findings: [
      'error ESO_CONVERSION_FAILED',
      'error KUSTOMIZATION_FAILED',
      'error HELMRELEASE_FAILED',
      'warning STORE_UNVERIFIED',
    ],
  },
  // A Flux-only cluster: no ESO_NOT_INSTALLED noise.
  'no-eso': { health: 'Healthy', findings: [] },
};

describe('status of the fixture clusters through the HTTP API', () => {
  let fleet: SimFleet;
  let backend: Awaited<ReturnType<typeof startGitopsBackend>>;
  const statuses = new Map<string, ClusterStatus>();

  beforeAll(async () => {
    fleet = await startSimFleet(FIXTURE_CLUSTERS);
    backend = await startGitopsBackend({
      config: {
        gitopsSecrets: {
          clusters: fleet.clusters.map(c => clusterConfig(c)),
        },
      },
      entities: [
        ...FIXTURE_CLUSTERS.map(name => clusterResource(name)),
        component('payments-api', {
          namespaces: 'payments',
          kubernetesId: 'payments-api',
          dependsOn: [
            'resource:default/management',
            'resource:default/leaf-dev',
          ],
        }),
        component('checkout', {
          namespaces: 'checkout',
          kubernetesId: 'checkout',
          dependsOn: ['resource:default/leaf-prod'],
        }),
        component('team-a-portal', {
          kubernetesId: 'team-a-portal',
          dependsOn: ['resource:default/invalid-store'],
        }),
      ],
    });
    for (const name of FIXTURE_CLUSTERS) {
      const res = await request(backend.server).get(
        `/api/gitops-secrets/clusters/${name}/status`,
      );
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);
      statuses.set(name, res.body);
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await fleet?.stop();
  });

  it.each(FIXTURE_CLUSTERS)('%s has the expected health and findings', name => {
    const s = statuses.get(name)!;
    expect(s.cluster).toBe(name);
    expect(s.reachable).toBe(true);
    expect(s.error).toBeUndefined();
    expect(s.health).toBe(EXPECTED[name].health);
    expect(findingsOf(s)).toEqual(EXPECTED[name].findings);
    // Every finding explains itself and gives a command that never reads a Secret.
    for (const f of s.findings) {
      expect(f.title && f.detail && f.fix).toBeTruthy();
      expect(f.command ?? '').not.toMatch(/\b(get|describe)\s+secrets?\b/);
    }
  });

  it('reads the management cluster: ESO chain, store, six synced secrets, two bootstrapped leaves', () => {
    const s = statuses.get('management')!;
    expect(s.eso).toMatchObject({
      installed: true,
      crdVersion: '2.9.0',
      operator: { ready: true },
      counts: { total: 6, synced: 6, failing: 0, stale: 0 },
    });
    expect(
      s.eso!.stores.map(st => [st.ref.name, st.provider, st.health]),
    ).toEqual([['aws-secrets-manager', 'aws', 'Healthy']]);
    expect(
      s.leafClusters.map(l => [
        l.name,
        l.health,
        l.bootstrapped,
        l.credentialsCopied,
      ]),
    ).toEqual([
      ['leaf-dev', 'Healthy', true, true],
      ['leaf-prod', 'Healthy', true, true],
    ]);
    expect(s.servedVersions).toMatchObject({
      'externalsecrets.external-secrets.io': 'v1',
      'kustomizations.kustomize.toolkit.fluxcd.io': 'v1',
      'helmreleases.helm.toolkit.fluxcd.io': 'v2',
      'clusters.cluster.x-k8s.io': 'v1beta2',
    });
    expect(s.cacheAgeSeconds).toBe(0);
  });

  it("lists the management cluster's CAPITemplates live, with the params the demo repository's template declares", async () => {
    const res = await request(backend.server)
      .get('/api/gitops-secrets/picker/clusters/management/templates')
      .expect(200);
    expect(res.body).toMatchObject({ source: 'cluster', total: 2 });
    expect(res.body.items.map((t: { name: string }) => t.name)).toEqual([
      'cluster-template-development',
      'leaf-cluster',
    ]);
    const leaf = res.body.items[1];
    expect(
      leaf.params.map((p: { name: string; required: boolean }) => [
        p.name,
        p.required,
      ]),
    ).toEqual([
      ['CLUSTER_NAME', true],
      ['NAMESPACE', false],
      ['KUBERNETES_VERSION', true],
      ['CONTROL_PLANE_MACHINE_COUNT', true],
      ['WORKER_MACHINE_COUNT', true],
    ]);
    expect(leaf.params[3].options).toEqual(['1', '3', '5']);
  });

  it('names the root causes: webhook race, dependsOn chain, invalid store, leaf waiting', () => {
    const webhook = statuses.get('leaf-prod')!.findings[0];
    expect(webhook.objects.map(o => `${o.kind} ${o.name}`)).toContain(
      'Kustomization external-secrets-crs',
    );
    // external-secrets-crs fails its health check on the invalid store, infra-config waits on it:
    // the store is the root cause and its one finding lists both.
    const store = statuses
      .get('leaf-pending')!
      .findings.find(f => f.code === 'STORE_INVALID')!;
    expect(store.blocks?.map(b => b.name)).toEqual(
      expect.arrayContaining(['external-secrets-crs', 'infra-config']),
    );
    const sync = statuses
      .get('invalid-store')!
      .findings.find(f => f.code === 'SECRET_SYNC_ERROR')!;
    expect(sync.detail).toContain(
      'SecretStore team-a/vault-backend is invalid',
    );
    expect(statuses.get('leaf-pending')!.leafClusters).toMatchObject([
      {
        name: 'leaf-qa',
        health: 'Progressing',
        bootstrapped: false,
        credentialsCopied: false,
        credentialsRequired: true,
      },
    ]);
    expect(statuses.get('crd-race')!.eso).toMatchObject({ installed: false });
  });

  it('follows the failing HelmRelease chain to its source, and reads the AWS denial from Events (leaf-staging)', () => {
    const [source, secrets] = statuses.get('leaf-staging')!.findings;
    expect(source).toMatchObject({
      category: 'source-tls',
      objects: [{ kind: 'HelmRepository', name: 'podinfo' }],
    });
    expect(source.blocks!.map(b => `${b.kind}/${b.name}`).sort()).toEqual([
      'HelmRelease/podinfo',
      'Kustomization/podinfo',
      'Kustomization/podinfo-ingress',
    ]);
    // ESO's condition says only "could not get secret data from provider": the class comes from the Events.
    expect(secrets.category).toBe('aws-access-denied');
    expect(secrets.fix).toContain('secretsmanager:GetSecretValue');
    expect(secrets.blocks!.map(b => b.name)).toEqual(['external-secrets-crs']);
    const events = Object.entries(
      fleet.cluster('leaf-staging').counters().byPath,
    )
      .filter(([k]) => k.endsWith('/events'))
      .map(([k]) => k);
    // Only failing ESO and Flux objects are asked about, never with a watch.
    expect(events.every(k => k.startsWith('list '))).toBe(true);
    expect(events.length).toBeGreaterThan(0);
  });

  it('names one root cause per family on leaf-uat: build failure, exhausted HelmRelease, conversion webhook, unverified store', () => {
    const byCode = new Map(
      statuses.get('leaf-uat')!.findings.map(f => [f.code, f]),
    );
    expect(byCode.get('KUSTOMIZATION_FAILED')).toMatchObject({
      category: 'build-missing-file',
      objects: [{ kind: 'Kustomization', name: 'apps' }],
    });
    // The fixes the card shows (packages/e2e-tests/tests/failure-families.spec.ts asserts them in Chromium).
    expect(byCode.get('KUSTOMIZATION_FAILED')!.fix).toMatch(
      /storefront-worker\.yaml.*flux reconcile kustomization apps -n flux-system --with-source/,
    );
    expect(byCode.get('ESO_CONVERSION_FAILED')!.fix).toMatch(
      /same ESO release.*Do not change apiVersions/,
    );
    expect(byCode.get('STORE_UNVERIFIED')!.fix).toContain('untested');
    const hr = byCode.get('HELMRELEASE_FAILED')!;
    expect(hr).toMatchObject({
      category: 'helm-retries-exhausted',
      objects: [{ kind: 'HelmRelease', name: 'podinfo' }],
    });
    expect(hr.fix).toMatch(
      /flux reconcile helmrelease podinfo -n flux-system --reset.*spec\.upgrade\.remediation\.retries/,
    );
    expect(hr.blocks!.map(b => `${b.kind}/${b.name}`)).toEqual([
      'Kustomization/podinfo',
    ]);
    // Its chart source is healthy: no SOURCE_FAILED beside it.
    expect(byCode.has('SOURCE_FAILED')).toBe(false);
    expect(byCode.get('ESO_CONVERSION_FAILED')).toMatchObject({
      category: 'version-skew',
    });
    expect(byCode.get('ESO_CONVERSION_FAILED')!.objects[0]).toMatchObject({
      kind: 'Kustomization',
      name: 'team-secrets',
    });
    // A conversion failure is not a removed API, although it names an apiVersion.
    expect(byCode.has('REMOVED_API_VERSION')).toBe(false);
    expect(byCode.get('STORE_UNVERIFIED')).toMatchObject({
      severity: 'warning',
      objects: [{ kind: 'ClusterSecretStore', name: 'cluster-kubernetes' }],
    });
  });

  it('lists every cluster in short form', async () => {
    const res = await request(backend.server).get(
      '/api/gitops-secrets/clusters',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      clusters: FIXTURE_CLUSTERS.map(name => ({
        name,
        health: EXPECTED[name].health,
        reachable: true,
      })),
    });
  });

  it('answers for a kubernetes-cluster Resource with the whole cluster', async () => {
    const res = await request(backend.server).get(
      '/api/gitops-secrets/entities/default/resource/invalid-store/status',
    );
    expect(res.status).toBe(200);
    const body: EntityStatusResponse = res.body;
    expect(body.entityRef).toBe('resource:default/invalid-store');
    expect(body.health).toBe('Degraded');
    expect(body.clusters.map(findingsOf)).toEqual([
      EXPECTED['invalid-store'].findings,
    ]);
  });

  it('answers for a Component with its part of each cluster it depends on', async () => {
    const res = await request(backend.server).get(
      '/api/gitops-secrets/entities/default/component/payments-api/status',
    );
    expect(res.status).toBe(200);
    const body: EntityStatusResponse = res.body;
    expect(body.entityRef).toBe('component:default/payments-api');
    expect(body.health).toBe('Healthy');
    expect(body.clusters.map(c => [c.cluster, c.eso?.counts.total])).toEqual([
      ['management', 6],
      ['leaf-dev', 3],
    ]);
    for (const c of body.clusters) {
      expect(
        c.eso!.externalSecrets.every(es => es.ref.namespace === 'payments'),
      ).toBe(true);
    }
  });

  it("keeps the ESO chain visible to a Component, and another team's failures out", async () => {
    const checkout = await request(backend.server).get(
      '/api/gitops-secrets/entities/default/component/checkout/status',
    );
    expect(checkout.body.health).toBe('Degraded');
    expect(findingsOf(checkout.body.clusters[0])).toContain(
      'error WEBHOOK_RACE',
    );
    expect(checkout.body.clusters[0].eso.counts.total).toBe(0);

    const portal = await request(backend.server).get(
      '/api/gitops-secrets/entities/default/component/team-a-portal/status',
    );
    const found = findingsOf(portal.body.clusters[0]);
    expect(found).toEqual(['error STORE_INVALID', 'error SECRET_SYNC_ERROR']);
    expect(portal.body.clusters[0].eso.counts).toEqual({
      total: 2,
      synced: 0,
      failing: 2,
      stale: 0,
    });
  });

  it('pages through a cluster list, with filters', async () => {
    const all = await request(backend.server).get(
      '/api/gitops-secrets/clusters/invalid-store/objects?kind=externalsecrets',
    );
    expect(all.status).toBe(200);
    const page: ObjectPage<'externalsecrets'> = all.body;
    expect(page).toMatchObject({
      cluster: 'invalid-store',
      kind: 'externalsecrets',
      total: 3,
      offset: 0,
      limit: 50,
    });
    expect(page.items.map(i => `${i.ref.namespace}/${i.ref.name}`)).toEqual([
      'reports/smtp-credentials',
      'team-a/portal-db',
      'team-a/portal-oauth',
    ]);
    const second = await request(backend.server).get(
      '/api/gitops-secrets/clusters/invalid-store/objects?kind=externalsecrets&offset=1&limit=1&health=Degraded',
    );
    expect(second.body.total).toBe(2);
    expect(second.body.items.map((i: any) => i.ref.name)).toEqual([
      'portal-oauth',
    ]);
    const q = await request(backend.server).get(
      '/api/gitops-secrets/clusters/invalid-store/objects?kind=flux&q=team-b',
    );
    expect(q.body.items.map((i: any) => i.ref.name)).toEqual(['team-b']);

    const scoped = await request(backend.server).get(
      '/api/gitops-secrets/entities/default/component/payments-api/objects?cluster=leaf-dev&kind=externalsecrets&limit=2',
    );
    expect(scoped.status).toBe(200);
    expect(scoped.body).toMatchObject({
      cluster: 'leaf-dev',
      total: 3,
      limit: 2,
    });
    expect(scoped.body.items).toHaveLength(2);
  });

  it('cuts long lists with ?limit, keeping failing entries and exact counts', async () => {
    const res = await request(backend.server).get(
      '/api/gitops-secrets/clusters/invalid-store/status?limit=1',
    );
    const s: ClusterStatus = res.body;
    expect(s.truncated).toEqual({
      limit: 1,
      totals: {
        fluxObjects: s.truncated!.totals.fluxObjects,
        externalSecrets: 3,
        // SecretStore team-a/vault-backend and the ClusterSecretStore every Component sees.
        stores: 2,
        leafClusters: 0,
      },
      // Counted before the cut: the card's chain says "1/2 valid" though one store is listed.
      tallies: expect.objectContaining({
        stores: expect.objectContaining({ total: 2, healthy: 1 }),
        leafClusters: expect.objectContaining({ total: 0 }),
      }),
    });
    expect(s.eso!.externalSecrets.map(e => e.ref.name)).toEqual(['portal-db']);
    expect(s.eso!.counts.total).toBe(3);
    expect(s.flux.objects[0].health).not.toBe('Healthy');
    expect(findingsOf(s)).toEqual(EXPECTED['invalid-store'].findings);
  });

  it('reads with one list and one watch per served kind, gets only the CRDs it needs, never anything under /secrets', async () => {
    const served = Object.values(statuses.get('management')!.servedVersions!);
    expect(served).toHaveLength(WATCHED_KINDS.length);
    const mgmt = fleet.cluster('management');
    await eventually(
      () => mgmt.counters().openWatches === WATCHED_KINDS.length,
    );
    // One list per kind (CRDs as metadata only: a first page of 20, until the answer shows the metadata form,
    // then the rest in one page).
    const lists = Object.entries(mgmt.counters().byPath).filter(([k]) =>
      k.startsWith('list '),
    );
    expect(lists).toHaveLength(WATCHED_KINDS.length);
    expect(
      lists
        .filter(([path]) => !path.includes('customresourcedefinitions'))
        .map(([, count]) => count),
    ).toEqual(Array(WATCHED_KINDS.length - 1).fill(1));
    expect(
      lists.find(([path]) => path.includes('customresourcedefinitions'))![1],
    ).toBe(2);
    const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/';
    for (const c of fleet.clusters) {
      const { byVerb, byPath } = c.counters();
      expect(
        Object.keys(byVerb).filter(
          v => !['discovery', 'list', 'watch', 'get'].includes(v),
        ),
      ).toEqual([]);
      // Gets are of CRDs by name, each once: those of watched kinds and ESO's.
      const gets = Object.entries(byPath).filter(([k]) => k.startsWith('get '));
      for (const [key, count] of gets) {
        expect(key.startsWith(`get ${crdPath}`)).toBe(true);
        expect(count).toBe(1);
      }
      const paths = Object.keys(byPath).map(k => k.split(' ')[1]);
      expect(paths.length).toBeGreaterThan(0);
      expect(paths.filter(p => /\/secrets(\/|$)/.test(p))).toEqual([]);
    }
  });
});
