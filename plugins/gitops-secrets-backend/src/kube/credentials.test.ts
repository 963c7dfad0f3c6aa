import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { KubernetesCredential } from '@backstage/plugin-kubernetes-node';
import { startCluster, type SimCluster } from '@golden-gitops/kube-api-sim';
import { AuthStrategies } from '../clusters/authStrategies';
import { ClusterDirectory } from '../clusters/ClusterDirectory';
import { eventually } from '../__testUtils__/sim';
import {
  CachedCredential,
  EKS_TOKEN_LIFETIME_MS,
  UNKNOWN_LIFETIME_MS,
  credentialExpiry,
} from './credentials';
import { KubeConfigClient, kubeConfigFor, type WatchEvent } from './KubeClient';

jest.setTimeout(60_000);

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);

/** An EKS-form token dated `at` (only its date matters here; synthetic). */
function eksToken(at: number): string {
  const d = new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+/, '');
  return `k8s-aws-v1.${Buffer.from(
    `https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Date=${d}&X-Amz-Signature=00`,
  ).toString('base64url')}`;
}
function jwt(exp: number): string {
  const b = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b({ alg: 'none' })}.${b({ exp })}.sig`;
}

describe('credentialExpiry', () => {
  it.each<[string, KubernetesCredential, number | undefined]>([
    [
      'an EKS token: its X-Amz-Date + 15 min',
      { type: 'bearer token', token: eksToken(T0) },
      T0 + EKS_TOKEN_LIFETIME_MS,
    ],
    [
      'a JWT: its exp',
      { type: 'bearer token', token: jwt(T0 / 1000 + 3600) },
      T0 + 3600_000,
    ],
    [
      'an opaque token: unknown',
      { type: 'bearer token', token: 'ya29.opaque' },
      undefined,
    ],
    [
      'a JWT without exp: unknown',
      { type: 'bearer token', token: `${jwt(0).split('.')[0]}.e30.x` },
      undefined,
    ],
    ['anonymous: unknown', { type: 'anonymous' }, undefined],
  ])('%s', (_what, credential, expected) => {
    expect(credentialExpiry(credential)).toBe(expected);
  });
});

describe('CachedCredential', () => {
  let now: number;
  let issued: KubernetesCredential[];
  let fail: boolean;
  const source = () =>
    new CachedCredential(
      async () => {
        if (fail) throw new Error('STS unavailable');
        const c: KubernetesCredential = {
          type: 'bearer token',
          token: eksToken(now),
        };
        issued.push(c);
        return c;
      },
      () => now,
    );

  beforeEach(() => {
    now = T0;
    issued = [];
    fail = false;
  });

  it('reuses an EKS token until 3 minutes before it expires, then renews it', async () => {
    const c = source();
    const first = await c.get();
    now = T0 + 11 * MIN;
    expect(await c.get()).toBe(first);
    now = T0 + 12 * MIN; // 3 of 15 minutes left
    const second = await c.get();
    expect(second).not.toBe(first);
    expect(c.fetches).toBe(2);
    now = T0 + 20 * MIN; // the first would be dead now; the second has 7 minutes left
    expect(await c.get()).toBe(second);
  });

  it('fetches once for concurrent requests', async () => {
    const c = source();
    await Promise.all([c.get(), c.get(), c.get()]);
    expect(c.fetches).toBe(1);
  });

  it('keeps a still-valid credential when renewing fails, and fails once it has expired', async () => {
    const c = source();
    const first = await c.get();
    fail = true;
    now = T0 + 13 * MIN;
    expect(await c.get()).toBe(first);
    now = T0 + 15 * MIN;
    await expect(c.get()).rejects.toThrow('STS unavailable');
  });

  it('fetches again after the server refused the credential', async () => {
    const c = source();
    await c.get();
    c.invalidate();
    await c.get();
    expect(c.fetches).toBe(2);
  });

  it('asks again after a minute when the credential does not say when it expires', async () => {
    const c = new CachedCredential(
      async () => ({ type: 'bearer token', token: 'opaque' }),
      () => now,
    );
    await c.get();
    now = T0 + UNKNOWN_LIFETIME_MS - 1;
    await c.get();
    expect(c.fetches).toBe(1);
    now = T0 + UNKNOWN_LIFETIME_MS;
    await c.get();
    expect(c.fetches).toBe(2);
  });
});

describe("an EKS cluster through Backstage's AwsIamStrategy, on a fake clock", () => {
  const AWS_KEY = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  };
  let sim: SimCluster;

  beforeAll(async () => {
    // Only Date is faked: the signer's X-Amz-Date, the cache's clock and the simulator's clock move together;
    // timers and sockets stay real.
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    jest.setSystemTime(T0);
    sim = await startCluster({
      name: 'eks',
      eks: {
        clusterId: 'prod-eks',
        accessKeys: { [AWS_KEY.accessKeyId]: AWS_KEY.secretAccessKey },
        grant: {
          user: 'backstage',
          rules: [
            {
              apiGroups: ['*'],
              resources: ['*'],
              verbs: ['get', 'list', 'watch'],
            },
          ],
        },
      },
    });
  });

  afterAll(async () => {
    await sim?.stop();
    jest.useRealTimers();
  });

  it('renews the 15-minute token before it expires, and keeps the open watch', async () => {
    const directory = new ClusterDirectory({
      suppliers: [],
      strategies: new AuthStrategies({
        config: new ConfigReader({ aws: { mainAccount: AWS_KEY } }),
        logger: mockServices.logger.mock(),
      }),
      logger: mockServices.logger.mock(),
      auth: mockServices.auth(),
      timeoutMs: 10_000,
    });
    const details = directory.toDetails(
      {
        name: 'eks',
        url: sim.url,
        caData: sim.caData,
        authMetadata: {
          'kubernetes.io/auth-provider': 'aws',
          'kubernetes.io/x-k8s-aws-id': 'prod-eks',
        },
      },
      'test',
    );
    if (details.auth.type !== 'strategy') throw new Error(details.auth.type);
    const credentials = details.auth.credentials as CachedCredential;
    const client = KubeConfigClient.fromCluster(details);
    const first = await credentials.get();
    expect(first.type === 'bearer token' && first.token).toMatch(
      /^k8s-aws-v1\./,
    );

    await client.getJson('/api/v1/namespaces');
    const events: WatchEvent[] = [];
    const abort = new AbortController();
    const { ended } = await client.watch(
      '/api/v1/namespaces',
      {},
      e => events.push(e),
      abort.signal,
      60_000,
    );

    jest.setSystemTime(T0 + 10 * MIN);
    await client.getJson('/api/v1/namespaces');
    expect(credentials.fetches).toBe(1);

    jest.setSystemTime(T0 + 13 * MIN);
    await client.getJson('/api/v1/namespaces');
    expect(credentials.fetches).toBe(2);

    jest.setSystemTime(T0 + 16 * MIN);
    // The first token is dead by now: a client still sending it is refused…
    const stale = new KubeConfigClient(kubeConfigFor(details), 10_000, {
      get: async () => first,
      invalidate: () => {},
    });
    await expect(stale.getJson('/api/v1/namespaces')).rejects.toMatchObject({
      failure: 'http',
      status: 401,
    });
    // …while ours uses the renewed one, and the watch opened with the first token still delivers.
    await client.getJson('/api/v1/namespaces');
    expect(credentials.fetches).toBe(2);
    sim.upsert({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'after-renewal' },
    });
    await eventually(() =>
      events.some(
        e =>
          (e.object as { metadata?: { name?: string } })?.metadata?.name ===
          'after-renewal',
      ),
    );
    expect(sim.counters().openWatches).toBe(1);
    abort.abort();
    await ended.catch(() => undefined);
    client.close();
    stale.close();
  });
});
