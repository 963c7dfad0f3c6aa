import { mockServices } from '@backstage/backend-test-utils';
import type { WatchedKind } from '@golden-gitops/plugin-gitops-secrets-common';
import { WATCHED_KINDS } from '@golden-gitops/plugin-gitops-secrets-common';
import type {
  KubeClient,
  Query,
  ReadOptions,
  WatchEvent,
} from '../kube/KubeClient';
import { KubeRequestError } from '../kube/KubeClient';
import { StringPool } from './intern';
import { KindReflector } from './KindReflector';

const ES_KIND = WATCHED_KINDS.find(k => k.kind === 'ExternalSecret')!;
const CRD_KIND = WATCHED_KINDS.find(
  k => k.kind === 'CustomResourceDefinition',
)!;
const DEPLOYMENT_KIND = WATCHED_KINDS.find(k => k.kind === 'Deployment')!;

type WatchScript =
  | KubeRequestError
  | { events: WatchEvent[]; end?: KubeRequestError };

/** A scripted cluster: list pages by `continue` token, then one script per watch; no script left = a quiet open watch. */
class FakeClient implements KubeClient {
  readonly gets: Array<{ path: string; query: Query; options?: ReadOptions }> =
    [];
  readonly watches: Array<{
    path: string;
    query: Query;
    options?: ReadOptions;
  }> = [];
  constructor(
    public list: (query: Query) => unknown,
    public readonly scripts: WatchScript[] = [],
  ) {}

  async getJson(
    path: string,
    query: Query = {},
    _signal?: AbortSignal,
    options?: ReadOptions,
  ): Promise<unknown> {
    this.gets.push({ path, query, options });
    const page = this.list(query);
    if (page instanceof Error) throw page;
    return page;
  }

  async watch(
    path: string,
    query: Query,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
    _idle?: number,
    options?: ReadOptions,
  ): Promise<{ ended: Promise<void> }> {
    this.watches.push({ path, query, options });
    const script = this.scripts.shift();
    if (script instanceof Error) throw script;
    if (!script) {
      return {
        ended: new Promise(resolve => {
          signal.addEventListener('abort', () => resolve(), { once: true });
        }),
      };
    }
    const ended = (async () => {
      await Promise.resolve();
      for (const ev of script.events) onEvent(ev);
      if (script.end) throw script.end;
    })();
    ended.catch(() => undefined);
    return { ended };
  }
}

function es(name: string, rv: string, ready = 'True', extra: object = {}) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: {
      name,
      namespace: 'apps',
      resourceVersion: rv,
      uid: `uid-${name}`,
      managedFields: [{ manager: 'kubectl', fieldsV1: { huge: true } }],
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration':
          '{"data":"c2VjcmV0"}',
      },
    },
    spec: {
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
      target: { name },
      data: [{ secretKey: 'password', remoteRef: { key: 'db' } }],
    },
    status: {
      conditions: [{ type: 'Ready', status: ready, reason: 'SecretSynced' }],
    },
    ...extra,
  };
}

const list = (rv: string, items: unknown[], cont?: string) => ({
  kind: 'List',
  metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) },
  items,
});

async function until(check: () => boolean) {
  for (let i = 0; i < 500 && !check(); i++) {
    await new Promise(r => setImmediate(r));
  }
  expect(check()).toBe(true);
}

function reflector(
  client: FakeClient,
  kind: WatchedKind = ES_KIND,
  extra: { onGone?: () => void; delays?: number[] } = {},
) {
  const delays = extra.delays ?? [];
  const r = new KindReflector({
    client,
    kind,
    version: kind.versions[0],
    pageSize: 2,
    backoffInitialMs: 10,
    backoffMaxMs: 40,
    watchTimeoutSeconds: 300,
    requestTimeoutMs: 1000,
    pool: new StringPool(),
    logger: mockServices.logger.mock(),
    onChange: () => undefined,
    onGone: extra.onGone ?? (() => undefined),
    // No jitter: the delays are the backoff itself.
    random: () => 0,
    // Record the delay, but only yield a tick: tests do not wait for real time.
    sleep: ms => {
      delays.push(ms);
      return new Promise(resolve => setImmediate(resolve));
    },
  });
  return r;
}

