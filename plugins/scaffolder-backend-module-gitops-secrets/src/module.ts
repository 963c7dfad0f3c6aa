import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';

/** Registers the gitops:* scaffolder actions. */
export const gitopsSecretsScaffolderModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops-secrets',
  register({ registerInit }) {
    registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions();
      },
    });
  },
});
