import { validateObject } from '@golden-gitops/crd-schemas';
import { bootstrapInputSchema } from '../../actions/secrets/inputs';
import {
  externalSecretManifest,
  kubectlCreateSecret,
  manualPrerequisites,
  secretStoreManifest,
} from './eso';
import {
  crdsKustomization,
  crsKustomization,
  esoCrdsGitRepository,
  esoHelmRelease,
  esoHelmRepository,
  esoOciRepository,
  operatorKustomization,
} from './flux';

const providers: Array<[string, Record<string, unknown>]> = [
  [
    'aws secretRef + session token + role',
    {
      type: 'aws',
      service: 'ParameterStore',
      region: 'us-gov-west-1',
      role: 'arn:aws:iam::123456789012:role/eso',
      auth: {
        type: 'secretRef',
        secretName: 'aws',
        sessionTokenKey: 'session',
      },
    },
  ],
  [
    'aws jwt (IRSA)',
    {
      type: 'aws',
      region: 'eu-west-1',
      auth: { type: 'jwt', serviceAccountName: 'eso' },
    },
  ],
  ['aws none', { type: 'aws', region: 'eu-west-1', auth: { type: 'none' } }],
  [
    'vault token',
    {
      type: 'vault',
      server: 'https://vault.example.com',
      vaultNamespace: 'team',
      auth: { type: 'token', secretName: 'vault-token' },
    },
  ],
  [
    'vault kubernetes',
    {
      type: 'vault',
      server: 'https://vault.example.com:8200',
      version: 'v1',
      auth: { type: 'kubernetes', role: 'eso', serviceAccountName: 'eso' },
    },
  ],
  [
    'vault appRole',
    {
      type: 'vault',
      server: 'https://vault.example.com',
      auth: { type: 'appRole', roleId: 'abc-123', secretName: 'approle' },
    },
  ],
  [
    'gcp secretRef',
    {
      type: 'gcp',
      projectID: 'acme-prod',
      location: 'europe-west1',
      auth: { type: 'secretRef', secretName: 'gcp-sa' },
    },
  ],
  [
    'gcp workload identity',
    {
      type: 'gcp',
      projectID: 'acme-prod',
      auth: {
        type: 'workloadIdentity',
        serviceAccountName: 'eso',
        clusterLocation: 'europe-west1',
        clusterName: 'prod',
      },
    },
  ],
  ['gcp none', { type: 'gcp', projectID: 'acme-prod', auth: { type: 'none' } }],
  [
    'azure service principal',
    {
      type: 'azure',
      vaultUrl: 'https://kv.vault.azure.net',
      tenantId: '11111111-2222-3333-4444-555555555555',
      auth: { type: 'servicePrincipal', secretName: 'sp' },
    },
  ],
  [
    'azure workload identity',
    {
      type: 'azure',
      vaultUrl: 'https://kv.vault.azure.net',
      environmentType: 'PublicCloud',
      auth: { type: 'workloadIdentity', serviceAccountName: 'eso' },
    },
  ],
  [
    'azure managed identity',
    {
      type: 'azure',
      vaultUrl: 'https://kv.vault.azure.net',
      auth: { type: 'managedIdentity', identityId: 'id-1' },
    },
  ],
];

const stores = [
  { kind: 'ClusterSecretStore', name: 'store' },
  { kind: 'SecretStore', name: 'store', namespace: 'team-a' },
];

