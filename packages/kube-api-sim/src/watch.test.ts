import { startCluster } from './cluster';
import { openWatch, request, sleep } from './testing';
import type { KubeObject, SimCluster } from './types';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

const ES = '/apis/external-secrets.io/v1';

function externalSecret(
  namespace: string,
  name: string,
  labels?: Record<string, string>,
  ready = 'True',
): KubeObject {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
      target: { name },
      data: [{ secretKey: 'password', remoteRef: { key: `apps/${name}` } }],
    },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason: ready === 'True' ? 'SecretSynced' : 'SecretSyncedError',
          message: 'x',
          lastTransitionTime: '2026-11-01T11:50:00Z',
        },
      ],
      refreshTime: '2026-11-01T11:50:00Z',
    },
  };
}

describe('watch', () => {
  let cluster: SimCluster;

  beforeEach(async () => {
    cluster = await startCluster({
      name: 'watches',
      crdSets: ['external-secrets'],
      objects: [
        externalSecret('apps', 'db'),
        externalSecret('apps', 'cache'),
        externalSecret('other', 'api'),
      ],
      watchHistorySize: 5,
    });
  });
  afterEach(() => cluster.stop());

  it('starts with synthetic ADDED events without a resourceVersion, then streams ADDED/MODIFIED/DELETED', async () => {
    const w = openWatch(
      cluster,
      `${ES}/namespaces/apps/externalsecrets?watch=true`,
    );
    expect(await w.status).toBe(200);
    await w.until(ev => ev.length >= 2);
    expect(w.events.map(e => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED cache',
      'ADDED db',
    ]);

    cluster.upsert(externalSecret('apps', 'new'));
    const modified = cluster.upsert(
      externalSecret('apps', 'db', undefined, 'False'),
    );
    cluster.upsert(externalSecret('other', 'ignored'));
    expect(
      cluster.remove(
        'external-secrets.io/v1',
        'ExternalSecret',
        'apps',
        'cache',
      ),
    ).toBe(true);

    await w.until(ev => ev.length >= 5);
    expect(
      w.events.slice(2).map(e => `${e.type} ${e.object.metadata.name}`),
    ).toEqual(['ADDED new', 'MODIFIED db', 'DELETED cache']);
    const mod = w.events[3].object;
    expect(mod.metadata.resourceVersion).toBe(
      modified.metadata.resourceVersion,
    );
    expect(mod.status.conditions[0].status).toBe('False');
    // the DELETED event carries the resourceVersion of the deletion
    expect(Number(w.events[4].object.metadata.resourceVersion)).toBe(
      Number(cluster.resourceVersion()),
    );
    w.close();
  });

  it('resumes from a resourceVersion with the events after it, and none before', async () => {
    const list = await request(cluster, 'GET', `${ES}/externalsecrets`);
    const rv = list.body.metadata.resourceVersion;
    cluster.upsert(externalSecret('apps', 'later'));
    const w = openWatch(
      cluster,
      `${ES}/externalsecrets?watch=1&resourceVersion=${rv}`,
    );
    await w.until(ev => ev.length >= 1);
    await sleep(50);
    expect(w.events.map(e => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED later',
    ]);
    w.close();
  });

  it('sends BOOKMARK events when allowed, and one before the timeout closes the stream', async () => {
    const w = openWatch(
      cluster,
      `${ES}/externalsecrets?watch=true&resourceVersion=${cluster.resourceVersion()}&allowWatchBookmarks=true&timeoutSeconds=1`,
    );
    cluster.upsert(externalSecret('apps', 'x'));
    await w.ended;
    expect(w.events.map(e => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    const bm = w.events[1].object;
    expect(bm).toEqual({
      kind: 'ExternalSecret',
      apiVersion: 'external-secrets.io/v1',
      metadata: {
        resourceVersion: cluster.resourceVersion(),
        creationTimestamp: null,
      },
    });
  });

  it('sends no BOOKMARK without allowWatchBookmarks', async () => {
    const w = openWatch(
      cluster,
      `${ES}/externalsecrets?watch=true&resourceVersion=${cluster.resourceVersion()}&timeoutSeconds=1`,
    );
    await w.ended;
    expect(w.events).toEqual([]);
  });

  it('answers a resourceVersion older than the kept history with a 410 ERROR event and ends the stream', async () => {
    const old = cluster.resourceVersion();
    for (let i = 0; i < 6; i++)
      cluster.upsert(externalSecret('apps', `churn-${i}`));
    const w = openWatch(
      cluster,
      `${ES}/externalsecrets?watch=true&resourceVersion=${old}`,
    );
    expect(await w.status).toBe(200);
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe('ERROR');
    const floor = Number(cluster.resourceVersion()) - 5;
    expect(w.events[0].object).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${old} (${floor})`,
      reason: 'Expired',
      code: 410,
    });
    // still inside the history: fine
    const ok = openWatch(
      cluster,
      `${ES}/externalsecrets?watch=true&resourceVersion=${floor}`,
    );
    await ok.until(ev => ev.length >= 5);
    expect(ok.events.every(e => e.type === 'ADDED')).toBe(true);
    ok.close();
  });

  it('treats objects leaving or entering a label selection as DELETED and ADDED', async () => {
    cluster.upsert(externalSecret('apps', 'sel', { team: 'a' }));
    const w = openWatch(
      cluster,
      `${ES}/externalsecrets?watch=true&labelSelector=team%3Da&resourceVersion=${cluster.resourceVersion()}`,
    );
    await w.status;
    cluster.upsert(externalSecret('apps', 'sel', { team: 'b' }));
    cluster.upsert(externalSecret('apps', 'sel', { team: 'a' }));
    cluster.upsert(externalSecret('apps', 'other', { team: 'b' }));
    cluster.upsert(externalSecret('apps', 'sel', { team: 'a', extra: 'y' }));
    await w.until(ev => ev.length >= 3);
    await sleep(50);
    expect(w.events.map(e => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'DELETED sel',
      'ADDED sel',
      'MODIFIED sel',
    ]);
    w.close();
  });

  it('watches one object by fieldSelector, as kubectl get NAME -w does', async () => {
    const w = openWatch(
      cluster,
      `${ES}/namespaces/apps/externalsecrets?watch=true&fieldSelector=metadata.name%3Ddb`,
    );
    await w.until(ev => ev.length >= 1);
    cluster.upsert(externalSecret('apps', 'cache', undefined, 'False'));
    cluster.upsert(externalSecret('apps', 'db', undefined, 'False'));
    await w.until(ev => ev.length >= 2);
    expect(w.events.map(e => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED db',
      'MODIFIED db',
    ]);
    w.close();
  });

  it('sends initial events and an initial-events-end BOOKMARK with sendInitialEvents', async () => {
    const w = openWatch(
      cluster,
      `${ES}/namespaces/apps/externalsecrets?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`,
    );
    await w.until(ev => ev.length >= 3);
    expect(w.events.map(e => e.type)).toEqual(['ADDED', 'ADDED', 'BOOKMARK']);
    expect(w.events[2].object.metadata.annotations).toEqual({
      'k8s.io/initial-events-end': 'true',
    });
    w.close();
  });

  it('releases the watcher when the client goes away', async () => {
    const w = openWatch(cluster, `${ES}/externalsecrets?watch=true`);
    await w.until(ev => ev.length >= 3);
    const server = cluster as unknown as { openWatchCount(): number };
    expect(server.openWatchCount()).toBe(1);
    w.close();
    for (let i = 0; i < 50 && server.openWatchCount() > 0; i++) await sleep(10);
    expect(server.openWatchCount()).toBe(0);
  });
});
