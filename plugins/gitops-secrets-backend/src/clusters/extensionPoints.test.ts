import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { ClusterDetails as KubernetesClusterDetails } from '@backstage/plugin-kubernetes-node';
import type { SimFleet, TokenGrant } from '@golden-gitops/kube-api-sim';
import request from 'supertest';
import { gitopsSecretsPlugin } from '../plugin';
import { clusterConfig, eventually, startSimFleet } from '../__testUtils__/sim';
import {
  gitopsSecretsAuthStrategyExtensionPoint,
  gitopsSecretsClusterSupplierExtensionPoint,
} from './extensionPoints';

jest.setTimeout(120_000);

const READER: TokenGrant = {
  user: 'gitops-secrets',
  rules: [
    { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
  ],
};

describe('extension points', () => {
  let sims: SimFleet;
  beforeAll(async () => {
    const crdSets = ['external-secrets' as const];
    sims = await startSimFleet(
      [],
      [
        { name: 'own', crdSets },
        { name: 'vault-a', crdSets, tokens: { 'from-vault': READER } },
        { name: 'vault-b', crdSets, tokens: { 'from-vault': READER } },
      ],
    );
  });
  afterAll(() => sims?.stop());

  it('reads the clusters of a supplier added by a module, with a strategy added by a module, beside gitopsSecrets.clusters', async () => {
    const sim = (n: string) => sims.cluster(n)!;
    const supplied = (name: string): KubernetesClusterDetails => ({
      name,
      url: sim(name).url,
      caData: sim(name).caData,
      authMetadata: {
        'kubernetes.io/auth-provider': 'vault',
        'example.com/vault-role': 'gitops-secrets-reader',
      },
    });
    // What the supplier knows changes while the backend runs: it is asked again every refresh.
    let current = [supplied('vault-a')];
    const seenRoles: string[] = [];
    const module = createBackendModule({
      pluginId: 'gitops-secrets',
      moduleId: 'vault-clusters',
      register(env) {
        env.registerInit({
          deps: {
            suppliers: gitopsSecretsClusterSupplierExtensionPoint,
            strategies: gitopsSecretsAuthStrategyExtensionPoint,
          },
          async init({ suppliers, strategies }) {
            suppliers.addClusterSupplier({ getClusters: async () => current });
            strategies.addAuthStrategy('vault', {
              async getCredential(cluster) {
                seenRoles.push(cluster.authMetadata['example.com/vault-role']);
                return { type: 'bearer token', token: 'from-vault' };
              },
              validateCluster: () => [],
              presentAuthMetadata: () => ({}),
            });
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        gitopsSecretsPlugin,
        module,
        mockServices.rootConfig.factory({
          data: {
            gitopsSecrets: {
              clusters: [clusterConfig(sim('own'))],
              clusterRefreshInterval: { milliseconds: 200 },
            },
          },
        }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.user(),
        }),
      ],
    });
    try {
      const names = async () =>
        (
          await request(backend.server).get('/api/gitops-secrets/clusters')
        ).body.clusters.map((c: { name: string }) => c.name);
      expect(await names()).toEqual(['own', 'vault-a']);
      const status = await request(backend.server).get(
        '/api/gitops-secrets/clusters/vault-a/status',
      );
      expect(status.body).toMatchObject({ reachable: true });
      expect(status.body.error).toBeUndefined();
      expect(seenRoles).toContain('gitops-secrets-reader');

      current = [supplied('vault-b')];
      await eventually(async () =>
        expect(await names()).toEqual(['own', 'vault-b']),
      );
      const b = await request(backend.server).get(
        '/api/gitops-secrets/clusters/vault-b/status',
      );
      expect(b.body).toMatchObject({ reachable: true });
      expect(
        (
          await request(backend.server).get(
            '/api/gitops-secrets/clusters/vault-a/status',
          )
        ).status,
      ).toBe(404);
    } finally {
      await backend.stop();
    }
  });

  it('asks a supplier that failed at startup again within seconds, not after the refresh interval', async () => {
    const sim = sims.cluster('vault-a')!;
    let calls = 0;
    const module = createBackendModule({
      pluginId: 'gitops-secrets',
      moduleId: 'late-supplier',
      register(env) {
        env.registerInit({
          deps: { suppliers: gitopsSecretsClusterSupplierExtensionPoint },
          async init({ suppliers }) {
            suppliers.addClusterSupplier({
              async getClusters() {
                // Like the catalog before the backend serves: the first two lookups fail.
                if (++calls <= 2) throw new Error('ECONNREFUSED');
                return [
                  {
                    name: 'late',
                    url: sim.url,
                    caData: sim.caData,
                    authMetadata: {
                      'kubernetes.io/auth-provider': 'serviceAccount',
                      serviceAccountToken: 'from-vault',
                    },
                  },
                ];
              },
            });
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        gitopsSecretsPlugin,
        module,
        mockServices.rootConfig.factory({
          data: {
            gitopsSecrets: { clusters: [], clusterRefreshInterval: '10m' },
          },
        }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.user(),
        }),
      ],
    });
    try {
      // Retried after 1 s, then 2 s: well within the 10-minute interval.
      await eventually(async () => {
        const res = await request(backend.server).get(
          '/api/gitops-secrets/clusters/late/status',
        );
        expect(res.body).toMatchObject({ cluster: 'late', reachable: true });
      }, 20_000);
      expect(calls).toBe(3);
    } finally {
      await backend.stop();
    }
  });
});
