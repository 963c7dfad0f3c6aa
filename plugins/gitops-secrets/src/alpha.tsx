import { createFrontendPlugin } from '@backstage/frontend-plugin-api';

/** The GitOps secrets frontend plugin (new frontend system). */
export default createFrontendPlugin({
  pluginId: 'gitops-secrets',
  extensions: [],
});
