import tls from 'node:tls';
import { startCluster, type SimCluster } from '@golden-gitops/kube-api-sim';
import { startCountingProxy, type CountingProxy } from '../__testUtils__/proxy';
import { Http2Transport, h2Headers, type ArmRequest } from './http2Transport';

jest.setTimeout(30_000);

describe('h2Headers', () => {
  it.each([
    [
      'lower-cases names and keeps per-request headers',
      { Authorization: 'Bearer t', Accept: 'application/json' },
      undefined,
      { authorization: 'Bearer t', accept: 'application/json' },
    ],
    [
      'drops the connection headers HTTP/2 forbids',
      { Connection: 'keep-alive', 'Keep-Alive': '5', Host: 'x', accept: 'a' },
      undefined,
      { accept: 'a' },
    ],
    [
      "sends a kubeconfig's basic auth as http.request would",
      {},
      'user:pass',
      { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` },
    ],
    [
      'keeps an explicit authorization over basic auth',
      { authorization: 'Bearer t' },
      'user:pass',
      { authorization: 'Bearer t' },
    ],
  ])('%s', (_what, headers, basic, expected) => {
    expect(h2Headers(headers, basic)).toEqual(expected);
  });

  it.each([
    ['a line break', 'Bearer a\r\nX-Leak: b'],
    ['a NUL', 'Bearer a\u0000b'],
  ])(
    'refuses a value with %s as HTTP/1.1 does, instead of letting nghttp2 drop the header',
    (_what, value) => {
      expect(() => h2Headers({ Authorization: value }, undefined)).toThrow(
        expect.objectContaining({
          failure: 'config',
          message: expect.not.stringContaining('X-Leak'),
        }),
      );
    },
  );
});

describe('Http2Transport', () => {
  let edge: SimCluster;
  let proxy: CountingProxy;
  beforeAll(async () => {
    edge = await startCluster({ name: 'edge' });
  });
  afterAll(() => edge.stop());
  beforeEach(async () => {
    proxy = await startCountingProxy(edge.url);
  });
  afterEach(() => proxy.stop());

  const noTimer: ArmRequest = () => undefined;

  it('notices a peer that stopped answering by an unanswered PING, and ends the open streams', async () => {
    const transport = new Http2Transport(new URL(proxy.url), 2000, 100, 2000);
    const url = new URL(`${proxy.url}/api/v1/configmaps?watch=true`);
    const res = await transport.request(
      url,
      { authorization: `Bearer ${edge.adminToken}` },
      { ca: Buffer.from(edge.caData, 'base64') },
      tls.createSecureContext({ ca: Buffer.from(edge.caData, 'base64') }),
      noTimer,
    );
    expect(res?.statusCode).toBe(200);
    const failed = new Promise<unknown>(resolve => res!.on('error', resolve));
    res!.resume();
    // Quiet but alive: PINGs are answered and the watch stays open.
    await new Promise(r => setTimeout(r, 400));
    expect(res!.destroyed).toBe(false);
    proxy.freezeAll();
    // No FIN, no RST: only the unanswered PING tells the connection is gone.
    await expect(failed).resolves.toMatchObject({ code: 'ECONNRESET' });
    // The next request opens a new session.
    const next = await transport.request(
      new URL(`${proxy.url}/version`),
      {},
      { ca: Buffer.from(edge.caData, 'base64') },
      tls.createSecureContext({ ca: Buffer.from(edge.caData, 'base64') }),
      noTimer,
    );
    expect(next?.statusCode).toBe(200);
    next!.resume();
    expect(transport.sessionsCreated).toBe(2);
    transport.close();
  });
});
