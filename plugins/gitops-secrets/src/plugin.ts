import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { GitopsSecretsClient, gitopsSecretsApiRef } from './api';
import {
  ClusterTemplatePicker,
  GitopsClusterPicker,
  SecretStorePicker,
  validateClusterTemplate,
  validateGitopsCluster,
  validateSecretStore,
} from './components/fields';
import type {
  ClusterTemplatePickerUiOptions,
  ClusterTemplateValue,
  GitopsClusterPickerUiOptions,
  SecretStorePickerUiOptions,
  SecretStoreRef,
} from './components/fields';
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

/*
 * Scaffolder field extensions (legacy frontend system): put them inside `<ScaffolderFieldExtensions>` of the
 * scaffolder route. They are provided by this plugin (not the scaffolder's), so using one registers this plugin's
 * API client too.
 */

/**
 * `ui:field: GitopsClusterPicker`: a cluster the gitops-secrets backend watches, with its live Flux and ESO state;
 * `ui:options.eso: installed | absent` filters. The value is the cluster's catalog entity ref.
 *
 * @public
 */
export const GitopsClusterPickerFieldExtension = gitopsSecretsPlugin.provide(
  createScaffolderFieldExtension<string, GitopsClusterPickerUiOptions>({
    name: 'GitopsClusterPicker',
    component: GitopsClusterPicker,
    validation: validateGitopsCluster,
  }),
);

/**
 * `ui:field: SecretStorePicker`: a secret store on the cluster of a sibling field (`ui:options.clusterField`,
 * default `cluster`), ClusterSecretStores and the SecretStores of `ui:options.namespaceField` (default `namespace`),
 * with their Ready state. The value is `{ kind, name }`.
 *
 * @public
 */
export const SecretStorePickerFieldExtension = gitopsSecretsPlugin.provide(
  createScaffolderFieldExtension<SecretStoreRef, SecretStorePickerUiOptions>({
    name: 'SecretStorePicker',
    component: SecretStorePicker,
    validation: validateSecretStore,
  }),
);

/**
 * `ui:field: ClusterTemplatePicker`: a CAPITemplate or GitOpsTemplate of the management cluster in a sibling field
 * (`ui:options.clusterField`, default `managementCluster`), and its declared parameters as inputs. The value is
 * `{ name, kind, parameters }`, for `gitops:cluster:create-leaf`'s `templateName` and `parameters`.
 *
 * @public
 */
export const ClusterTemplatePickerFieldExtension = gitopsSecretsPlugin.provide(
  createScaffolderFieldExtension<
    ClusterTemplateValue,
    ClusterTemplatePickerUiOptions
  >({
    name: 'ClusterTemplatePicker',
    component: ClusterTemplatePicker,
    validation: validateClusterTemplate,
  }),
);
