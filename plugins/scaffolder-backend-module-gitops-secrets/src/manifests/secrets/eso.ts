import { LABEL_KUBERNETES_ID } from '@golden-gitops/plugin-gitops-secrets-common';
import type {
  ExternalSecretInput,
  ProviderInput,
  StoreInput,
} from '../../actions/secrets/inputs';
import {
  ExternalSecret,
  Namespace,
  SecretKeySelector,
  SecretStore,
  SecretStoreProvider,
  ServiceAccountSelector,
} from './types';

const ESO_API = 'external-secrets.io/v1' as const;

/** Where the store's credentials Secret or service account lives. */
function refNamespace(
  store: StoreInput,
  operatorNamespace: string,
  explicit?: string,
): string | undefined {
  // A SecretStore reads only from its own namespace; a ClusterSecretStore must name one.
  if (store.kind === 'SecretStore') return undefined;
  return explicit ?? operatorNamespace;
}

function secretRef(
  name: string,
  key: string,
  namespace: string | undefined,
): SecretKeySelector {
  return namespace ? { name, key, namespace } : { name, key };
}

function serviceAccountRef(
  name: string,
  namespace: string | undefined,
): ServiceAccountSelector {
  return namespace ? { name, namespace } : { name };
}

function providerSpec(
  store: StoreInput,
  operatorNamespace: string,
): SecretStoreProvider {
  const p: ProviderInput = store.provider;
  switch (p.type) {
    case 'aws': {
      const auth = p.auth;
      let awsAuth: NonNullable<SecretStoreProvider['aws']>['auth'];
      if (auth.type === 'secretRef') {
        const ns = refNamespace(store, operatorNamespace, auth.secretNamespace);
        awsAuth = {
          secretRef: {
            accessKeyIDSecretRef: secretRef(
              auth.secretName,
              auth.accessKeyIdKey,
              ns,
            ),
            secretAccessKeySecretRef: secretRef(
              auth.secretName,
              auth.secretAccessKeyKey,
              ns,
            ),
            ...(auth.sessionTokenKey
              ? {
                  sessionTokenSecretRef: secretRef(
                    auth.secretName,
                    auth.sessionTokenKey,
                    ns,
                  ),
                }
              : {}),
          },
        };
      } else if (auth.type === 'jwt') {
        awsAuth = {
          jwt: {
            serviceAccountRef: serviceAccountRef(
              auth.serviceAccountName,
              refNamespace(
                store,
                operatorNamespace,
                auth.serviceAccountNamespace,
              ),
            ),
          },
        };
      }
      return {
        aws: {
          service: p.service,
          region: p.region,
          ...(p.role ? { role: p.role } : {}),
          ...(awsAuth ? { auth: awsAuth } : {}),
        },
      };
    }
    case 'vault': {
      const auth = p.auth;
      let vaultAuth: NonNullable<SecretStoreProvider['vault']>['auth'];
      if (auth.type === 'token') {
        vaultAuth = {
          tokenSecretRef: secretRef(
            auth.secretName,
            auth.key,
            refNamespace(store, operatorNamespace, auth.secretNamespace),
          ),
        };
      } else if (auth.type === 'kubernetes') {
        vaultAuth = {
          kubernetes: {
            mountPath: auth.mountPath,
            role: auth.role,
            ...(auth.serviceAccountName
              ? {
                  serviceAccountRef: serviceAccountRef(
                    auth.serviceAccountName,
                    refNamespace(
                      store,
                      operatorNamespace,
                      auth.serviceAccountNamespace,
                    ),
                  ),
                }
              : {}),
          },
        };
      } else {
        vaultAuth = {
          appRole: {
            path: auth.path,
            roleId: auth.roleId,
            secretRef: secretRef(
              auth.secretName,
              auth.key,
              refNamespace(store, operatorNamespace, auth.secretNamespace),
            ),
          },
        };
      }
      return {
        vault: {
          server: p.server,
          path: p.path,
          version: p.version,
          ...(p.vaultNamespace ? { namespace: p.vaultNamespace } : {}),
          auth: vaultAuth,
        },
      };
    }
    case 'gcp': {
      const auth = p.auth;
      let gcpAuth: NonNullable<SecretStoreProvider['gcpsm']>['auth'];
      if (auth.type === 'secretRef') {
        gcpAuth = {
          secretRef: {
            secretAccessKeySecretRef: secretRef(
              auth.secretName,
              auth.key,
              refNamespace(store, operatorNamespace, auth.secretNamespace),
            ),
          },
        };
      } else if (auth.type === 'workloadIdentity') {
        gcpAuth = {
          workloadIdentity: {
            ...(auth.clusterLocation
              ? { clusterLocation: auth.clusterLocation }
              : {}),
            ...(auth.clusterName ? { clusterName: auth.clusterName } : {}),
            ...(auth.clusterProjectID
              ? { clusterProjectID: auth.clusterProjectID }
              : {}),
            serviceAccountRef: serviceAccountRef(
              auth.serviceAccountName,
              refNamespace(
                store,
                operatorNamespace,
                auth.serviceAccountNamespace,
              ),
            ),
          },
        };
      }
      return {
        gcpsm: {
          projectID: p.projectID,
          ...(p.location ? { location: p.location } : {}),
          ...(gcpAuth ? { auth: gcpAuth } : {}),
        },
      };
    }
    case 'azure': {
      const auth = p.auth;
      const base = {
        vaultUrl: p.vaultUrl,
        ...(p.tenantId ? { tenantId: p.tenantId } : {}),
        ...(p.environmentType ? { environmentType: p.environmentType } : {}),
      };
      if (auth.type === 'servicePrincipal') {
        const ns = refNamespace(store, operatorNamespace, auth.secretNamespace);
        return {
          azurekv: {
            ...base,
            authType: 'ServicePrincipal',
            authSecretRef: {
              clientId: secretRef(auth.secretName, auth.clientIdKey, ns),
              clientSecret: secretRef(
                auth.secretName,
                auth.clientSecretKey,
                ns,
              ),
            },
          },
        };
      }
      if (auth.type === 'workloadIdentity') {
        return {
          azurekv: {
            ...base,
            authType: 'WorkloadIdentity',
            serviceAccountRef: serviceAccountRef(
              auth.serviceAccountName,
              refNamespace(
                store,
                operatorNamespace,
                auth.serviceAccountNamespace,
              ),
            ),
          },
        };
      }
      return {
        azurekv: {
          ...base,
          authType: 'ManagedIdentity',
          ...(auth.identityId ? { identityId: auth.identityId } : {}),
        },
      };
    }
    default:
      throw new Error(`unknown provider ${(p as { type: string }).type}`);
  }
}

