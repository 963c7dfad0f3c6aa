import { loadCrds } from '@golden-gitops/crd-schemas';
import type { SimFleet } from '@golden-gitops/kube-api-sim';
import type { ClusterStatus } from '@golden-gitops/plugin-gitops-secrets-common';
import request from 'supertest';
import { startGitopsBackend } from './__testUtils__/backend';
import { clusterResource, component } from './__testUtils__/entities';
import {
  clusterConfig,
  eventually,
  externalSecret,
  startSimFleet,
} from './__testUtils__/sim';

jest.setTimeout(120_000);

const BLACKHOLE_TIMEOUT_MS = 1000;

/** A status without the fields that change with time alone. */
function stable(s: ClusterStatus) {
  const { observedAt, cacheAgeSeconds, ...rest } = s;
  return rest;
}

const findingsOf = (s: ClusterStatus) =>
  s.findings.map(f => `${f.severity} ${f.code}`);

const clusterSecretStore = {
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterSecretStore',
  metadata: { name: 'aws' },
  spec: {
    provider: {
      aws: { service: 'SecretsManager', region: 'eu-north-1' },
    },
  },
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Valid',
        message: 'store validated',
      },
    ],
  },
};

describe('faults: each cluster fails alone, the others answer as before', () => {
  let fleet: SimFleet;
  let backend: Awaited<ReturnType<typeof startGitopsBackend>>;
  const baseline = new Map<string, ReturnType<typeof stable>>();
  const get = (path: string) =>
    request(backend.server).get(`/api/gitops-secrets${path}`);
  const status = async (name: string): Promise<ClusterStatus> => {
    const res = await get(`/clusters/${name}/status`);
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    fleet = await startSimFleet(
      ['management', 'leaf-dev', 'leaf-prod', 'invalid-store'],
      [
        { name: 'blackhole', crdSets: ['flux'], faults: { blackhole: true } },
        {
          name: 'scratch',
          crdSets: ['flux', 'external-secrets'],
          objects: [clusterSecretStore],
        },
        { name: 'bare', crdSets: [] },
        { name: 'old-eso', crdSets: [] },
      ],
    );
    const mgmt = fleet.cluster('management');
    mgmt.addToken('nobody', { user: 'nobody', rules: [] });
    // An ESO that serves only the removed v1beta1 API.
    for (const crd of loadCrds(['external-secrets'])) {
      const versions = crd.spec.versions.map(v => ({ ...v }));
      if (!versions.some(v => v.name === 'v1beta1')) continue;
      for (const v of versions) {
        v.served = v.name === 'v1beta1';
        v.storage = v.name === 'v1beta1';
      }
      fleet.cluster('old-eso').upsert({
        ...(crd as any),
        spec: { ...crd.spec, versions },
      });
    }
    backend = await startGitopsBackend({
      config: {
        gitopsSecrets: {
          timeout: '5s',
          cache: { backoff: { initial: '20ms', max: '200ms' } },
          clusters: [
            ...[
              'management',
              'leaf-dev',
              'leaf-prod',
              'invalid-store',
              'scratch',
              'bare',
              'old-eso',
            ].map(n => clusterConfig(fleet.cluster(n))),
            clusterConfig(fleet.cluster('blackhole'), {
              timeout: `${BLACKHOLE_TIMEOUT_MS}ms`,
            }),
            {
              ...clusterConfig(mgmt, { name: 'down' }),
              url: 'https://127.0.0.1:1',
            },
            clusterConfig(mgmt, {
              name: 'mgmt-401',
              token: 'not-a-valid-token',
            }),
            clusterConfig(mgmt, { name: 'mgmt-403', token: 'nobody' }),
            // Without the simulator's CA: the server certificate cannot be verified.
            {
              name: 'mgmt-no-ca',
              url: mgmt.url,
              serviceAccountToken: mgmt.adminToken,
            },
            {
              name: 'mgmt-insecure',
              url: mgmt.url,
              serviceAccountToken: mgmt.adminToken,
              skipTLSVerify: true,
            },
          ],
        },
      },
      entities: [
        clusterResource('management'),
        clusterResource('down'),
        clusterResource('blackhole'),
        component('payments-api', {
          namespaces: 'payments',
          dependsOn: [
            'resource:default/management',
            'resource:default/down',
            'resource:default/blackhole',
          ],
        }),
      ],
    });
    for (const name of ['management', 'leaf-dev']) {
      baseline.set(name, stable(await status(name)));
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await fleet?.stop();
  });

  /** The healthy clusters answer exactly as before the fault. */
  const expectOthersUnchanged = async () => {
    for (const [name, expected] of baseline) {
      expect(stable(await status(name))).toEqual(expected);
    }
  };

  it('a cluster that is down: UNREACHABLE', async () => {
    const s = await status('down');
    expect(s).toMatchObject({
      cluster: 'down',
      health: 'Unknown',
      reachable: false,
      error: {
        type: 'UNREACHABLE',
        message:
          'Cannot reach the API server (connection refused (ECONNREFUSED)).',
      },
    });
    expect(findingsOf(s)).toEqual(['error CLUSTER_UNREACHABLE']);
    expect(s.eso).toBeUndefined();
    await expectOthersUnchanged();
  });

  it('a black hole costs at most its timeout: TIMEOUT', async () => {
    const started = Date.now();
    const s = await status('blackhole');
    const elapsed = Date.now() - started;
    expect(s.error?.type).toBe('TIMEOUT');
    expect(findingsOf(s)).toEqual(['error CLUSTER_TIMEOUT']);
    expect(elapsed).toBeGreaterThanOrEqual(BLACKHOLE_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(BLACKHOLE_TIMEOUT_MS + 2000);
    // Known to be failing now: the next answer does not wait again.
    expect((await status('blackhole')).error?.type).toBe('TIMEOUT');
    await expectOthersUnchanged();
  });

  it('an entity on a healthy, a dead and a black-holed cluster gets all three, each on its own', async () => {
    const started = Date.now();
    const res = await get('/entities/default/component/payments-api/status');
    expect(Date.now() - started).toBeLessThan(BLACKHOLE_TIMEOUT_MS + 2000);
    expect(res.status).toBe(200);
    expect(
      res.body.clusters.map((c: ClusterStatus) => [
        c.cluster,
        c.health,
        c.error?.type,
      ]),
    ).toEqual([
      ['management', 'Healthy', undefined],
      ['down', 'Unknown', 'UNREACHABLE'],
      ['blackhole', 'Unknown', 'TIMEOUT'],
    ]);
    expect(res.body.clusters[0].eso.counts.total).toBe(6);
    expect(res.body.health).toBe('Unknown');
    await expectOthersUnchanged();
  });

  it('a token the cluster does not know: UNAUTHORIZED', async () => {
    const s = await status('mgmt-401');
    expect(s.error).toEqual({
      type: 'UNAUTHORIZED',
      message:
        "The API server rejected the backend's credentials (HTTP 401) reading API discovery.",
    });
    expect(findingsOf(s)).toEqual(['error CLUSTER_UNAUTHORIZED']);
    await expectOthersUnchanged();
  });

  it('an identity without RBAC on the watched kinds: FORBIDDEN, never the upstream message', async () => {
    const s = await status('mgmt-403');
    expect(s.error?.type).toBe('FORBIDDEN');
    expect(s.error?.message).toBe(
      "The backend's identity may not list/watch kustomizations.kustomize.toolkit.fluxcd.io, " +
        'helmreleases.helm.toolkit.fluxcd.io, gitrepositories.source.toolkit.fluxcd.io, ' +
        'helmrepositories.source.toolkit.fluxcd.io and 14 more (HTTP 403).',
    );
    expect(JSON.stringify(s)).not.toContain('cannot list resource');
    expect(findingsOf(s)).toEqual(['error CLUSTER_FORBIDDEN']);
    expect(s.findings[0].fix).toContain('never on Secrets');
    await expectOthersUnchanged();
  });

  it('a certificate that cannot be verified: UNREACHABLE naming TLS; skipTLSVerify reads anyway', async () => {
    const s = await status('mgmt-no-ca');
    expect(s.error?.type).toBe('UNREACHABLE');
    expect(s.error?.message).toMatch(
      /^Cannot reach the API server \(TLS verification of the API server failed \([A-Z_]+\): check caData\/caFile\)\.$/,
    );
    const insecure = await status('mgmt-insecure');
    expect(insecure.error).toBeUndefined();
    expect(insecure.health).toBe('Healthy');
    await expectOthersUnchanged();
  });

  it('500s: reported without the upstream body, then recovered from by retrying', async () => {
    const prod = fleet.cluster('leaf-prod');
    prod.setFaults({ failAll500: true });
    const s = await status('leaf-prod');
    expect(s.error?.type).toBe('UNKNOWN');
    expect(s.error?.message).toMatch(
      /^The API server answered HTTP 500 reading /,
    );
    expect(JSON.stringify(s)).not.toContain('etcdserver');
    prod.setFaults({});
    const healed = await eventually(async () => {
      const now = await status('leaf-prod');
      expect(now.error).toBeUndefined();
      return now;
    });
    expect(findingsOf(healed)).toEqual([
      'error WEBHOOK_RACE',
      'error OPERATOR_NOT_READY',
    ]);
    await expectOthersUnchanged();
  });

  it('410 Gone on a watch: the kind is listed again and stays current', async () => {
    const store = fleet.cluster('invalid-store');
    const before = await status('invalid-store');
    expect(before.eso!.counts.failing).toBe(2);
    store.resetCounters();
    // Drop the open watches; the first to resume from its resourceVersion gets 410 and must relist.
    store.setFaults({ expireWatchHistory: true, dropWatchesAfterMs: 1 });
    await eventually(() => (store.counters().byVerb.list ?? 0) >= 1);
    store.setFaults({});
    const es = store.get(
      'external-secrets.io/v1',
      'ExternalSecret',
      'team-a',
      'portal-db',
    )!;
    store.upsert({
      ...es,
      status: {
        ...(es.status as object),
        refreshTime: new Date().toISOString(),
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'SecretSynced',
            message: 'secret synced',
          },
        ],
      },
    });
    const after = await eventually(async () => {
      const now = await status('invalid-store');
      expect(now.eso!.counts.failing).toBe(1);
      return now;
    });
    expect(after.error).toBeUndefined();
    expect(after.eso!.counts.total).toBe(3);
    await expectOthersUnchanged();
  });

  it('a malformed object is read as far as it makes sense; the rest of the cluster is unaffected', async () => {
    const scratch = fleet.cluster('scratch');
    scratch.upsert(externalSecret('good', 'True'));
    scratch.upsert({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'garbage', namespace: 'apps', labels: { a: 'b' } },
      spec: 'not an object',
      status: { conditions: 'not a list', refreshTime: 42 },
    } as any);
    const s = await eventually(async () => {
      const now = await status('scratch');
      expect(now.eso!.counts.total).toBe(2);
      return now;
    });
    expect(s.error).toBeUndefined();
    expect(
      s.eso!.externalSecrets.map(e => [e.ref.name, e.health, e.synced]),
    ).toEqual([
      ['garbage', 'Unknown', false],
      ['good', 'Healthy', true],
    ]);
    await expectOthersUnchanged();
  });

  it('a watch event changes the answer without a new list', async () => {
    const scratch = fleet.cluster('scratch');
    await eventually(
      async () => (await status('scratch')).eso!.counts.total === 2,
    );
    await eventually(() => scratch.counters().openWatches >= 11);
    scratch.resetCounters();
    scratch.upsert(externalSecret('good', 'False'));
    const s = await eventually(async () => {
      const now = await status('scratch');
      expect(findingsOf(now)).toContain('error SECRET_SYNC_ERROR');
      return now;
    });
    expect(s.eso!.counts).toMatchObject({ total: 2, failing: 1 });
    const { byVerb, byPath } = scratch.counters();
    // No relist: the only list is the Events of the one object now failing (read on demand, src/cache/events.ts).
    const lists = Object.keys(byPath).filter(k => k.startsWith('list '));
    expect(lists).toEqual(['list /api/v1/namespaces/apps/events']);
    expect(byVerb.watch ?? 0).toBe(0);
    expect(byVerb.discovery ?? 0).toBe(0);
    scratch.remove(
      'external-secrets.io/v1',
      'ExternalSecret',
      'apps',
      'garbage',
    );
    await eventually(
      async () => (await status('scratch')).eso!.counts.total === 1,
    );
    expect(
      Object.keys(scratch.counters().byPath).filter(k => k.startsWith('list ')),
    ).toEqual(lists);
    await expectOthersUnchanged();
  });

  it('CRDs missing: ESO reported as not installed; once its CRDs arrive the cluster is read again', async () => {
    const bare = fleet.cluster('bare');
    const s = await status('bare');
    expect(s.error).toBeUndefined();
    expect(s.health).toBe('Healthy');
    // Nothing asks for ESO there: no ESO_NOT_INSTALLED noise (the card still shows "not installed").
    expect(findingsOf(s)).toEqual([]);
    expect(s.servedVersions).toEqual({
      'customresourcedefinitions.apiextensions.k8s.io': 'v1',
      'deployments.apps': 'v1',
    });
    for (const crd of loadCrds(['external-secrets'])) bare.upsert(crd as any);
    bare.upsert(externalSecret('db', 'True'));
    const later = await eventually(async () => {
      const now = await status('bare');
      expect(now.servedVersions?.['externalsecrets.external-secrets.io']).toBe(
        'v1',
      );
      expect(now.eso?.counts.total).toBe(1);
      return now;
    });
    expect(later.eso!.installed).toBe(true);
    expect(findingsOf(later)).not.toContain('info ESO_NOT_INSTALLED');
    await expectOthersUnchanged();
  });

  it('only removed API versions served: UNSUPPORTED_API, still reachable', async () => {
    const s = await status('old-eso');
    expect(s.reachable).toBe(true);
    expect(s.error).toBeUndefined();
    expect(
      s.servedVersions?.['externalsecrets.external-secrets.io'],
    ).toBeUndefined();
    const unsupported = s.findings.filter(f => f.code === 'UNSUPPORTED_API');
    expect(unsupported.map(f => f.title)).toContain(
      'ExternalSecret is served only as v1beta1',
    );
    expect(s.health).toBe('Degraded');
    await expectOthersUnchanged();
  });
});
