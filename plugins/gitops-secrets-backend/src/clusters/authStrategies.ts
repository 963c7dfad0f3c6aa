import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';

type KubernetesBackend = typeof import('@backstage/plugin-kubernetes-backend');
let kubernetesBackend: KubernetesBackend | undefined;

/**
 * Backstage's Kubernetes backend, loaded when a cluster first needs one of its strategies: it brings
 * the AWS, Azure and Google SDKs (about 1 s and 80 MB of RSS to load), which a backend reading only
 * `gitopsSecrets.clusters` never needs.
 */
function strategiesModule(): KubernetesBackend {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  kubernetesBackend ??=
    require('@backstage/plugin-kubernetes-backend') as KubernetesBackend;
  return kubernetesBackend;
}

/**
 * authProviders whose credential is the signed-in Backstage user's own token, sent by the browser
 * with each request to the Kubernetes plugin. The status cache is shared by every user and is filled
 * without a user: it has no such token, so these clusters are reported with this explanation.
 */
export const PER_USER_AUTH_PROVIDERS: Readonly<Record<string, string>> = {
  oidc: "each user's OIDC token (sent by the browser as auth.oidc.<oidcTokenProvider>)",
  google: "each user's Google token (sent by the browser as auth.google)",
  aks: "each user's AKS token (sent by the browser as auth.aks)",
};

/** The explanation a cluster with a per-user authProvider gets instead of a status. */
export function perUserReason(authProvider: string): string {
  return `authProvider '${authProvider}' authenticates with ${PER_USER_AUTH_PROVIDERS[authProvider]}; the gitops-secrets status cache is shared by all users and has no user token. Give the backend its own credential for this cluster: a server-side authProvider (serviceAccount, aws, azure, googleServiceAccount) in gitopsSecrets.clusters or a cluster supplier, or register a server-side AuthenticationStrategy for '${authProvider}' through gitopsSecretsAuthStrategyExtensionPoint`;
}

/**
 * Backstage's ServiceAccountStrategy answers a configured `serviceAccountToken` as is, but first
 * loads client-node with a dynamic `import()` on every call, which Jest's CommonJS sandbox cannot
 * run. The configured token is answered here the same way; without one (in-cluster), Backstage's
 * strategy reads the pod's token file.
 */
function withConfiguredToken(
  strategy: AuthenticationStrategy,
): AuthenticationStrategy {
  return {
    async getCredential(cluster, auth) {
      // Trimmed like gitopsSecrets.clusters' tokens: the newline of a token read from a file is not part of it.
      const token = cluster.authMetadata.serviceAccountToken?.trim();
      if (token) return { type: 'bearer token', token };
      return strategy.getCredential(cluster, auth);
    },
    validateCluster: m => strategy.validateCluster(m),
    presentAuthMetadata: m => strategy.presentAuthMetadata(m),
  };
}

/**
 * The authentication strategies by authProvider name: Backstage's Kubernetes plugin's own
 * implementations (the same names as its built-in map), each built on first use (Azure's and AWS's
 * credential chains are only set up when a cluster needs them), plus strategies added through the
 * extension point, which replace a built-in one of the same name.
 */
export class AuthStrategies {
  private readonly built = new Map<string, AuthenticationStrategy>();
  private readonly factories: Record<string, () => AuthenticationStrategy>;
  private readonly custom = new Map<string, AuthenticationStrategy>();

  constructor(options: { config: Config; logger: LoggerService }) {
    const { config, logger } = options;
    const k = strategiesModule;
    this.factories = {
      aks: () => new (k().AksStrategy)(),
      aws: () => new (k().AwsIamStrategy)({ config }),
      azure: () => new (k().AzureIdentityStrategy)(logger),
      google: () => new (k().GoogleStrategy)(),
      googleServiceAccount: () =>
        new (k().GoogleServiceAccountStrategy)({ config }),
      localKubectlProxy: () => new (k().AnonymousStrategy)(),
      oidc: () => new (k().OidcStrategy)(),
      serviceAccount: () =>
        withConfiguredToken(new (k().ServiceAccountStrategy)()),
    };
  }

  /** Add or replace the strategy of an authProvider (the extension point). */
  add(key: string, strategy: AuthenticationStrategy): void {
    this.custom.set(key, strategy);
  }

  get(key: string): AuthenticationStrategy | undefined {
    const custom = this.custom.get(key);
    if (custom) return custom;
    let strategy = this.built.get(key);
    if (!strategy && Object.hasOwn(this.factories, key)) {
      strategy = this.factories[key]();
      this.built.set(key, strategy);
    }
    return strategy;
  }

  /** A built-in per-user authProvider that no added strategy replaces. */
  isPerUser(key: string): boolean {
    return !this.custom.has(key) && Object.hasOwn(PER_USER_AUTH_PROVIDERS, key);
  }

  keys(): string[] {
    return [
      ...new Set([...Object.keys(this.factories), ...this.custom.keys()]),
    ];
  }
}
