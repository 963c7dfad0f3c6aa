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
import {
  gitopsSecretsAuthStrategyExtensionPoint,
  gitopsSecretsClusterSupplierExtensionPoint,
} from './clusters/extensionPoints';
import { readSettings, type ClusterDetails } from './config/clusters';
import { createRouter } from './service/router';
import { StatusService } from './service/StatusService';

/** The first cluster lookup may wait this long before the backend serves (a slow catalog). */
const FIRST_LOOKUP_WAIT_MS = 10_000;
/** A source that failed at startup (the catalog, before the backend serves) is asked again after 1 s, 2 s, 4 s… */
const FIRST_RETRY_MS = 1_000;

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
        catalog: catalogServiceRef,
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
        catalog,
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

        const own = new Set(settings.clusters.map(c => c.name));
        const describe = (clusters: ClusterDetails[]) => {
          for (const c of clusters) {
            if ('skipTLSVerify' in c.auth && c.auth.skipTLSVerify) {
              logger.warn(
                `gitops-secrets: cluster ${c.name} has skipTLSVerify: its API server's certificate is not checked`,
              );
            }
          }
        };
        describe(settings.clusters);
        let refreshing: Promise<void> | undefined;
        const refresh = () => {
          refreshing ??= directory
            .load()
            .then(found => {
              const extra = found.filter(c => {
                if (!own.has(c.name)) return true;
                logger.warn(
                  `gitops-secrets: cluster '${c.name}' from ${c.source} has the name of a cluster in gitopsSecrets.clusters: skipped`,
                );
                return false;
              });
              const { added, removed, replaced } = fleet.setClusters([
                ...settings.clusters,
                ...extra,
              ]);
              describe(extra.filter(c => added.includes(c.name)));
              if (added.length || removed.length || replaced.length) {
                logger.info(
                  `gitops-secrets: ${fleet.names().length} cluster(s): ${fleet
                    .names()
                    .join(', ')}${
                    added.length ? `; added ${added.join(', ')}` : ''
                  }${removed.length ? `; removed ${removed.join(', ')}` : ''}${
                    replaced.length ? `; changed ${replaced.join(', ')}` : ''
                  }`,
                );
              }
            })
            .catch(e =>
              logger.warn(
                `gitops-secrets: looking up clusters failed (${
                  (e as Error)?.name
                })`,
              ),
            )
            .finally(() => {
              refreshing = undefined;
            });
          return refreshing;
        };
        logger.info(
          `gitops-secrets: ${
            settings.clusters.length
          } cluster(s) in gitopsSecrets.clusters${
            suppliers.length
              ? `, more from ${suppliers.map(s => s.source).join(', ')}`
              : ''
          }`,
        );
        let timer: NodeJS.Timeout | undefined;
        let stopped = false;
        /** Look up again after `delayMs`; sooner while a source fails (the catalog answers only once the backend serves). */
        const schedule = (delayMs: number) => {
          if (stopped) return;
          timer = setTimeout(async () => {
            await refresh();
            schedule(
              directory.failedSources.length
                ? Math.min(delayMs * 2, settings.clusterRefreshMs)
                : settings.clusterRefreshMs,
            );
          }, delayMs);
          timer.unref();
        };
        if (suppliers.length) {
          lifecycle.addStartupHook(async () => {
            let wait: NodeJS.Timeout | undefined;
            await Promise.race([
              refresh(),
              new Promise<void>(resolve => {
                wait = setTimeout(resolve, FIRST_LOOKUP_WAIT_MS);
              }),
            ]);
            clearTimeout(wait);
            schedule(
              directory.failedSources.length
                ? Math.min(FIRST_RETRY_MS, settings.clusterRefreshMs)
                : settings.clusterRefreshMs,
            );
          });
        }
        lifecycle.addShutdownHook(() => {
          stopped = true;
          clearTimeout(timer);
          fleet.stop();
        });
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
