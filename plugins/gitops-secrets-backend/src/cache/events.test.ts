import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type {
  KubeObject,
  PolicyRule,
  SimCluster,
  SimFleet,
} from '@golden-gitops/kube-api-sim';
import { startFleet } from '@golden-gitops/kube-api-sim';
import type { SlimObject } from '@golden-gitops/plugin-gitops-secrets-common';
import {
  WATCHED_KINDS,
  slimObject,
} from '@golden-gitops/plugin-gitops-secrets-common';
import request from 'supertest';
import { startGitopsBackend } from '../__testUtils__/backend';
import {
  clusterConfig,
  externalSecret,
  secretStore,
} from '../__testUtils__/sim';
import { readSettings } from '../config/clusters';
import { KubeConfigClient } from '../kube/KubeClient';
import { FailingObjectEvents, failingObjects } from './events';

jest.setTimeout(60_000);

const TTL = 10_000;

function clusterSecretStore(ready: 'True' | 'False'): KubeObject {
  return secretStore('ClusterSecretStore', 'aws', ready);
}

function event(
  name: string,
  namespace: string,
  involved: KubeObject,
  message: string,
  uid = involved.metadata.uid,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.metadata.name,
      ...(involved.metadata.namespace
        ? { namespace: involved.metadata.namespace }
        : {}),
      uid,
    },
    type: 'Warning',
    reason: 'UpdateFailed',
    message,
    lastTimestamp: new Date().toISOString(),
  };
}

/** The grant of deploy/rbac.yaml for what this test reads: ESO kinds get/list/watch, events get/list. */
function grant(withEvents: boolean): PolicyRule[] {
  return [
    {
      apiGroups: ['external-secrets.io'],
      resources: ['*'],
      verbs: ['get', 'list', 'watch'],
    },
    ...(withEvents
      ? [{ apiGroups: [''], resources: ['events'], verbs: ['get', 'list'] }]
      : []),
  ];
}

