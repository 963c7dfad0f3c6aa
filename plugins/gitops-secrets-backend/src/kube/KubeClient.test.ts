import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import type { SimCluster, SimFleet } from '@golden-gitops/kube-api-sim';
import { startCluster, startFleet } from '@golden-gitops/kube-api-sim';
import type { ConnectProxy, CountingProxy } from '../__testUtils__/proxy';
import { startConnectProxy, startCountingProxy } from '../__testUtils__/proxy';
import {
  clusterConfig,
  eventually,
  writeKubeconfig,
} from '../__testUtils__/sim';
import { readSettings } from '../config/clusters';
import type { WatchEvent } from './KubeClient';
import {
  KubeConfigClient,
  ListItemReader,
  omitJsonMembers,
} from './KubeClient';
import { JsonMemberFilter } from './jsonStream';

jest.setTimeout(60_000);

const ES_PATH = '/apis/external-secrets.io/v1/externalsecrets';
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

describe('omitJsonMembers', () => {
  const cut = (value: unknown, keys: string[], indent?: number) =>
    JSON.parse(
      omitJsonMembers(JSON.stringify(value, null, indent), new Set(keys)),
    );

  it('drops the named members at any depth, first, middle, last or only, and keeps everything else', () => {
    const value = {
      schema: { big: [1, { schema: 'x' }] },
      a: 1,
      nested: [
        { x: true, schema: null, y: 'z' },
        { only: 1, schema: -1.5e3 },
        { schema: { '}': ']' } },
      ],
      text: 'schema "schema": {not a key}, [',
      'sch"ema': 2,
      last: { k: 'v', schema: '\\"}' },
    };
    for (const indent of [undefined, 2]) {
      expect(cut(value, ['schema'], indent)).toEqual({
        a: 1,
        nested: [{ x: true, y: 'z' }, { only: 1 }, {}],
        text: 'schema "schema": {not a key}, [',
        'sch"ema': 2,
        last: { k: 'v' },
      });
    }
    // Keys written with escapes are recognised too (in text that names the key plainly somewhere).
    expect(
      JSON.parse(
        omitJsonMembers(
          '{"a":1,"sch\\u0065ma":{"b":2},"c":{"schema":3}}',
          new Set(['schema']),
        ),
      ),
    ).toEqual({ a: 1, c: {} });
  });

  it('cuts the same however the text arrives in chunks, and says when it is not JSON', () => {
    const keys = new Set(['schema']);
    const text = JSON.stringify(
      {
        schema: { big: [1, { schema: 'x' }] },
        a: [{ schema: 1, b: 2 }, {}, { c: { schema: '}"' } }],
        'sch\\"ema': { schema: [] },
        d: 'schema',
      },
      null,
      1,
    );
    const whole = omitJsonMembers(text, keys);
    expect(JSON.parse(whole)).toEqual({
      a: [{ b: 2 }, {}, { c: {} }],
      'sch\\"ema': {},
      d: 'schema',
    });
    // Every cut into two chunks, and into three.
    for (let i = 0; i <= text.length; i++) {
      for (const j of [
        i,
        Math.min(text.length, i + 1),
        Math.min(text.length, i + 7),
      ]) {
        const f = new JsonMemberFilter(keys);
        const out =
          f.write(text.slice(0, i)) +
          f.write(text.slice(i, j)) +
          f.write(text.slice(j)) +
          f.end();
        expect(f.broken).toBe(false);
        expect(out).toBe(whole);
      }
    }
    for (const broken of [
      '{"schema": {"a": 1',
      '{"a": "x',
      '{"a": [1}',
      '{"sch',
    ]) {
      const f = new JsonMemberFilter(keys);
      f.write(broken);
      f.end();
      expect(f.broken).toBe(true);
    }
  });

  it('returns text without the keys, or that is not JSON, as it is', () => {
    const keys = new Set(['schema']);
    const text = '{"a": [1, 2], "b": {"c": "schema"}}';
    expect(omitJsonMembers(text, keys)).toBe(text);
    const broken = '{"schema": {"a": [1, 2}';
    expect(omitJsonMembers(broken, keys)).toBe(broken);
  });
});

