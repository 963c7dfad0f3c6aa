import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type {
  AuthenticationStrategy,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';

/**
 * Add clusters from anywhere (a cloud API, a registry, another catalog query), like the Kubernetes
 * plugin's `kubernetesClusterSupplierExtensionPoint`. The supplier's clusters are read at startup and
 * every `gitopsSecrets.clusterRefreshInterval`, in addition to the configured ones.
 *
 * @public
 */
export interface GitopsSecretsClusterSupplierExtensionPoint {
  addClusterSupplier(supplier: KubernetesClustersSupplier): void;
}

/** @public */
export const gitopsSecretsClusterSupplierExtensionPoint =
  createExtensionPoint<GitopsSecretsClusterSupplierExtensionPoint>({
    id: 'gitops-secrets.cluster-supplier',
  });

/**
 * Authenticate clusters whose `kubernetes.io/auth-provider` is `key` with your own strategy, like the
 * Kubernetes plugin's `kubernetesAuthStrategyExtensionPoint`; replaces a built-in strategy of the
 * same name. The cache calls `getCredential(cluster, {})` with no user: the strategy must bring its
 * own (server-side) credential.
 *
 * @public
 */
export interface GitopsSecretsAuthStrategyExtensionPoint {
  addAuthStrategy(key: string, strategy: AuthenticationStrategy): void;
}

/** @public */
export const gitopsSecretsAuthStrategyExtensionPoint =
  createExtensionPoint<GitopsSecretsAuthStrategyExtensionPoint>({
    id: 'gitops-secrets.auth-strategy',
  });