/** The SecretStore or ClusterSecretStore. */
export function secretStoreManifest(
  store: StoreInput,
  operatorNamespace: string,
): SecretStore {
  return {
    apiVersion: ESO_API,
    kind: store.kind,
    metadata:
      store.kind === 'SecretStore'
        ? { name: store.name, namespace: store.namespace }
        : { name: store.name },
    spec: { provider: providerSpec(store, operatorNamespace) },
  };
}

/** An ExternalSecret reading from `storeRef`. */
export function externalSecretManifest(
  es: ExternalSecretInput,
  storeRef: { kind: 'SecretStore' | 'ClusterSecretStore'; name: string },
): ExternalSecret {
  const stripRef = (r: {
    key: string;
    property?: string;
    version?: string;
  }) => ({
    key: r.key,
    ...(r.property ? { property: r.property } : {}),
    ...(r.version ? { version: r.version } : {}),
  });
  return {
    apiVersion: ESO_API,
    kind: 'ExternalSecret',
    metadata: {
      name: es.name,
      namespace: es.namespace,
      ...(es.kubernetesId
        ? { labels: { [LABEL_KUBERNETES_ID]: es.kubernetesId } }
        : {}),
    },
    spec: {
      refreshInterval: es.refreshInterval,
      secretStoreRef: { kind: storeRef.kind, name: storeRef.name },
      target: {
        name: es.targetSecretName ?? es.name,
        creationPolicy: es.creationPolicy,
      },
      ...(es.data.length
        ? {
            data: es.data.map(d => ({
              secretKey: d.secretKey,
              remoteRef: stripRef(d.remoteRef),
            })),
          }
        : {}),
      ...(es.dataFrom.length
        ? { dataFrom: es.dataFrom.map(d => ({ extract: stripRef(d.extract) })) }
        : {}),
    },
  };
}

/**
 * A Namespace the actions create. `prune: disabled`: Flux never deletes it when the file (or its Kustomization) is
 * removed, which would delete every object in it.
 */
export function namespaceManifest(name: string): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
    },
  };
}

