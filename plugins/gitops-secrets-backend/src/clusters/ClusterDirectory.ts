import crypto from 'node:crypto';
import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ANNOTATION_KUBERNETES_AUTH_PROVIDER } from '@backstage/plugin-kubernetes-common';
import type {
  ClusterDetails as KubernetesClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import { checkName, checkToken, type ClusterDetails } from '../config/clusters';
import { CachedCredential } from '../kube/credentials';
import { AuthStrategies, perUserReason } from './authStrategies';
import { CatalogClusterSupplier } from './catalogLocator';
import { ConfigClusterSupplier } from './configLocator';

/** A source of clusters and the name it goes by in log lines and errors. */
export interface NamedSupplier {
  source: string;
  supplier: KubernetesClustersSupplier;
}

/**
 * Suppliers for `kubernetes.clusterLocatorMethods`: `config` and `catalog`. Other methods (`gke`,
 * `localKubectlProxy`) are skipped with a warning: Backstage does not export their locators.
 */
export function kubernetesPluginSuppliers(
  config: Config,
  deps: { catalog: CatalogService; auth: AuthService; logger: LoggerService },
): NamedSupplier[] {
  const out: NamedSupplier[] = [];
  (
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []
  ).forEach((method, i) => {
    const key = `kubernetes.clusterLocatorMethods[${i}]`;
    const type = method.getString('type');
    if (type === 'config') {
      out.push({
        source: key,
        supplier: ConfigClusterSupplier.fromConfig(method, key),
      });
    } else if (type === 'catalog') {
      out.push({
        source: key,
        supplier: CatalogClusterSupplier.fromConfig(method, deps),
      });
    } else {
      deps.logger.warn(
        `gitops-secrets: ${key} of type '${type}' is not read (supported: config, catalog); add its clusters through gitopsSecretsClusterSupplierExtensionPoint`,
      );
    }
  });
  return out;
}

export interface ClusterDirectoryOptions {
  suppliers: NamedSupplier[];
  strategies: AuthStrategies;
  logger: LoggerService;
  auth: AuthService;
  /** Per-request timeout of these clusters. */
  timeoutMs: number;
  now?: () => number;
}

/**
 * The clusters of every supplier, as the cache uses them: each authenticated through its
 * authProvider's AuthenticationStrategy with credentials cached until near expiry. A supplier that
 * fails keeps its previous clusters (a catalog hiccup does not stop watches).
 */
export class ClusterDirectory {
  private readonly last = new Map<string, KubernetesClusterDetails[]>();
  /** Sources whose last lookup failed (retried sooner than the refresh interval). */
  failedSources: string[] = [];

  constructor(private readonly options: ClusterDirectoryOptions) {}

  async load(): Promise<ClusterDetails[]> {
    const { suppliers, logger, auth } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const results = await Promise.allSettled(
      suppliers.map(s => s.supplier.getClusters({ credentials })),
    );
    const out: ClusterDetails[] = [];
    const seen = new Set<string>();
    this.failedSources = [];
    results.forEach((r, i) => {
      const { source } = suppliers[i];
      let clusters: KubernetesClusterDetails[];
      if (r.status === 'fulfilled') {
        clusters = r.value;
        this.last.set(source, clusters);
      } else {
        clusters = this.last.get(source) ?? [];
        this.failedSources.push(source);
        logger.warn(
          `gitops-secrets: could not read clusters from ${source} (${
            (r.reason as Error)?.name ?? 'Error'
          }); keeping the ${clusters.length} read before`,
        );
      }
      for (const c of clusters) {
        if (seen.has(c.name)) {
          logger.warn(
            `gitops-secrets: duplicate cluster name '${c.name}' in ${source}: the first one is used`,
          );
          continue;
        }
        try {
          checkName(c.name, `${source} cluster name`);
        } catch (e) {
          logger.warn(`gitops-secrets: ${(e as Error).message}; skipped`);
          continue;
        }
        seen.add(c.name);
        out.push(this.toDetails(c, source));
      }
    });
    return out;
  }

  /** One cluster as the cache reads it; what cannot be used becomes a per-cluster NOT_CONFIGURED. */
  toDetails(c: KubernetesClusterDetails, source: string): ClusterDetails {
    const { strategies, timeoutMs } = this.options;
    const authMetadata = c.authMetadata ?? {};
    const authProvider =
      authMetadata[ANNOTATION_KUBERNETES_AUTH_PROVIDER] ?? '';
    const base = {
      name: c.name,
      title: c.title,
      source,
      timeoutMs,
      // A digest, not the values: authMetadata may hold a service account token.
      fingerprint: crypto
        .createHash('sha256')
        .update(
          JSON.stringify([
            c.title,
            c.url,
            c.caData,
            c.caFile,
            c.skipTLSVerify,
            Object.entries(authMetadata).sort(),
          ]),
        )
        .digest('base64url'),
    };
    const strategy = strategies.get(authProvider);
    if (!strategy) {
      return {
        ...base,
        auth: {
          type: 'unsupported',
          reason: `authProvider '${authProvider}' has no AuthenticationStrategy (known: ${strategies
            .keys()
            .join(', ')})`,
        },
      };
    }
    if (strategies.isPerUser(authProvider)) {
      return {
        ...base,
        auth: {
          type: 'perUser',
          authProvider,
          reason: perUserReason(authProvider),
        },
      };
    }
    const invalid = strategy.validateCluster(authMetadata);
    if (invalid.length) {
      return {
        ...base,
        auth: {
          type: 'unsupported',
          reason: `authProvider '${authProvider}': ${invalid
            .map(e => e.message)
            .join('; ')}`,
        },
      };
    }
    try {
      // A token that could not be sent as a header: named by its key, never its value.
      checkToken(
        authMetadata.serviceAccountToken,
        `${source} cluster '${c.name}' serviceAccountToken`,
      );
    } catch (e) {
      return {
        ...base,
        auth: { type: 'unsupported', reason: (e as Error).message },
      };
    }
    return {
      ...base,
      auth: {
        type: 'strategy',
        url: c.url.replace(/\/+$/, ''),
        authProvider,
        // No user: the strategy gets no per-request auth, as for any server-side provider.
        credentials: new CachedCredential(
          () => strategy.getCredential(c, {}),
          this.options.now,
        ),
        caData: c.caData,
        caFile: c.caFile,
        skipTLSVerify: c.skipTLSVerify ?? false,
      },
    };
  }
}
