import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import type {
  AuthenticationStrategy,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import { gitopsSecretsPermissions } from '@golden-gitops/plugin-gitops-secrets-common';
import { Fleet } from './cache/Fleet';
import { AuthStrategies } from './clusters/authStrategies';
import {
  ClusterDirectory,
  kubernetesPluginSuppliers,
  type NamedSupplier,
} from './clusters/ClusterDirectory';
import { ClusterRefresher } from './clusters/ClusterRefresher';
import {
  gitopsSecretsAuthStrategyExtensionPoint,
  gitopsSecretsClusterSupplierExtensionPoint,
} from './clusters/extensionPoints';
import { readSettings } from './config/clusters';
import { ReplicaSharing } from './replicas/ReplicaSharing';
import { readReplicaSettings } from './replicas/settings';
import { createRouter } from './service/router';
import { RepositoryTemplates } from './service/RepositoryTemplates';
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
    const addedSuppliers: KubernetesClustersSupplier[] = [];
    const addedStrategies = new Map<string, AuthenticationStrategy>();
    env.registerExtensionPoint(gitopsSecretsClusterSupplierExtensionPoint, {
      addClusterSupplier(supplier) {
        addedSuppliers.push(supplier);
      },
    });
    env.registerExtensionPoint(gitopsSecretsAuthStrategyExtensionPoint, {
      addAuthStrategy(key, strategy) {
        if (!key || /[\s/]/.test(key)) {
          throw new Error(
            `gitopsSecretsAuthStrategyExtensionPoint: invalid authProvider key '${key}' (no spaces or '/')`,
          );
        }
        addedStrategies.set(key, strategy);
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        urlReader: coreServices.urlReader,
        catalog: catalogServiceRef,
        // Used only with gitopsSecrets.replicas.enabled; each is lazy (no connection until first used).
        database: coreServices.database,
        cache: coreServices.cache,
        scheduler: coreServices.scheduler,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        auth,
        permissions,
        permissionsRegistry,
        lifecycle,
        urlReader,
        catalog,
        database,
        cache,
        scheduler,
      }) {
        const settings = readSettings(config);
        const strategies = new AuthStrategies({ config, logger });
        for (const [key, strategy] of addedStrategies) {
          strategies.add(key, strategy);
        }
        const suppliers: NamedSupplier[] = [
          ...(settings.useKubernetesPlugin
            ? kubernetesPluginSuppliers(config, { catalog, auth, logger })
            : []),
          ...addedSuppliers.map((supplier, i) => ({
            source: `cluster supplier #${i + 1}`,
            supplier,
          })),
        ];
        const directory = new ClusterDirectory({
          suppliers,
          strategies,
          logger,
          auth,
          timeoutMs: settings.timeoutMs,
        });
        permissionsRegistry.addPermissions(gitopsSecretsPermissions);
        const fleet = new Fleet({ settings, logger });

        const refresher = new ClusterRefresher({
          directory,
          fleet,
          own: settings.clusters,
          intervalMs: settings.clusterRefreshMs,
          logger,
        });
        logger.info(
          `gitops-secrets: ${
            settings.clusters.length
          } cluster(s) in gitopsSecrets.clusters${
            suppliers.length
              ? `, more from ${suppliers.map(s => s.source).join(', ')}`
              : ''
          }`,
        );
        const replicaSettings = readReplicaSettings(config);
        const sharing = replicaSettings.enabled
          ? new ReplicaSharing({
              fleet,
              database,
              cache,
              scheduler,
              logger,
              settings: replicaSettings,
              summaryTtlMs: settings.summaryTtlMs,
              idleTimeoutMs: settings.idleTimeoutMs,
            })
          : undefined;
        if (sharing) {
          // Clusters that suppliers add later join the assignment at its next run (every heartbeat).
          lifecycle.addStartupHook(() => sharing.start());
          lifecycle.addShutdownHook(() => sharing.stop());
        }
        if (suppliers.length) {
          // After this plugin's init: strategies and suppliers from modules are all registered.
          lifecycle.addStartupHook(() => refresher.start());
        }
        lifecycle.addShutdownHook(() => {
          refresher.stop();
          fleet.stop();
        });
        httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            permissions,
            catalog,
            status: new StatusService(fleet, logger, Date.now, sharing),
            defaultListLimit: settings.defaultListLimit,
            repositoryTemplates: new RepositoryTemplates({
              reader: urlReader,
              logger,
            }),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
