import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './service/router';

/** Reads External Secrets Operator, Flux and leaf-cluster status from the configured clusters. */
export const gitopsSecretsPlugin = createBackendPlugin({
  pluginId: 'gitops-secrets',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
      },
      async init({ httpRouter, logger }) {
        httpRouter.use(await createRouter({ logger }));
      },
    });
  },
});
