import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createSecretsActions } from './actions/secrets';
import { createClusterActions } from './actions/cluster';

/** Registers the gitops:secrets:* and gitops:cluster:* scaffolder actions. */
export const gitopsSecretsScaffolderModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops-secrets',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, config }) {
        const integrations = ScmIntegrations.fromConfig(config);
        scaffolder.addActions(
          ...createSecretsActions({ integrations }),
          ...createClusterActions({ integrations }),
        );
      },
    });
  },
});
