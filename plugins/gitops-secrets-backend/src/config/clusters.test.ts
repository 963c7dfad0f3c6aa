import { ConfigReader } from '@backstage/config';
import { DEFAULTS, readSettings } from './clusters';

const read = (data: object) => readSettings(new ConfigReader(data as any));

describe('readSettings', () => {
  it('reads gitopsSecrets.clusters with tokens, kubeconfigs, CA and timeouts', () => {
    const s = read({
      gitopsSecrets: {
        timeout: '3s',
        clusters: [
          {
            name: 'prod',
            url: 'https://10.0.0.1:6443/',
            serviceAccountToken: 'tok',
            caData: 'Q0E=',
            timeout: { milliseconds: 1500 },
          },
          { name: 'dev', kubeconfig: { path: '/k/config', context: 'dev' } },
          {
            name: 'in-cluster',
            url: 'https://kubernetes.default.svc',
            skipTLSVerify: true,
          },
        ],
      },
    });
    expect(s.clusters).toEqual([
      {
        name: 'prod',
        title: undefined,
        source: 'gitopsSecrets.clusters',
        timeoutMs: 1500,
        auth: {
          type: 'serviceAccount',
          url: 'https://10.0.0.1:6443',
          token: 'tok',
          caData: 'Q0E=',
          caFile: undefined,
          skipTLSVerify: false,
        },
      },
      {
        name: 'dev',
        title: undefined,
        source: 'gitopsSecrets.clusters',
        timeoutMs: 3000,
        auth: {
          type: 'kubeconfig',
          path: '/k/config',
          context: 'dev',
          skipTLSVerify: false,
        },
      },
      expect.objectContaining({
        name: 'in-cluster',
        auth: expect.objectContaining({
          token: undefined,
          skipTLSVerify: true,
        }),
      }),
    ]);
  });

  it('uses defaults for everything optional', () => {
    expect(read({})).toEqual({
      clusters: [],
      useKubernetesPlugin: true,
      clusterRefreshMs: 60_000,
      timeoutMs: 5_000,
      idleTimeoutMs: DEFAULTS.idleTimeoutMs,
      pageSize: 100,
      maxConcurrentLists: 4,
      backoffInitialMs: 1000,
      backoffMaxMs: 30000,
      summaryTtlMs: 10000,
      defaultListLimit: 100,
    });
    expect(
      read({
        gitopsSecrets: {
          cache: {
            idleTimeout: { minutes: 2 },
            summaryTtl: '1s',
            backoff: { initial: '50ms', max: '2s' },
            pageSize: 250,
            maxConcurrentLists: 2,
          },
          clusterRefreshInterval: '5m',
          timeout: '2s',
        },
      }),
    ).toMatchObject({
      pageSize: 250,
      maxConcurrentLists: 2,
      idleTimeoutMs: 120000,
      summaryTtlMs: 1000,
      backoffInitialMs: 50,
      backoffMaxMs: 2000,
      clusterRefreshMs: 300_000,
      timeoutMs: 2000,
    });
  });

  it("leaves the clusters to Backstage's Kubernetes configuration when gitopsSecrets.clusters is absent", () => {
    // Read by clusters/ (config and catalog locators): see ClusterDirectory.test.ts.
    const s = read({
      kubernetes: { clusterLocatorMethods: [{ type: 'catalog' }] },
    });
    expect(s.clusters).toEqual([]);
    expect(s.useKubernetesPlugin).toBe(true);
    expect(s.clusterRefreshMs).toBe(60_000);
  });

  it('prefers gitopsSecrets.clusters over the Kubernetes plugin config, even when empty', () => {
    const s = read({
      gitopsSecrets: { clusters: [] },
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              { name: 'a', url: 'https://a', authProvider: 'serviceAccount' },
            ],
          },
        ],
      },
    });
    expect(s.clusters).toEqual([]);
    expect(s.useKubernetesPlugin).toBe(false);
  });

  it.each([
    [
      { clusters: [{ name: 'a' }] },
      "Cluster 'a' at 'gitopsSecrets.clusters[0]' needs 'url' (with 'serviceAccountToken') or 'kubeconfig'",
    ],
    [
      { clusters: [{ name: 'a', url: 'ftp://x' }] },
      "Invalid URL at 'gitopsSecrets.clusters[0].url': the protocol must be https (or http)",
    ],
    [
      { clusters: [{ name: 'a', url: 'not a url' }] },
      "Invalid URL at 'gitopsSecrets.clusters[0].url': expected https://host[:port]",
    ],
    [
      { clusters: [{ name: 'a', url: 'https://x', authProvider: 'aws' }] },
      "Cluster 'a' at 'gitopsSecrets.clusters[0]' has authProvider 'aws': allowed are 'serviceAccount' and 'kubeconfig'",
    ],
    [
      { clusters: [{ name: 'a', authProvider: 'kubeconfig' }] },
      "Cluster 'a' at 'gitopsSecrets.clusters[0]' has authProvider 'kubeconfig' but no 'kubeconfig: { path, context }'",
    ],
    [
      { clusters: [{ name: 'bad name', url: 'https://x' }] },
      "Invalid cluster name 'bad name' at 'gitopsSecrets.clusters[0].name': use letters, digits, '.', '_' and '-'",
    ],
    [
      {
        clusters: [
          { name: 'a', url: 'https://x' },
          { name: 'a', url: 'https://y' },
        ],
      },
      "Cluster name 'a' is configured twice in gitopsSecrets.clusters: names must be unique",
    ],
    [
      { defaultListLimit: 5000 },
      "Invalid 'gitopsSecrets.defaultListLimit': an integer from 0 to 1000",
    ],
    [{ timeout: 'soon' }, "Invalid duration 'soon' in config at 'timeout'"],
    [
      { cache: { maxConcurrentLists: 0 } },
      "Invalid 'gitopsSecrets.cache.maxConcurrentLists': a positive integer",
    ],
  ])(
    'rejects bad configuration, naming the key: %j',
    (gitopsSecrets, message) => {
      expect(() => read({ gitopsSecrets })).toThrow(message);
    },
  );

  it('never puts a token in an error message', () => {
    const attempt = () =>
      read({
        gitopsSecrets: {
          clusters: [
            { name: 'a', url: 'ftp://x', serviceAccountToken: 'SUPER-SECRET' },
          ],
        },
      });
    expect(attempt).toThrow("Invalid URL at 'gitopsSecrets.clusters[0].url'");
    expect(attempt).not.toThrow('SUPER-SECRET');
  });
});
