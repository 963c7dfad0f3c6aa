import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { GitopsSecretsClient, gitopsSecretsApiRef } from './api';
import { rootRouteRef } from './routes';

/** The GitOps secrets frontend plugin (legacy frontend system). @public */
export const gitopsSecretsPlugin = createPlugin({
  id: 'gitops-secrets',
  apis: [
    createApiFactory({
      api: gitopsSecretsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitopsSecretsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { entityContent: rootRouteRef },
});

/**
 * The entity card (legacy frontend system). Put it inside an `EntitySwitch`
 * with {@link isGitopsSecretsAvailable} on cluster Resource and Component pages.
 *
 * @public
 */
export const EntityGitopsSecretsCard = gitopsSecretsPlugin.provide(
  createComponentExtension({
    name: 'EntityGitopsSecretsCard',
    component: {
      lazy: () =>
        import('./components/EntityGitopsSecretsCard').then(
          m => m.EntityGitopsSecretsCard,
        ),
    },
  }),
);

/**
 * The entity tab with every cluster and full tables (legacy frontend system),
 * for `<EntityLayout.Route path="/gitops-secrets" …>`.
 *
 * @public
 */
export const EntityGitopsSecretsContent = gitopsSecretsPlugin.provide(
  createRoutableExtension({
    name: 'EntityGitopsSecretsContent',
    component: () =>
      import('./components/EntityGitopsSecretsContent').then(
        m => m.EntityGitopsSecretsContent,
      ),
    mountPoint: rootRouteRef,
  }),
);
