import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { GitopsSecretsClient, gitopsSecretsApiRef } from './api';
import { isGitopsSecretsAvailable } from './conditions';

/** The API client, with the discovery and fetch APIs. @alpha */
export const gitopsSecretsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gitopsSecretsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitopsSecretsClient({ discoveryApi, fetchApi }),
    }),
});

/** The card on the overview of entities with clusters (kubernetes-cluster Resources, Components that depend on them). @alpha */
export const gitopsSecretsEntityCard = EntityCardBlueprint.make({
  name: 'status',
  params: {
    filter: isGitopsSecretsAvailable,
    loader: () =>
      import('./components/EntityGitopsSecretsCard').then(m => (
        <m.EntityGitopsSecretsCard />
      )),
  },
});

/** The "GitOps secrets" tab: all clusters and full tables. @alpha */
export const gitopsSecretsEntityContent = EntityContentBlueprint.make({
  name: 'status',
  params: {
    path: 'gitops-secrets',
    title: 'GitOps secrets',
    filter: isGitopsSecretsAvailable,
    loader: () =>
      import('./components/EntityGitopsSecretsContent').then(m => (
        <m.EntityGitopsSecretsContent />
      )),
  },
});

/** The GitOps secrets frontend plugin (new frontend system). @alpha */
export default createFrontendPlugin({
  pluginId: 'gitops-secrets',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    gitopsSecretsApi,
    gitopsSecretsEntityCard,
    gitopsSecretsEntityContent,
  ],
});

export { isGitopsSecretsAvailable } from './conditions';
