import {
  ApiBlueprint,
  createFrontendModule,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
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

/** `ui:field: GitopsClusterPicker` in the scaffolder's forms. @alpha */
export const gitopsClusterPickerFormField = FormFieldBlueprint.make({
  name: 'gitops-cluster-picker',
  params: {
    field: () =>
      import('./components/fields/formFields').then(
        m => m.gitopsClusterPickerField,
      ),
  },
});

/** `ui:field: SecretStorePicker` in the scaffolder's forms. @alpha */
export const secretStorePickerFormField = FormFieldBlueprint.make({
  name: 'secret-store-picker',
  params: {
    field: () =>
      import('./components/fields/formFields').then(
        m => m.secretStorePickerField,
      ),
  },
});

/** `ui:field: ClusterTemplatePicker` in the scaffolder's forms. @alpha */
export const clusterTemplatePickerFormField = FormFieldBlueprint.make({
  name: 'cluster-template-picker',
  params: {
    field: () =>
      import('./components/fields/formFields').then(
        m => m.clusterTemplatePickerField,
      ),
  },
});

/**
 * The scaffolder pickers (new frontend system): a module of the scaffolder plugin, so its form fields attach there.
 * Feature discovery loads only a package's default exports, so add it to `createApp({ features })`; the pickers'
 * API client comes with the gitops-secrets plugin (the default export).
 *
 * @alpha
 */
export const gitopsSecretsScaffolderModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [
    gitopsClusterPickerFormField,
    secretStorePickerFormField,
    clusterTemplatePickerFormField,
  ],
});

export { isGitopsSecretsAvailable } from './conditions';