describe('ListItemReader', () => {
  const listText = JSON.stringify(
    {
      kind: 'List',
      apiVersion: 'v1',
      metadata: { resourceVersion: '7', note: '{"items":[' },
      items: [
        { metadata: { name: 'a' }, s: 'braces } ] { [ and "quotes" \\' },
        { metadata: { name: 'b', managedFields: [{ x: '}' }] }, n: [1, 2] },
        { metadata: { name: 'ü€😀' }, empty: {}, list: [] },
      ],
      tail: { continue: 'next' },
    },
    null,
    1,
  );

  function readAll(text: string, chunk: number, keys?: string[]) {
    const items: unknown[] = [];
    const reader = new ListItemReader(
      item => items.push(item),
      keys ? { omitKeys: new Set(keys) } : undefined,
    );
    for (let i = 0; i < text.length; i += chunk) {
      reader.write(text.slice(i, i + chunk));
    }
    return { items, rest: reader.finish() };
  }

  it('hands over each item as soon as it is complete, whatever the chunks, and returns the list without them', () => {
    const whole = JSON.parse(listText);
    for (const chunk of [1, 2, 3, 7, 64, listText.length]) {
      const { items, rest } = readAll(listText, chunk);
      expect(items).toEqual(whole.items);
      expect(rest).toEqual({ ...whole, items: [] });
    }
    const items: unknown[] = [];
    const reader = new ListItemReader(item => items.push(item));
    const cut = listText.indexOf('"n"');
    reader.write(listText.slice(0, cut));
    // The first item is out before the body is.
    expect(items).toEqual([whole.items[0]]);
    reader.write(listText.slice(cut));
    expect(items).toHaveLength(3);
  });

  it('omits the members it is told to from each item', () => {
    const { items } = readAll(listText, 5, ['managedFields']);
    expect((items[1] as any).metadata).toEqual({ name: 'b' });
  });

  it('rejects what is not a complete list', () => {
    expect(() => readAll(listText.slice(0, -3), 4)).toThrow();
    expect(() => readAll('{"kind":"Status","code":500}', 4)).toThrow();
    expect(() => readAll('{"items":[1,2]}', 4)).toThrow();
    expect(() => readAll('{"items":[{"a":}]}', 4)).toThrow();
  });
});

/**
 * Every behaviour on both protocols: a cluster that speaks HTTP/2 (one connection carries every request), and one
 * that refuses it by ALPN, where the client falls back to HTTP/1.1 over its keep-alive agent. The first connection to
 * an HTTP/1.1-only cluster is the ALPN probe, closed when the server picks HTTP/1.1: `probe` counts it.
 */