describe.each(stores)('$kind', store => {
  it.each(providers)('%s validates against the ESO CRD', (_name, provider) => {
    const input = bootstrapInputSchema.parse({
      repoUrl: 'github.com?owner=a&repo=b',
      clusterPath: 'clusters/x',
      store: { ...store, provider },
    });
    const manifest = secretStoreManifest(input.store, input.operatorNamespace);
    expect(validateObject(manifest)).toEqual({ valid: true, errors: [] });
    // A SecretStore never names a namespace in its references (it reads its own).
    const { namespace: _vaultNamespace, ...vault } =
      manifest.spec.provider.vault ?? {};
    const refs =
      JSON.stringify({ ...manifest.spec.provider, vault }).match(
        /"namespace":"[^"]+"/g,
      ) ?? [];
    expect(store.kind === 'SecretStore' ? refs : []).toEqual([]);
    // Manual steps name env vars or files only.
    const { secrets } = manualPrerequisites(
      input.store,
      input.operatorNamespace,
    );
    for (const s of secrets) {
      expect(s.namespace).toBe(
        store.kind === 'SecretStore' ? 'team-a' : 'external-secrets',
      );
      for (const line of kubectlCreateSecret(s)
        .split('\n')
        .filter(l => l.includes('--from-'))) {
        expect(line).toMatch(
          /--from-(literal=[-._a-zA-Z0-9]+="\$[A-Z_]+"|file=[-._a-zA-Z0-9]+=\.\/[a-z-]+\.json)/,
        );
      }
    }
  });
});

describe('Flux objects', () => {
  it('every variant validates against the Flux CRDs', () => {
    for (const obj of [
      esoCrdsGitRepository('2.9.0'),
      esoHelmRepository(),
      esoOciRepository('2.9.0'),
      crdsKustomization('2.9.0'),
      operatorKustomization({
        path: 'clusters/x/external-secrets/operator',
        fluxSourceName: 'flux-system',
        crdsFromGit: true,
      }),
      operatorKustomization({
        path: 'clusters/x/external-secrets/operator',
        fluxSourceName: 'fleet',
        crdsFromGit: false,
      }),
      crsKustomization({
        path: 'clusters/x/external-secrets/crs',
        fluxSourceName: 'flux-system',
      }),
      esoHelmRelease({
        esoVersion: '2.9.0',
        chartSource: 'helm',
        operatorNamespace: 'eso',
        crdsFromGit: true,
      }),
      esoHelmRelease({
        esoVersion: '2.9.0',
        chartSource: 'oci',
        operatorNamespace: 'eso',
        crdsFromGit: false,
      }),
    ]) {
      expect({ kind: obj.kind, ...validateObject(obj) }).toEqual({
        kind: obj.kind,
        valid: true,
        errors: [],
      });
    }
  });

  it('CRDs from the chart: installCRDs true and kept on uninstall; from git: installCRDs false', () => {
    const chart = esoHelmRelease({
      esoVersion: '2.9.0',
      chartSource: 'oci',
      operatorNamespace: 'eso',
      crdsFromGit: false,
    });
    expect(chart.spec.values).toEqual({
      installCRDs: true,
      crds: { annotations: { 'helm.sh/resource-policy': 'keep' } },
    });
    expect(chart.spec.chartRef).toEqual({
      kind: 'OCIRepository',
      name: 'external-secrets',
    });
    const git = esoHelmRelease({
      esoVersion: '2.9.0',
      chartSource: 'helm',
      operatorNamespace: 'eso',
      crdsFromGit: true,
    });
    expect(git.spec.values).toEqual({ installCRDs: false });
    expect(
      operatorKustomization({
        path: 'p',
        fluxSourceName: 'f',
        crdsFromGit: false,
      }).spec.dependsOn,
    ).toBeUndefined();
  });
});

describe('ExternalSecret', () => {
  it('omits empty optional fields and validates', () => {
    const input = bootstrapInputSchema.parse({
      repoUrl: 'github.com?owner=a&repo=b',
      clusterPath: 'clusters/x',
      store: {
        name: 's',
        provider: { type: 'aws', region: 'eu-west-1', auth: { type: 'none' } },
      },
      externalSecrets: [
        {
          name: 'only-from',
          namespace: 'ns',
          dataFrom: [{ extract: { key: 'k' } }],
        },
      ],
    });
    const es = externalSecretManifest(input.externalSecrets[0], {
      kind: 'ClusterSecretStore',
      name: 's',
    });
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 's' },
      target: { name: 'only-from', creationPolicy: 'Owner' },
      dataFrom: [{ extract: { key: 'k' } }],
    });
    expect(validateObject(es)).toEqual({ valid: true, errors: [] });
  });
});
