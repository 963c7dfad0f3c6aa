import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

const step = (name: string, input: Record<string, unknown>) =>
  yaml.stringify({
    steps: [
      { id: 'create-leaf', action: 'gitops:cluster:create-leaf', name, input },
    ],
  });

export const examples: TemplateExample[] = [
  {
    description:
      'A leaf cluster from the leaf-cluster template, with the shared secrets bootstrap on its Flux path',
    example: step('Create the leaf cluster', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      managementClusterPath: 'clusters/management',
      templateName: 'leaf-cluster',
      parameters: {
        CLUSTER_NAME: 'dev-1',
        NAMESPACE: 'default',
        KUBERNETES_VERSION: 'v1.35.0',
        CONTROL_PLANE_MACHINE_COUNT: '3',
        WORKER_MACHINE_COUNT: 2,
      },
    }),
  },
  {
    description:
      "A cluster from a WGE user's existing template file (the seed's v1alpha1 CAPITemplate), without the secrets bootstrap",
    example: step('Create from an existing WGE template', {
      repoUrl: 'github.com?owner=acme&repo=gitops',
      managementClusterPath: 'clusters/management',
      templateName: 'cluster-template-development',
      templatePath: 'clusters/management/capi/templates/capd-template.yaml',
      parameters: {
        CLUSTER_NAME: 'legacy-1',
        NAMESPACE: 'default',
        KUBERNETES_VERSION: '1.23.3',
        CONTROL_PLANE_MACHINE_COUNT: '1',
        WORKER_MACHINE_COUNT: '1',
      },
      secretsBootstrap: false,
      branchName: 'clusters/legacy-1',
    }),
  },
];