/** A Secret a person must create by hand, with where each value comes from. */
export interface ManualSecret {
  name: string;
  namespace: string;
  /** key → how to supply it: an environment variable or a file. */
  entries: Array<{ key: string; env?: string; file?: string }>;
}

/** A service account the provider expects to be prepared (IRSA, workload identity). */
export interface ManualServiceAccount {
  name: string;
  namespace: string;
  note: string;
}

/**
 * What a person must prepare outside Git for the store to work: the
 * credentials Secret (created from environment variables, never from a
 * value in the template) or an annotated service account.
 */
export function manualPrerequisites(
  store: StoreInput,
  operatorNamespace: string,
): { secrets: ManualSecret[]; serviceAccounts: ManualServiceAccount[] } {
  const p = store.provider;
  const ns = (explicit?: string) =>
    store.kind === 'SecretStore'
      ? store.namespace!
      : explicit ?? operatorNamespace;
  const secrets: ManualSecret[] = [];
  const serviceAccounts: ManualServiceAccount[] = [];
  if (p.type === 'aws') {
    const auth = p.auth;
    if (auth.type === 'secretRef') {
      secrets.push({
        name: auth.secretName,
        namespace: ns(auth.secretNamespace),
        entries: [
          { key: auth.accessKeyIdKey, env: 'AWS_ACCESS_KEY_ID' },
          { key: auth.secretAccessKeyKey, env: 'AWS_SECRET_ACCESS_KEY' },
          ...(auth.sessionTokenKey
            ? [{ key: auth.sessionTokenKey, env: 'AWS_SESSION_TOKEN' }]
            : []),
        ],
      });
    } else if (auth.type === 'jwt') {
      serviceAccounts.push({
        name: auth.serviceAccountName,
        namespace: ns(auth.serviceAccountNamespace),
        note: 'must carry the annotation eks.amazonaws.com/role-arn of an IAM role allowed to read the secrets (IRSA)',
      });
    }
  } else if (p.type === 'vault') {
    const auth = p.auth;
    if (auth.type === 'token') {
      secrets.push({
        name: auth.secretName,
        namespace: ns(auth.secretNamespace),
        entries: [{ key: auth.key, env: 'VAULT_TOKEN' }],
      });
    } else if (auth.type === 'appRole') {
      secrets.push({
        name: auth.secretName,
        namespace: ns(auth.secretNamespace),
        entries: [{ key: auth.key, env: 'VAULT_SECRET_ID' }],
      });
    }
  } else if (p.type === 'gcp') {
    const auth = p.auth;
    if (auth.type === 'secretRef') {
      secrets.push({
        name: auth.secretName,
        namespace: ns(auth.secretNamespace),
        entries: [{ key: auth.key, file: './gcp-service-account.json' }],
      });
    } else if (auth.type === 'workloadIdentity') {
      serviceAccounts.push({
        name: auth.serviceAccountName,
        namespace: ns(auth.serviceAccountNamespace),
        note: 'must carry the annotation iam.gke.io/gcp-service-account of a GCP service account with Secret Manager access',
      });
    }
  } else if (p.type === 'azure') {
    const auth = p.auth;
    if (auth.type === 'servicePrincipal') {
      secrets.push({
        name: auth.secretName,
        namespace: ns(auth.secretNamespace),
        entries: [
          { key: auth.clientIdKey, env: 'AZURE_CLIENT_ID' },
          { key: auth.clientSecretKey, env: 'AZURE_CLIENT_SECRET' },
        ],
      });
    } else if (auth.type === 'workloadIdentity') {
      serviceAccounts.push({
        name: auth.serviceAccountName,
        namespace: ns(auth.serviceAccountNamespace),
        note: 'must carry the annotation azure.workload.identity/client-id of an identity with Key Vault access',
      });
    }
  }
  return { secrets, serviceAccounts };
}

/** `kubectl create secret generic …` taking every value from the environment or a file. */
export function kubectlCreateSecret(secret: ManualSecret): string {
  const parts = secret.entries.map(e =>
    e.env
      ? `--from-literal=${e.key}="$${e.env}"`
      : `--from-file=${e.key}=${e.file}`,
  );
  return [
    `kubectl create namespace ${secret.namespace} --dry-run=client -o yaml | kubectl apply -f -`,
    `kubectl create secret generic ${secret.name} --namespace ${secret.namespace} \\`,
    ...parts.map((p, i) => `  ${p}${i < parts.length - 1 ? ' \\' : ''}`),
  ].join('\n');
}
