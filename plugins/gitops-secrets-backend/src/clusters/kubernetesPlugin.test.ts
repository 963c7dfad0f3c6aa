import {
  createBackendModule,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AzureIdentityStrategy } from '@backstage/plugin-kubernetes-backend';
import {
  signOidcToken,
  type OidcAuthOptions,
  type SimFleet,
  type TokenGrant,
} from '@golden-gitops/kube-api-sim';
import request from 'supertest';
import { gitopsSecretsPlugin } from '../plugin';
import { gitopsSecretsAuthStrategyExtensionPoint } from './extensionPoints';
import { startSimFleet } from '../__testUtils__/sim';

// Five simulated clusters and a backend: seconds on two loaded cores.
jest.setTimeout(120_000);

const READER: TokenGrant = {
  user: 'gitops-secrets',
  rules: [
    { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
  ],
};
/** The AWS documentation's example key pair: test credentials the EKS stand-in verifies signatures with. */
const AWS_KEY = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
/** A synthetic Entra ID tenant: the sim accepts its tokens as an OIDC issuer (what AKS with Entra does). */
const AZURE: OidcAuthOptions = {
  issuer: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/',
  audience: '6dae42f8-4368-4678-94ff-3960e28e3630',
  signingKey: 'azure-test-key',
  grant: READER,
};

const PLANTED_KEY =
  '-----BEGIN PRIVATE KEY-----\\nMIIplantedsecretkeymaterial\\n-----END PRIVATE KEY-----';

const silent: LoggerService = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silent,
};

