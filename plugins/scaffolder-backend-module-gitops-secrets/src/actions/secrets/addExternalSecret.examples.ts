import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (name: string, input: Record<string, unknown>) =>
  yaml.stringify({
    steps: [
      {
        id: 'external-secret',
        action: 'gitops:secrets:add-external-secret',
        name,
        input,
      },
    ],
  });

export const examples: TemplateExample[] = [
  {
    description:
      'Two keys of a JSON secret into one Kubernetes Secret, from a ClusterSecretStore',
    example: step('Add an ExternalSecret', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      clusterPath: 'clusters/management',
      name: 'db-credentials',
      namespace: 'payments',
      storeRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
      data: [
        {
          secretKey: 'username',
          remoteRef: { key: 'payments/db', property: 'username' },
        },
        {
          secretKey: 'password',
          remoteRef: { key: 'payments/db', property: 'password' },
        },
      ],
    }),
  },
  {
    description:
      'Every property of a secret (dataFrom extract) into a differently named Secret, merged, refreshed every 15 minutes, labelled for its Component',
    example: step('Add an ExternalSecret (dataFrom)', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      clusterPath: 'clusters/management',
      name: 'stripe',
      namespace: 'payments',
      storeRef: { name: 'aws-secrets-manager' },
      targetSecretName: 'stripe-api',
      creationPolicy: 'Merge',
      refreshInterval: '15m',
      dataFrom: [{ extract: { key: 'payments/stripe' } }],
      kubernetesId: 'payments-api',
      createNamespace: true,
      labels: ['secrets'],
    }),
  },
];