describe.each([
  { protocol: 'h2', http2: true, probe: 0 },
  { protocol: 'http/1.1', http2: false, probe: 1 },
] as const)('KubeConfigClient over $protocol', ({ protocol, http2, probe }) => {
  let sim: SimFleet;
  let edge: SimCluster;
  let proxy: CountingProxy;
  const clients: KubeConfigClient[] = [];
  const h2 = protocol === 'h2';

  beforeAll(async () => {
    sim = await startFleet([
      { name: 'edge', crdSets: ['external-secrets'], http2 },
    ]);
    edge = sim.cluster('edge');
  });
  afterAll(() => sim.stop());
  beforeEach(async () => {
    proxy = await startCountingProxy(edge.url);
    edge.resetCounters();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await proxy.stop();
  });

  /** A client for `edge`, through the counting proxy. */
  function client(extra: Record<string, unknown> = {}): KubeConfigClient {
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: [{ ...clusterConfig(edge), url: proxy.url, ...extra }],
        },
      }),
    );
    const c = KubeConfigClient.fromCluster(settings.clusters[0]);
    clients.push(c);
    return c;
  }

  it('sends every request of a cluster over one connection (one session, or one agent reusing it)', async () => {
    const c = client();
    await c.getJson('/apis');
    for (let i = 0; i < 5; i++) {
      const page = (await c.getJson(ES_PATH, { limit: '10' })) as {
        items: unknown[];
      };
      expect(Array.isArray(page.items)).toBe(true);
    }
    // Six requests, each with the token (the simulator answers 401 without it)...
    expect(edge.counters().total).toBe(6);
    // ...over one TLS connection (before: one agent and one connection per request).
    expect(proxy.opened).toBe(1 + probe);
    expect(c.protocol).toBe(protocol);
    expect(c.sessionsCreated).toBe(h2 ? 1 : 0);
    expect(c.agentsCreated).toBe(h2 ? 0 : 1);
    expect(edge.counters().openH2Sessions).toBe(h2 ? 1 : 0);
  });

  it('carries many watches and lists on one h2 connection, or a connection per watch over HTTP/1.1', async () => {
    const c = client();
    const abort = new AbortController();
    const watches = 6;
    const seen = new Set<string>();
    for (let i = 0; i < watches; i++) {
      await c.watch(
        `/apis/external-secrets.io/v1/namespaces/n${i}/externalsecrets`,
        {},
        e => seen.add((e.object as any).metadata.namespace),
        abort.signal,
        60_000,
      );
    }
    await Promise.all([1, 2, 3].map(() => c.getJson(ES_PATH)));
    expect(edge.counters()).toMatchObject({
      openWatches: watches,
      openH2Sessions: h2 ? 1 : 0,
      openH2Streams: h2 ? watches : 0,
    });
    // h2: one connection for everything. HTTP/1.1: one per watch, and the lists' pooled ones.
    expect(proxy.opened).toBeGreaterThanOrEqual(h2 ? 1 : watches + 1 + probe);
    expect(proxy.opened).toBeLessThanOrEqual(h2 ? 1 : Infinity);
    for (let i = 0; i < watches; i++) {
      edge.upsert({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'es', namespace: `n${i}` },
        spec: { target: { name: 'es' } },
      });
    }
    await eventually(() => seen.size === watches);
    abort.abort();
    await eventually(() => edge.counters().openWatches === 0);
  });

  it('keeps a watch on its own connection over HTTP/1.1 (on the session over h2) while lists share one; closing ends both', async () => {
    const c = client();
    const abort = new AbortController();
    const events: WatchEvent[] = [];
    const { ended } = await c.watch(
      ES_PATH,
      { allowWatchBookmarks: 'true' },
      e => events.push(e),
      abort.signal,
      60_000,
    );
    for (let i = 0; i < 3; i++) await c.getJson(ES_PATH, { limit: '10' });
    expect(proxy.opened).toBe((h2 ? 1 : 2) + probe);
    expect(edge.counters().openWatches).toBe(1);

    edge.upsert({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'apps' },
      spec: { target: { name: 'db' } },
    });
    await eventually(() => events.some(e => e.type === 'ADDED'));
    expect(c.agentsCreated).toBe(h2 ? 0 : 1);

    // The cache stopped: the open watch and the idle pooled connection close at once.
    c.close();
    // Ended (cleanly or as a broken connection, either is fine): without close() it would stay open.
    await ended.catch(() => undefined);
    await eventually(() => proxy.open === 0);
    await eventually(() => edge.counters().openWatches === 0);
    await expect(c.getJson('/apis')).rejects.toMatchObject({
      failure: 'aborted',
    });
    expect(proxy.opened).toBe((h2 ? 1 : 2) + probe);
  });

  it('ends a watch whose connection is cut mid-stream with a network error, and connects anew', async () => {
    const c = client();
    const { ended } = await c.watch(
      ES_PATH,
      {},
      () => undefined,
      new AbortController().signal,
      60_000,
    );
    proxy.dropAll();
    await expect(ended).rejects.toMatchObject({ failure: 'network' });
    await expect(c.getJson('/apis')).resolves.toMatchObject({
      kind: 'APIGroupList',
    });
    expect(proxy.opened).toBe(2 + probe);
    expect(c.sessionsCreated).toBe(h2 ? 2 : 0);
  });

  it('ends every watch of a connection the server drops (a GOAWAY, then closed) at once, and connects anew', async () => {
    const c = client();
    const abort = new AbortController();
    const nsPath = (i: number) =>
      `/apis/external-secrets.io/v1/namespaces/g${i}/externalsecrets`;
    const watches = await Promise.all(
      [0, 1, 2].map(i =>
        c.watch(nsPath(i), {}, () => undefined, abort.signal, 60_000),
      ),
    );
    await eventually(() => edge.counters().openWatches === 3);
    edge.dropConnections();
    // Not after the watch idle timeout: each ends now as a broken connection, and the reflector rewatches.
    for (const w of watches) {
      await expect(w.ended).rejects.toMatchObject({ failure: 'network' });
    }
    await expect(c.getJson('/apis')).resolves.toMatchObject({
      kind: 'APIGroupList',
    });
    await c.watch(nsPath(0), {}, () => undefined, abort.signal, 60_000);
    await eventually(() => edge.counters().openWatches === 1);
    expect(c.sessionsCreated).toBe(h2 ? 2 : 0);
    abort.abort();
  });

  it('opens a connection per request in flight at once over HTTP/1.1 (one session over h2), and keeps reusing them', async () => {
    const c = client();
    await Promise.all([1, 2, 3].map(() => c.getJson('/apis')));
    expect(proxy.opened).toBe((h2 ? 1 : 3) + probe);
    for (let i = 0; i < 4; i++) await c.getJson('/apis');
    await Promise.all([1, 2].map(() => c.getJson('/apis')));
    expect(proxy.opened).toBe((h2 ? 1 : 3) + probe);
    expect(c.agentsCreated).toBe(h2 ? 0 : 1);
  });

  it('reads lists and watch events without the members it is told to omit, never parsing them', async () => {
    const c = client();
    const omitKeys = new Set(['openAPIV3Schema']);
    const full = (await c.getJson(CRD_PATH)) as any;
    expect(JSON.stringify(full)).toContain('openAPIV3Schema');
    const slim = (await c.getJson(CRD_PATH, {}, undefined, {
      omitKeys,
    })) as any;
    expect(slim.items.length).toBe(full.items.length);
    expect(slim.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(slim)).not.toContain('openAPIV3Schema');
    // Everything else is there: the served versions and conditions the cache reads.
    const strip = (o: any) =>
      JSON.parse(
        JSON.stringify(o, (k, v) => (k === 'openAPIV3Schema' ? undefined : v)),
      );
    expect(slim).toEqual(strip(full));

    const events: WatchEvent[] = [];
    const abort = new AbortController();
    await c.watch(
      CRD_PATH,
      { resourceVersion: String(full.metadata.resourceVersion) },
      e => events.push(e),
      abort.signal,
      30_000,
      { omitKeys },
    );
    const crd = full.items[0];
    edge.upsert({
      ...crd,
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        ...crd.metadata,
        labels: { ...crd.metadata.labels, touched: 'yes' },
      },
    });
    await eventually(() => events.length > 0);
    abort.abort();
    const object = events[0].object as any;
    expect(object.metadata.labels.touched).toBe('yes');
    expect(object.spec.versions.length).toBe(crd.spec.versions.length);
    expect(JSON.stringify(object)).not.toContain('openAPIV3Schema');
  });

  it('sends the Accept header it is given: metadata-only lists, gets and watch events', async () => {
    const c = client();
    const accept = (form: string) =>
      `application/json;as=${form};g=meta.k8s.io;v=v1,application/json`;
    const items: any[] = [];
    const rest = (await c.getList(
      CRD_PATH,
      {},
      item => items.push(item),
      undefined,
      { accept: accept('PartialObjectMetadataList') },
    )) as any;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every(i => i.kind === 'PartialObjectMetadata')).toBe(true);
    expect(items.every(i => i.spec === undefined)).toBe(true);
    const name = items[0].metadata.name;
    const one = (await c.getJson(`${CRD_PATH}/${name}`, {}, undefined, {
      accept: accept('PartialObjectMetadata'),
    })) as any;
    expect(one).toEqual(items[0]);
    // Without it, the full object as before.
    const full = (await c.getJson(`${CRD_PATH}/${name}`)) as any;
    expect(full.kind).toBe('CustomResourceDefinition');

    const events: WatchEvent[] = [];
    const abort = new AbortController();
    await c.watch(
      CRD_PATH,
      { resourceVersion: String(rest.metadata.resourceVersion) },
      e => events.push(e),
      abort.signal,
      30_000,
      { accept: accept('PartialObjectMetadata') },
    );
    edge.upsert({
      ...full,
      metadata: { ...full.metadata, labels: { touched: 'metadata' } },
    });
    await eventually(() => events.length > 0);
    abort.abort();
    expect(events[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { name, labels: { touched: 'metadata' } },
    });
    expect((events[0].object as any).spec).toBeUndefined();
  });

  it('streams list items, and answers the same as a whole list', async () => {
    const c = client();
    const whole = (await c.getJson(CRD_PATH, { limit: '3' })) as any;
    const items: unknown[] = [];
    const rest = (await c.getList(CRD_PATH, { limit: '3' }, item =>
      items.push(item),
    )) as any;
    expect(items).toEqual(whole.items);
    expect(items.length).toBeGreaterThan(0);
    expect(rest.metadata).toEqual(whole.metadata);
    expect(rest.items).toEqual([]);
    await expect(c.getList('/apis', {}, () => undefined)).rejects.toMatchObject(
      { failure: 'malformed' },
    );
  });

  it('verifies the server with the configured CA, or not at all with skipTLSVerify', async () => {
    const wrongCa = client({ caData: undefined });
    await expect(wrongCa.getJson('/apis')).rejects.toMatchObject({
      failure: 'network',
      message: expect.stringContaining('TLS verification'),
    });
    const skip = client({ caData: undefined, skipTLSVerify: true });
    await expect(skip.getJson('/apis')).resolves.toMatchObject({
      kind: 'APIGroupList',
    });
  });
});