const names = (r: KindReflector) =>
  [...r.objects()]
    .map(o => `${o.metadata.name}:${o.status?.conditions?.[0]?.status}`)
    .sort();

describe('KindReflector', () => {
  it('without keepObjects hands every object to onRaw and keeps none; asks the page size per page; reads watches as told', async () => {
    const client = new FakeClient(
      q =>
        q.continue
          ? list('12', [es('c', '11')])
          : list('10', [es('a', '8'), es('b', '9')], 'next'),
      [
        {
          events: [
            { type: 'ADDED', object: es('d', '13') },
            { type: 'DELETED', object: es('a', '14') },
          ],
        },
      ],
    );
    const seen: string[] = [];
    let listed = 0;
    const sizes = [7, 3];
    const listRead: ReadOptions = { accept: 'list/form' };
    const watchRead: ReadOptions = { accept: 'watch/form' };
    const r = new KindReflector({
      client,
      kind: ES_KIND,
      version: 'v1',
      pageSize: () => sizes.shift() ?? 1,
      read: listRead,
      watchRead,
      keepObjects: false,
      backoffInitialMs: 10,
      backoffMaxMs: 40,
      watchTimeoutSeconds: 300,
      requestTimeoutMs: 1000,
      pool: new StringPool(),
      logger: mockServices.logger.mock(),
      onChange: () => undefined,
      onGone: () => undefined,
      onRaw: (type, raw) => seen.push(`${type} ${raw.metadata.name}`),
      onListed: () => listed++,
    });
    r.start();
    await until(() => seen.length === 5);
    r.stop();
    expect(seen).toEqual([
      'LISTED a',
      'LISTED b',
      'LISTED c',
      'ADDED d',
      'DELETED a',
    ]);
    expect(listed).toBe(1);
    expect(r.size).toBe(0);
    expect([...r.objects()]).toEqual([]);
    expect(client.gets.map(g => g.query.limit)).toEqual(['7', '3']);
    expect(client.gets.every(g => g.options === listRead)).toBe(true);
    expect(client.watches[0].options).toBe(watchRead);
    expect(client.watches[0].query.resourceVersion).toBe('12');
  });

  it('lists page by page, keeps only slim fields, then watches from the list resourceVersion', async () => {
    const client = new FakeClient(q =>
      q.continue
        ? list('12', [es('c', '11')])
        : list('10', [es('a', '5'), es('b', '6')], 'page-2'),
    );
    const r = reflector(client);
    r.start();
    await until(() => r.connected);
    expect(
      client.gets.map(g => [g.path, g.query.limit, g.query.continue]),
    ).toEqual([
      ['/apis/external-secrets.io/v1/externalsecrets', '2', undefined],
      ['/apis/external-secrets.io/v1/externalsecrets', '2', 'page-2'],
    ]);
    expect(client.watches[0].path).toBe(
      '/apis/external-secrets.io/v1/externalsecrets',
    );
    expect(client.watches[0].query.resourceVersion).toBe('12');
    expect(client.watches[0].query.allowWatchBookmarks).toBe('true');
    expect(r.size).toBe(3);
    expect(r.hasSynced).toBe(true);
    const a = [...r.objects()].find(o => o.metadata.name === 'a')!;
    const text = JSON.stringify(a);
    expect(text).not.toContain('managedFields');
    expect(text).not.toContain('last-applied');
    expect(text).not.toContain('remoteRef');
    expect(text).not.toContain('uid-a');
    expect(a).toMatchObject({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'a', namespace: 'apps' },
    });
    r.stop();
  });

  it('narrows by namespace, label selector and name suffix, and fills apiVersion/kind on list items', async () => {
    const deployments = new FakeClient(() =>
      list('1', [
        {
          metadata: { name: 'external-secrets', namespace: 'external-secrets' },
          spec: { replicas: 1 },
        },
      ]),
    );
    const d = reflector(deployments, DEPLOYMENT_KIND);
    d.start();
    await until(() => d.connected);
    expect(deployments.gets[0].path).toBe('/apis/apps/v1/deployments');
    expect(deployments.gets[0].query.labelSelector).toContain(
      'app.kubernetes.io/name in (',
    );
    expect(deployments.watches[0].query.labelSelector).toBe(
      deployments.gets[0].query.labelSelector,
    );
    expect([...d.objects()][0]).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
    });
    d.stop();

    const crds = new FakeClient(() =>
      list('1', [
        {
          metadata: { name: 'externalsecrets.external-secrets.io' },
          spec: { group: 'external-secrets.io' },
        },
        {
          metadata: { name: 'certificates.cert-manager.io' },
          spec: { group: 'cert-manager.io' },
        },
      ]),
    );
    const c = reflector(crds, CRD_KIND);
    c.start();
    await until(() => c.connected);
    expect([...c.objects()].map(o => o.metadata.name)).toEqual([
      'externalsecrets.external-secrets.io',
    ]);
    c.stop();
  });

  it('applies watch events, resumes from the last resourceVersion (bookmarks included) without listing again', async () => {
    const client = new FakeClient(
      () => list('10', [es('a', '5')]),
      [
        {
          events: [
            { type: 'ADDED', object: es('b', '11') },
            { type: 'MODIFIED', object: es('a', '12', 'False') },
            { type: 'ADDED', object: { metadata: { namespace: 'apps' } } }, // no name: ignored
            { type: 'DELETED', object: es('b', '13') },
            {
              type: 'BOOKMARK',
              object: { metadata: { resourceVersion: '20' } },
            },
          ],
        },
      ],
    );
    const r = reflector(client);
    r.start();
    await until(() => client.watches.length === 2);
    expect(names(r)).toEqual(['a:False']);
    expect(client.gets).toHaveLength(1);
    expect(client.watches[1].query.resourceVersion).toBe('20');
    r.stop();
  });

  it('reports no change when a watch that ran its course resumes (kept answers stay valid)', async () => {
    const client = new FakeClient(
      () => list('10', [es('a', '5')]),
      [
        {
          events: [
            {
              type: 'BOOKMARK',
              object: { metadata: { resourceVersion: '15' } },
            },
          ],
        },
        {
          events: [{ type: 'MODIFIED', object: es('a', '16', 'False') }],
        },
      ],
    );
    let changes = 0;
    const r = new KindReflector({
      client,
      kind: ES_KIND,
      version: ES_KIND.versions[0],
      pageSize: 2,
      backoffInitialMs: 10,
      backoffMaxMs: 40,
      watchTimeoutSeconds: 300,
      requestTimeoutMs: 1000,
      pool: new StringPool(),
      logger: mockServices.logger.mock(),
      onChange: () => changes++,
      onGone: () => undefined,
      // These watches ran their course: as long as a healthy one.
      healthyWatchMs: 0,
      sleep: () => new Promise(resolve => setImmediate(resolve)),
    });
    r.start();
    await until(() => client.watches.length === 3);
    for (let i = 0; i < 10; i++) await new Promise(res => setImmediate(res));
    // Changes: the list (2 notifications), the first connect, the one MODIFIED event. The two watches that ran
    // their course and resumed add none (before, each resume counted as a disconnect and a reconnect).
    expect(changes).toBe(4);
    expect(client.watches[1].query.resourceVersion).toBe('15');
    expect(r.connected).toBe(true);
    r.stop();
  });

  it.each([
    [
      'a 410 ERROR event in the stream',
      {
        events: [
          {
            type: 'ERROR',
            object: { kind: 'Status', code: 410, reason: 'Expired' },
          },
        ],
      },
    ],
    [
      'an HTTP 410 answer to the watch',
      new KubeRequestError('http', 'watch answered HTTP 410', 410),
    ],
  ])('relists after %s', async (_n, script) => {
    let rv = 10;
    const client = new FakeClient(
      () => list(String(rv++), [es('a', '5')]),
      [script as WatchScript],
    );
    const r = reflector(client);
    r.start();
    await until(() => client.watches.length === 2);
    expect(client.gets).toHaveLength(2);
    expect(client.watches.map(w => w.query.resourceVersion)).toEqual([
      '10',
      '11',
    ]);
    expect(r.lastError).toBeUndefined();
    r.stop();
  });

  it('backs off exponentially up to the maximum, reports the failure, and recovers', async () => {
    const delays: number[] = [];
    const fail = () =>
      new KubeRequestError('http', 'watch answered HTTP 500', 500);
    const client = new FakeClient(
      () => list('10', [es('a', '5')]),
      [fail(), fail(), fail(), fail()],
    );
    const r = reflector(client, ES_KIND, { delays });
    r.start();
    await until(() => client.watches.length === 2);
    expect(r.lastError?.status).toBe(500);
    await until(() => client.watches.length === 5 && r.connected);
    expect(delays).toEqual([10, 20, 40, 40]);
    expect(r.lastError).toBeUndefined();
    expect(r.attempted).toBe(true);
    // Resumed from the list's resourceVersion each time: failures do not relist.
    expect(client.gets).toHaveLength(1);
    r.stop();
  });

  it('keeps the failure while it lasts', async () => {
    const client = new FakeClient(
      () => new KubeRequestError('http', 'list answered HTTP 403', 403),
    );
    const r = reflector(client);
    r.start();
    await until(() => r.attempted);
    expect(r.lastError?.status).toBe(403);
    expect(r.hasSynced).toBe(false);
    r.stop();
  });

  it('relists after a malformed stream, and asks for rediscovery on 404', async () => {
    const client = new FakeClient(
      () => list('10', [es('a', '5')]),
      [
        {
          events: [],
          end: new KubeRequestError(
            'malformed',
            'watch sent a line that is not JSON',
          ),
        },
      ],
    );
    const r = reflector(client);
    r.start();
    await until(() => client.watches.length === 2);
    expect(client.gets).toHaveLength(2);
    r.stop();

    const onGone = jest.fn();
    const gone = new FakeClient(
      () => new KubeRequestError('http', 'list answered HTTP 404', 404),
    );
    const g = reflector(gone, ES_KIND, { onGone });
    g.start();
    await until(() => onGone.mock.calls.length > 0);
    g.stop();
  });

  it('rejects an event of unknown type by relisting', async () => {
    const client = new FakeClient(
      () => list('10', [es('a', '5')]),
      [{ events: [{ type: 'WHATEVER', object: {} }] }],
    );
    const r = reflector(client);
    r.start();
    await until(() => client.watches.length === 2);
    expect(client.gets).toHaveLength(2);
    r.stop();
  });

  it('takes list items one by one from a client that streams them, and reads the page metadata it returns', async () => {
    class StreamingClient extends FakeClient {
      streamed = 0;
      async getList(
        path: string,
        query: Query,
        onItem: (item: unknown) => void,
      ): Promise<unknown> {
        this.gets.push({ path, query });
        const { items, ...rest } = this.list(query) as {
          items: unknown[];
        };
        for (const item of items) {
          this.streamed++;
          onItem(item);
        }
        return rest;
      }
      async getJson(): Promise<unknown> {
        throw new Error('a streaming client is not asked for whole lists');
      }
    }
    const client = new StreamingClient(q =>
      q.continue
        ? list('12', [es('c', '11')])
        : list('10', [es('a', '5'), es('b', '6')], 'page-2'),
    );
    const r = reflector(client);
    r.start();
    await until(() => client.watches.length === 1);
    r.stop();
    expect(client.streamed).toBe(3);
    expect(client.gets.map(g => g.query.continue)).toEqual([
      undefined,
      'page-2',
    ]);
    expect(names(r)).toEqual(['a:True', 'b:True', 'c:True']);
    expect(r.size).toBe(3);
    // The watch resumes from the last page's resourceVersion, read from the metadata getList returned.
    expect(client.watches[0].query.resourceVersion).toBe('12');
  });
});
