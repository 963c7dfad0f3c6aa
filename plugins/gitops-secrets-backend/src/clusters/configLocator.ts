import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
  ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
  ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER,
} from '@backstage/plugin-kubernetes-common';
import type {
  ClusterDetails as KubernetesClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';

/**
 * `kubernetes.clusterLocatorMethods` of type `config`, read as Backstage's ConfigClusterLocator reads
 * them (its `authProvider`, `authMetadata` block and the `serviceAccountToken`, `assumeRole`,
 * `externalId` and `oidcTokenProvider` shorthands). Whether the authProvider can be used is decided
 * per cluster later, so one cluster the cache cannot read does not stop the others.
 */
export class ConfigClusterSupplier implements KubernetesClustersSupplier {
  private constructor(private readonly clusters: KubernetesClusterDetails[]) {}

  static fromConfig(method: Config, key: string): ConfigClusterSupplier {
    const names = new Set<string>();
    const clusters = (method.getOptionalConfigArray('clusters') ?? []).map(
      (c, j) => {
        const at = `${key}.clusters[${j}]`;
        const name = c.getString('name');
        if (names.has(name)) {
          throw new InputError(`Duplicate cluster name '${name}' at '${at}'`);
        }
        names.add(name);
        const block = c.getOptional<Record<string, string>>('authMetadata');
        const authProvider =
          block?.[ANNOTATION_KUBERNETES_AUTH_PROVIDER] ??
          c.getOptionalString('authProvider');
        if (!authProvider) {
          throw new InputError(
            `Cluster '${name}' at '${at}' has no auth provider: set 'authProvider' or 'authMetadata.${ANNOTATION_KUBERNETES_AUTH_PROVIDER}'`,
          );
        }
        const shorthand: Record<string, string | undefined> = {
          serviceAccountToken: c.getOptionalString('serviceAccountToken'),
          [ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE]:
            c.getOptionalString('assumeRole'),
          [ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID]:
            c.getOptionalString('externalId'),
          [ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER]:
            c.getOptionalString('oidcTokenProvider'),
        };
        const authMetadata: Record<string, string> = {
          [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: authProvider,
        };
        for (const [k, v] of Object.entries(shorthand))
          if (v) authMetadata[k] = v;
        Object.assign(authMetadata, block);
        const title = c.getOptionalString('title');
        return {
          name,
          ...(title ? { title } : {}),
          url: c.getString('url'),
          skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
          caData: c.getOptionalString('caData'),
          caFile: c.getOptionalString('caFile'),
          authMetadata,
        };
      },
    );
    return new ConfigClusterSupplier(clusters);
  }

  async getClusters(): Promise<KubernetesClusterDetails[]> {
    return this.clusters;
  }
}