describe('KubeConfigClient behind a proxy', () => {
  let edge: SimCluster;
  let proxy: ConnectProxy;
  let dir: string;
  beforeAll(async () => {
    edge = await startCluster({ name: 'edge' });
    proxy = await startConnectProxy();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-proxy-'));
  });
  afterAll(async () => {
    await edge.stop();
    await proxy.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("goes through the kubeconfig's proxy-url over HTTP/1.1, even to a server that speaks h2", async () => {
    const file = writeKubeconfig(
      path.join(dir, 'kubeconfig.json'),
      edge,
      { token: edge.adminToken },
      { 'proxy-url': proxy.url },
    );
    const settings = readSettings(
      new ConfigReader({
        gitopsSecrets: {
          clusters: [{ name: 'edge', kubeconfig: { path: file } }],
        },
      }),
    );
    const c = KubeConfigClient.fromCluster(settings.clusters[0]);
    try {
      edge.resetCounters();
      await expect(c.getJson('/apis')).resolves.toMatchObject({
        kind: 'APIGroupList',
      });
      expect(proxy.tunnels).toBeGreaterThanOrEqual(1);
      expect(c.protocol).toBe('http/1.1');
      expect(c.sessionsCreated).toBe(0);
      expect(edge.counters().openH2Sessions).toBe(0);
    } finally {
      c.close();
    }
  });
});

describe('KubeConfigClient watch lines', () => {
  it('reads events however the body is cut: across chunks, inside a UTF-8 character, CRLF, blank lines, no final newline', async () => {
    const ev = (type: string, name: string) =>
      JSON.stringify({ type, object: { metadata: { name } } });
    const body = Buffer.from(
      `${ev('ADDED', 'café')}\r\n\n${ev('MODIFIED', 'b')}\n${ev(
        'DELETED',
        'ünï',
      )}`,
    );
    // Cut inside the two-byte 'é', inside the CRLF, and in the middle of the last event.
    const cuts = [
      body.indexOf('é') + 1,
      body.indexOf('\r') + 1,
      body.length - 5,
    ];
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let at = 0;
      const next = (i: number) => {
        if (i > cuts.length) {
          res.end();
          return;
        }
        const end = i < cuts.length ? cuts[i] : body.length;
        res.write(body.subarray(at, end));
        at = end;
        setTimeout(() => next(i + 1), 20);
      };
      next(0);
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const c = KubeConfigClient.fromCluster(
      readSettings(
        new ConfigReader({
          gitopsSecrets: {
            clusters: [
              {
                name: 'plain',
                url: `http://127.0.0.1:${port}`,
                skipTLSVerify: true,
                serviceAccountToken: 't',
              },
            ],
          },
        }),
      ).clusters[0],
    );
    try {
      const events: Array<[string, string]> = [];
      const { ended } = await c.watch(
        '/api/v1/namespaces',
        {},
        e =>
          events.push([
            e.type,
            (e.object as { metadata: { name: string } }).metadata.name,
          ]),
        new AbortController().signal,
        10_000,
      );
      await ended;
      expect(events).toEqual([
        ['ADDED', 'café'],
        ['MODIFIED', 'b'],
        ['DELETED', 'ünï'],
      ]);
    } finally {
      c.close();
      server.close();
    }
  });
});
