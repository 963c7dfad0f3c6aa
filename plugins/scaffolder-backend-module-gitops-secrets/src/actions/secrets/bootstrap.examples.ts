import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (name: string, input: Record<string, unknown>) =>
  yaml.stringify({
    steps: [
      { id: 'bootstrap', action: 'gitops:secrets:bootstrap', name, input },
    ],
  });

export const examples: TemplateExample[] = [
  {
    description:
      'ESO with CRDs from git and a ClusterSecretStore for AWS Secrets Manager, credentials from a Secret',
    example: step('Bootstrap ESO', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      clusterPath: 'clusters/management',
      store: {
        name: 'aws-secrets-manager',
        provider: {
          type: 'aws',
          service: 'SecretsManager',
          region: 'eu-west-1',
          auth: { type: 'secretRef', secretName: 'aws-credentials' },
        },
      },
    }),
  },
  {
    description:
      'OCI chart, a namespaced SecretStore on Parameter Store with IRSA, one ExternalSecret, labels, reviewers and a draft PR',
    example: step('Bootstrap ESO (OCI, IRSA)', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      clusterPath: 'clusters/leaf-dev',
      esoVersion: '2.9.0',
      chartSource: 'oci',
      store: {
        kind: 'SecretStore',
        name: 'parameters',
        namespace: 'payments',
        createNamespace: true,
        provider: {
          type: 'aws',
          service: 'ParameterStore',
          region: 'us-east-1',
          role: 'arn:aws:iam::123456789012:role/eso-reader',
          auth: { type: 'jwt', serviceAccountName: 'eso-reader' },
        },
      },
      externalSecrets: [
        {
          name: 'db-credentials',
          namespace: 'payments',
          data: [
            {
              secretKey: 'password',
              remoteRef: { key: '/payments/db', property: 'password' },
            },
          ],
        },
      ],
      labels: ['gitops', 'secrets'],
      reviewers: ['octocat'],
      draft: true,
    }),
  },
  {
    description:
      'CRDs from the chart and a Vault ClusterSecretStore using Kubernetes auth',
    example: step('Bootstrap ESO (Vault)', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      clusterPath: 'clusters/vault-cluster',
      crdsFrom: 'chart',
      operatorNamespace: 'eso',
      store: {
        name: 'vault',
        provider: {
          type: 'vault',
          server: 'https://vault.example.com:8200',
          path: 'secret',
          auth: { type: 'kubernetes', role: 'external-secrets' },
        },
      },
    }),
  },
  {
    description:
      'Google Secret Manager with Workload Identity, on a non-default target branch',
    example: step('Bootstrap ESO (GCP)', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      targetBranch: 'staging',
      clusterPath: 'clusters/gke',
      store: {
        name: 'gcp',
        provider: {
          type: 'gcp',
          projectID: 'acme-secrets',
          auth: {
            type: 'workloadIdentity',
            serviceAccountName: 'external-secrets',
          },
        },
      },
    }),
  },
  {
    description: 'Azure Key Vault with a service principal',
    example: step('Bootstrap ESO (Azure)', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      clusterPath: 'clusters/aks',
      store: {
        name: 'azure-kv',
        provider: {
          type: 'azure',
          vaultUrl: 'https://acme.vault.azure.net',
          tenantId: '11111111-2222-3333-4444-555555555555',
          auth: { type: 'servicePrincipal', secretName: 'azure-sp' },
        },
      },
    }),
  },
];
