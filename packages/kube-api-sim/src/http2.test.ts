import http2 from 'node:http2';
import https from 'node:https';
import tls from 'node:tls';
import { createClientCert, createSimCa } from './ca';
import { startCluster } from './cluster';
import { request } from './testing';
import type { SimCluster, TokenGrant } from './types';

jest.setTimeout(30_000);

const CA = createSimCa();
const READER: TokenGrant = {
  user: 'reader',
  rules: [
    { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
  ],
};
const CERT = createClientCert(CA, 'cert-reader');
const STRANGER = createClientCert(createSimCa('another-ca'), 'cert-reader');

/** The protocol the server picks when a client offers both, as KubeClient and Go clients do. */
async function negotiated(c: SimCluster): Promise<string | false | null> {
  const url = new URL(c.url);
  const socket = tls.connect({
    host: url.hostname,
    port: Number(url.port),
    ca: CA.caCertPem,
    ALPNProtocols: ['h2', 'http/1.1'],
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const protocol = socket.alpnProtocol;
  socket.destroy();
  return protocol;
}

interface H2Answer {
  status: number;
  body: string;
}

function get(
  session: http2.ClientHttp2Session,
  path: string,
  token?: string,
): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':path': path,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on('response', h => (status = Number(h[':status'])));
    stream.on('data', c => chunks.push(c));
    stream.on('end', () =>
      resolve({ status, body: Buffer.concat(chunks).toString('utf8') }),
    );
    stream.on('error', reject);
  });
}

function connect(
  c: SimCluster,
  cert?: { certPem: string; keyPem: string },
): http2.ClientHttp2Session {
  const session = http2.connect(c.url, {
    ca: CA.caCertPem,
    ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}),
  });
  session.on('error', () => undefined);
  return session;
}

describe('HTTP/2 beside HTTP/1.1', () => {
  let both: SimCluster;
  let h1Only: SimCluster;

  beforeAll(async () => {
    both = await startCluster(
      { name: 'both', clientCerts: { 'cert-reader': READER } },
      CA,
    );
    h1Only = await startCluster(
      { name: 'h1', http2: false, clientCerts: { 'cert-reader': READER } },
      CA,
    );
  });
  afterAll(async () => {
    await both.stop();
    await h1Only.stop();
  });

  it('offers h2 by ALPN, or only http/1.1 when told to', async () => {
    expect(await negotiated(both)).toBe('h2');
    expect(await negotiated(h1Only)).toBe('http/1.1');
    // Clients that speak HTTP/1.1 only (client-node, these tests' request helper) are served on both.
    for (const c of [both, h1Only]) {
      expect((await request(c, 'GET', '/api/v1/namespaces')).status).toBe(200);
    }
  });

  it('carries lists and several watches on one session and one connection, and counts them', async () => {
    both.resetCounters();
    const session = connect(both);
    try {
      const list = await get(session, '/api/v1/namespaces', both.adminToken);
      expect(list.status).toBe(200);
      expect(JSON.parse(list.body).kind).toBe('NamespaceList');

      const lines: string[][] = [[], [], []];
      const watches = lines.map((got, i) => {
        const stream = session.request({
          ':path': `/api/v1/namespaces/w${i}/configmaps?watch=true`,
          authorization: `Bearer ${both.adminToken}`,
        });
        stream.setEncoding('utf8');
        stream.on('data', (d: string) =>
          got.push(...d.split('\n').filter(Boolean)),
        );
        stream.on('error', () => undefined);
        return stream;
      });
      await waitFor(() => both.counters().openWatches === 3);
      const c = both.counters();
      expect(c).toMatchObject({
        openH2Sessions: 1,
        openH2Streams: 3,
        openConnections: 1,
        connectionsAccepted: 1,
      });
      for (let i = 0; i < 3; i++) {
        both.upsert({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'cm', namespace: `w${i}` },
        });
      }
      await waitFor(() => lines.every(l => l.length === 1));
      expect(JSON.parse(lines[2][0])).toMatchObject({
        type: 'ADDED',
        object: { metadata: { namespace: 'w2' } },
      });
      for (const w of watches) w.close();
      await waitFor(() => both.counters().openH2Streams === 0);
      expect(both.counters().openWatches).toBe(0);
    } finally {
      session.destroy();
    }
  });

  it('answers 401 on h2 without a credential, like on HTTP/1.1', async () => {
    const session = connect(both);
    try {
      expect((await get(session, '/api/v1/namespaces')).status).toBe(401);
      expect((await get(session, '/api/v1/namespaces', 'wrong')).status).toBe(
        401,
      );
    } finally {
      session.destroy();
    }
  });

  it.each([
    ['h2', () => both],
    ['HTTP/1.1', () => h1Only],
  ])(
    'authenticates a client certificate signed by its CA over %s, by its common name',
    async (_p, cluster) => {
      const c = cluster();
      const viaH1 = (cert: { certPem: string; keyPem: string }) =>
        new Promise<number>((resolve, reject) => {
          https
            .get(
              `${c.url}/api/v1/namespaces`,
              {
                ca: CA.caCertPem,
                cert: cert.certPem,
                key: cert.keyPem,
                agent: false,
              },
              res => {
                res.resume();
                resolve(res.statusCode ?? 0);
              },
            )
            .on('error', reject);
        });
      const status = async (cert: { certPem: string; keyPem: string }) => {
        if (c === h1Only) return viaH1(cert);
        const session = connect(c, cert);
        try {
          return (await get(session, '/api/v1/namespaces')).status;
        } finally {
          session.destroy();
        }
      };
      expect(await status(CERT)).toBe(200);
      // The same name from another CA is not trusted.
      expect(await status(STRANGER)).toBe(401);
    },
  );

  it('serves faults on h2: 500s and watches dropped after a delay', async () => {
    const session = connect(both);
    try {
      both.setFaults({ serverErrors: 1 });
      expect(
        (await get(session, '/api/v1/namespaces', both.adminToken)).status,
      ).toBe(500);
      both.setFaults({ dropWatchesAfterMs: 50 });
      const watch = await get(
        session,
        '/api/v1/configmaps?watch=true',
        both.adminToken,
      );
      expect(watch.status).toBe(200);
    } finally {
      both.setFaults({});
      session.destroy();
    }
  });

  it('sends a GOAWAY and closes every connection when told to drop them', async () => {
    const session = connect(both);
    const goaway = new Promise<void>(resolve =>
      session.once('goaway', () => resolve()),
    );
    const closed = new Promise<void>(resolve =>
      session.once('close', () => resolve()),
    );
    const stream = session.request({
      ':path': '/api/v1/configmaps?watch=true',
      authorization: `Bearer ${both.adminToken}`,
    });
    stream.on('error', () => undefined);
    await waitFor(() => both.counters().openWatches === 1);
    both.dropConnections();
    await goaway;
    await closed;
    await waitFor(() => both.counters().openWatches === 0);
    await waitFor(() => both.counters().openH2Sessions === 0);
    expect(both.counters().openConnections).toBe(0);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise(r => setTimeout(r, 10));
  }
}
