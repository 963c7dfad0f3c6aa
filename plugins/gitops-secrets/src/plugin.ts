import { createPlugin } from '@backstage/core-plugin-api';

/** The GitOps secrets frontend plugin (legacy frontend system). */
export const gitopsSecretsPlugin = createPlugin({
  id: 'gitops-secrets',
});
