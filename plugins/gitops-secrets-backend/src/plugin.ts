import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { gitopsSecretsPermissions } from '@golden-gitops/plugin-gitops-secrets-common';
import { Fleet } from './cache/Fleet';
import { readSettings } from './config/clusters';
import { createRouter } from './service/router';
import { StatusService } from './service/StatusService';

/**
 * Reads External Secrets Operator, Flux and leaf-cluster status from the
 * configured clusters through a watch-backed cache, and serves it under
 * /api/gitops-secrets.
 *
 * @public
 */
export const gitopsSecretsPlugin = createBackendPlugin({
  pluginId: 'gitops-secrets',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        lifecycle,
        catalog,
      }) {
        const settings = readSettings(config);
        for (const c of settings.clusters) {
          if (c.auth.type !== 'unsupported' && c.auth.skipTLSVerify) {
            logger.warn(
              `gitops-secrets: cluster ${c.name} has skipTLSVerify: its API server's certificate is not checked`,
            );
          }
        }
        logger.info(
          `gitops-secrets: ${settings.clusters.length} cluster(s) configured${
            settings.clusters.length
              ? ` from ${settings.clusters[0].source}: ${settings.clusters
                  .map(c => c.name)
                  .join(', ')}`
              : ''
          }`,
        );
        permissionsRegistry.addPermissions(gitopsSecretsPermissions);
        const fleet = new Fleet({ settings, logger });
        lifecycle.addShutdownHook(() => fleet.stop());
        httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            permissions,
            catalog,
            status: new StatusService(fleet, logger),
            defaultListLimit: settings.defaultListLimit,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