describe('FailingObjectEvents (against the simulator)', () => {
  let sim: SimFleet;
  let edge: SimCluster;

  beforeAll(async () => {
    sim = await startFleet([
      {
        name: 'edge',
        crdSets: ['external-secrets'],
        objects: [
          externalSecret('db', 'False'),
          externalSecret('cache', 'False'),
          externalSecret('web', 'True'),
          clusterSecretStore('False'),
        ],
      },
    ]);
    edge = sim.cluster('edge');
    const get = (kind: string, ns: string | undefined, name: string) =>
      edge.get('external-secrets.io/v1', kind, ns, name)!;
    const db = get('ExternalSecret', 'apps', 'db');
    const web = get('ExternalSecret', 'apps', 'web');
    const aws = get('ClusterSecretStore', undefined, 'aws');
    for (const e of [
      event(
        'db.1',
        'apps',
        db,
        'AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/eso/x is not authorized to perform: secretsmanager:GetSecretValue',
      ),
      // An earlier ExternalSecret of the same name: its Events are not this one's.
      event('db.0', 'apps', db, 'an old failure', 'uid-of-an-earlier-db'),
      event('web.1', 'apps', web, 'a healthy object is never asked about'),
      event('aws.1', 'default', aws, 'could not validate: AccessDenied'),
    ]) {
      edge.upsert(e);
    }
  });
  afterAll(() => sim.stop());

  function client(token?: string) {
    const [details] = readSettings(
      new ConfigReader({
        gitopsSecrets: { clusters: [clusterConfig(edge, { token })] },
      }),
    ).clusters;
    return KubeConfigClient.fromCluster(details);
  }

  const objects = (): SlimObject[] =>
    ['ExternalSecret', 'ClusterSecretStore'].flatMap(kind =>
      edge.list('external-secrets.io/v1', kind).map(o => slimObject(o)),
    );

  /** Requests on Events paths by verb, from the simulator's counters. */
  function eventRequests(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, n] of Object.entries(edge.counters().byPath)) {
      const [verb, path] = k.split(' ');
      if (/\/events$/.test(path)) out[verb] = (out[verb] ?? 0) + n;
    }
    return out;
  }

  function reader(now: { t: number }, maxObjects?: number) {
    const logger = mockServices.logger.mock();
    const r = new FailingObjectEvents({
      ttlMs: TTL,
      logger,
      cluster: 'edge',
      now: () => now.t,
      maxObjects,
    });
    return { r, logger };
  }

  it('lists Events only for failing objects, one bounded list each, kept for the TTL', async () => {
    edge.resetCounters();
    const now = { t: 1_000_000 };
    const { r } = reader(now);
    const c = client();
    const signal = new AbortController().signal;

    expect(await r.refresh(c, objects(), signal)).toBe(true);
    // db, cache and the store fail; web is healthy and never asked about.
    expect(r.lists).toBe(3);
    expect(eventRequests()).toEqual({ list: 3 });
    expect(
      r
        .current()
        .map(
          e =>
            `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`,
        )
        .sort(),
    ).toEqual([
      'ClusterSecretStore/aws: could not validate: AccessDenied',
      expect.stringMatching(
        /^ExternalSecret\/db: AccessDeniedException: .*secretsmanager:GetSecretValue$/,
      ),
    ]);

    // Within the TTL: nothing is asked again, however often the summary is built.
    now.t += TTL - 1;
    expect(await r.refresh(c, objects(), signal)).toBe(false);
    expect(eventRequests()).toEqual({ list: 3 });

    // After it: read again, unchanged.
    now.t += 1;
    expect(await r.refresh(c, objects(), signal)).toBe(false);
    expect(eventRequests()).toEqual({ list: 6 });

    // db recovers: its Events go, and it is not asked about.
    edge.upsert(externalSecret('db', 'True'));
    now.t += TTL;
    expect(await r.refresh(c, objects(), signal)).toBe(true);
    expect(eventRequests()).toEqual({ list: 8 });
    expect(r.current().map(e => e.involvedObject.name)).toEqual(['aws']);
    edge.upsert(externalSecret('db', 'False'));
  });

  it('works out the failing objects once per objects array (a cache hands out the same one until something changes)', async () => {
    const now = { t: 1_000_000 };
    const { r } = reader(now);
    const c = client();
    const signal = new AbortController().signal;
    const same = objects();
    await r.refresh(c, same, signal);
    now.t += TTL;
    // Due again after the TTL, read again — from the failing objects worked out before.
    await r.refresh(c, same, signal);
    expect(r.scans).toBe(1);
    expect(r.lists).toBe(6);
    // Another array (the cache changed): worked out anew.
    await r.refresh(c, objects(), signal);
    expect(r.scans).toBe(2);
  });

  it('reads at most maxObjects objects, ESO objects in a stable order', async () => {
    edge.resetCounters();
    const { r } = reader({ t: 0 }, 2);
    await r.refresh(client(), objects(), new AbortController().signal);
    expect(r.lists).toBe(2);
    expect(failingObjects(objects(), 2).map(o => o.metadata.name)).toEqual([
      'aws',
      'cache',
    ]);
  });

  it('needs only get/list on events; without them it warns once and reads nothing until the TTL passes', async () => {
    edge.addToken('reader', { user: 'reader', rules: grant(true) });
    edge.addToken('no-events', { user: 'no-events', rules: grant(false) });
    const signal = new AbortController().signal;

    const ok = reader({ t: 0 });
    expect(await ok.r.refresh(client('reader'), objects(), signal)).toBe(true);
    expect(ok.r.current()).toHaveLength(2);
    expect(ok.logger.warn).not.toHaveBeenCalled();

    edge.resetCounters();
    const now = { t: 0 };
    const denied = reader(now);
    const c = client('no-events');
    expect(await denied.r.refresh(c, objects(), signal)).toBe(false);
    expect(denied.r.current()).toEqual([]);
    expect(denied.logger.warn).toHaveBeenCalledTimes(1);
    expect(denied.logger.warn.mock.calls[0][0]).toMatch(
      /cannot list Events on cluster edge \(HTTP 403\)/,
    );
    const tried = eventRequests().list;
    now.t += TTL - 1;
    await denied.r.refresh(c, objects(), signal);
    expect(eventRequests().list).toBe(tried);
    expect(denied.logger.warn).toHaveBeenCalledTimes(1);
  });

  it('feeds the provider classes through the status API, with one list per failing object and no watch', async () => {
    // A valid store: the ExternalSecrets' own provider errors are the root causes.
    edge.upsert(clusterSecretStore('True'));
    edge.resetCounters();
    const backend = await startGitopsBackend({
      config: { gitopsSecrets: { clusters: [clusterConfig(edge)] } },
    });
    try {
      const res = await request(backend.server).get(
        '/api/gitops-secrets/clusters/edge/status',
      );
      expect(res.status).toBe(200);
      const findings = res.body.findings as Array<{
        category?: string;
        fix: string;
      }>;
      const denied = findings.find(f => f.category === 'aws-access-denied');
      expect(denied?.fix).toContain('secretsmanager:GetSecretValue');
      // Asked again: answered from the cache, no new Event list.
      await request(backend.server).get(
        '/api/gitops-secrets/clusters/edge/status',
      );
      expect(eventRequests()).toEqual({ list: 2 });
    } finally {
      edge.upsert(clusterSecretStore('False'));
      await backend.stop();
    }
  });

  it('never watches Events: they are not a watched kind', () => {
    expect(WATCHED_KINDS.map(k => k.key)).not.toContain('events');
  });
});