describe("a backend configured only with Backstage's kubernetes section", () => {
  let sims: SimFleet;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    const crdSets = ['external-secrets' as const, 'flux' as const];
    sims = await startSimFleet(
      [],
      [
        { name: 'sa', crdSets, tokens: { 'sa-token': READER } },
        {
          name: 'eks',
          crdSets,
          eks: {
            clusterId: 'prod-eks',
            accessKeys: { [AWS_KEY.accessKeyId]: AWS_KEY.secretAccessKey },
            grant: READER,
          },
        },
        {
          name: 'eks-from-catalog',
          crdSets,
          eks: {
            clusterId: 'eks-from-catalog',
            accessKeys: { [AWS_KEY.accessKeyId]: AWS_KEY.secretAccessKey },
            grant: READER,
          },
        },
        { name: 'aks', crdSets, oidc: AZURE },
      ],
    );
    const sim = (name: string) => sims.cluster(name)!;
    const host = new URL(sim('sa').url).hostname;
    const entities: Entity[] = [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: 'eks-from-catalog',
          namespace: 'default',
          annotations: {
            'kubernetes.io/api-server': sim('eks-from-catalog').url,
            'kubernetes.io/api-server-certificate-authority':
              sim('eks-from-catalog').caData,
            'kubernetes.io/auth-provider': 'aws',
          },
        },
        spec: { type: 'kubernetes-cluster', owner: 'group:default/platform' },
      },
      {
        // Not a cluster for Backstage's locator: a serviceAccount token would sit in the catalog.
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: 'token-in-catalog',
          namespace: 'default',
          annotations: {
            'kubernetes.io/api-server': sim('sa').url,
            'kubernetes.io/api-server-certificate-authority': sim('sa').caData,
            'kubernetes.io/auth-provider': 'serviceAccount',
          },
        },
        spec: { type: 'kubernetes-cluster', owner: 'group:default/platform' },
      },
    ];
    // AKS with Entra ID: Backstage's AzureIdentityStrategy, given a token credential in place of Azure's.
    const azureModule = createBackendModule({
      pluginId: 'gitops-secrets',
      moduleId: 'test-azure',
      register(env) {
        env.registerInit({
          deps: { strategies: gitopsSecretsAuthStrategyExtensionPoint },
          async init({ strategies }) {
            strategies.addAuthStrategy(
              'azure',
              new AzureIdentityStrategy(silent, {
                async getToken() {
                  const exp = Math.floor(Date.now() / 1000) + 3600;
                  return {
                    token: signOidcToken(AZURE, { sub: 'backstage', exp }),
                    expiresOnTimestamp: exp * 1000,
                  };
                },
              }),
            );
          },
        });
      },
    });
    backend = await startTestBackend({
      features: [
        gitopsSecretsPlugin,
        azureModule,
        mockServices.rootConfig.factory({
          data: {
            aws: { mainAccount: AWS_KEY },
            kubernetes: {
              // Synthetic and broken on purpose: Backstage's GoogleServiceAccountStrategy must run (and fail
              // before any network call), and nothing of this may show in the answer.
              googleServiceAccountCredentials: `not json {"private_key": "${PLANTED_KEY}"}`,
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'sa',
                      url: sim('sa').url,
                      caData: sim('sa').caData,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'sa-token',
                    },
                    {
                      name: 'eks',
                      url: sim('eks').url,
                      caData: sim('eks').caData,
                      authProvider: 'aws',
                      authMetadata: {
                        'kubernetes.io/x-k8s-aws-id': 'prod-eks',
                      },
                    },
                    {
                      name: 'aks',
                      url: sim('aks').url,
                      caData: sim('aks').caData,
                      authProvider: 'azure',
                    },
                    {
                      name: 'oidc-per-user',
                      url: sim('aks').url,
                      authProvider: 'oidc',
                      oidcTokenProvider: 'okta',
                    },
                    {
                      name: 'gke-per-user',
                      url: sim('sa').url,
                      authProvider: 'google',
                    },
                    {
                      name: 'gke-service-account',
                      url: sim('sa').url,
                      caData: sim('sa').caData,
                      authProvider: 'googleServiceAccount',
                    },
                    {
                      name: 'unknown-provider',
                      url: sim('sa').url,
                      authProvider: 'vault',
                    },
                  ],
                },
                { type: 'catalog', dangerouslyAllowClusterUrls: [host] },
              ],
            },
          },
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.user(),
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await sims?.stop();
  });

  it('lists every cluster of the config and catalog locators, and no serviceAccount cluster from the catalog', async () => {
    const res = await request(backend.server).get(
      '/api/gitops-secrets/clusters',
    );
    expect(res.status).toBe(200);
    expect(res.body.clusters.map((c: { name: string }) => c.name)).toEqual([
      'sa',
      'eks',
      'aks',
      'oidc-per-user',
      'gke-per-user',
      'gke-service-account',
      'unknown-provider',
      'eks-from-catalog',
    ]);
  });

  it.each(['sa', 'eks', 'aks', 'eks-from-catalog'])(
    'reads %s with the credentials of its authProvider',
    async name => {
      const res = await request(backend.server).get(
        `/api/gitops-secrets/clusters/${name}/status`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ cluster: name, reachable: true });
      expect(res.body.error).toBeUndefined();
      // Listed what the cluster serves: the credential was accepted (the simulator answers 401 otherwise).
      expect(res.body.servedVersions).toMatchObject({
        'externalsecrets.external-secrets.io': 'v1',
      });
    },
  );

  it.each([
    [
      'oidc-per-user',
      /authProvider 'oidc' authenticates with each user's OIDC token.*shared by all users/,
    ],
    [
      'gke-per-user',
      /authProvider 'google' authenticates with each user's Google token/,
    ],
    ['unknown-provider', /authProvider 'vault' has no AuthenticationStrategy/],
  ])('reports %s as not configured, saying why', async (name, message) => {
    const res = await request(backend.server).get(
      `/api/gitops-secrets/clusters/${name}/status`,
    );
    expect(res.status).toBe(200);
    expect(res.body.error).toMatchObject({ type: 'NOT_CONFIGURED' });
    expect(res.body.error.message).toMatch(message);
  });

  it("runs Backstage's GoogleServiceAccountStrategy and says why it gave no credential, quoting none of it", async () => {
    const res = await request(backend.server).get(
      '/api/gitops-secrets/clusters/gke-service-account/status',
    );
    expect(res.body.error).toMatchObject({ type: 'NOT_CONFIGURED' });
    expect(res.body.error.message).toMatch(
      /authentication strategy gave no credential: Error: Failed to parse Google Service Account credentials from config/,
    );
    expect(res.text).not.toMatch(/planted|PRIVATE KEY|not json/);
  });
});
