import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (name: string, input: Record<string, unknown>) =>
  yaml.stringify({
    steps: [
      {
        id: 'add-template',
        action: 'gitops:cluster:add-template',
        name,
        input,
      },
    ],
  });

export const examples: TemplateExample[] = [
  {
    description:
      'A CAPITemplate with Cluster API v1beta2 and CAPD Dev* kinds, plus (once) the ClusterBootstrapConfig and the credentials ClusterResourceSet',
    example: step('Add the leaf-cluster template', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      managementClusterPath: 'clusters/management',
    }),
  },
  {
    description:
      'A GitOpsTemplate with Cluster API v1beta1 and Docker* kinds for an older management cluster, own Kubernetes versions, a team namespace and a draft PR',
    example: step('Add a v1beta1 template', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      managementClusterPath: 'clusters/management',
      templateName: 'leaf-cluster-v1beta1',
      templateKind: 'GitOpsTemplate',
      capiVersion: 'v1beta1',
      infrastructure: 'docker',
      kubernetesVersions: ['v1.34.0', 'v1.33.1'],
      defaultWorkerCount: 2,
      clusterNamespace: 'team-a',
      bootstrap: { tokenSecretName: 'team-a-flux-token' },
      credentials: {
        secretName: 'aws-credentials',
        secretNamespace: 'external-secrets',
      },
      labels: ['clusters'],
      draft: true,
    }),
  },
];
