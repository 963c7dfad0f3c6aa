/**
 * Provider error classes of ESO stores and ExternalSecrets: what an AWS, Vault,
 * GCP, Azure or Kubernetes-provider error in a condition message or an Event
 * means, and the fix for that class. ESO's own condition message is often just
 * "could not get secret data from provider"; the provider's error is in the
 * Events, which the backend reads on demand for failing objects.
 */

/** @public */
export interface ProviderErrorClass {
  /** e.g. `aws-access-denied`. */
  category: string;
  provider: 'aws' | 'vault' | 'gcp' | 'azure' | 'kubernetes';
  when: string;
  pattern: RegExp;
  /** What to change; `who` is the store (or "the store") the identity belongs to. */
  fix(match: RegExpMatchArray, who: string): string;
  /** One line naming the class, for the finding's detail. */
  summary(match: RegExpMatchArray): string;
}

const AZURE_CODES: Record<string, string> = {
  '700016':
    'the application (client) ID is not registered in the tenant: check clientId and tenantId of the store',
  '7000215':
    'the client secret is wrong or expired: put a current secret value (not its ID) into the Secret authSecretRef.clientSecret names',
  '7000222':
    'the client secret has expired: create a new one and update the Secret authSecretRef.clientSecret names',
  '70021':
    'no federated identity credential matches the token: the federated credential of the app/managed identity must have issuer = the cluster OIDC issuer and subject = system:serviceaccount:<namespace>:<service account>',
  '700213':
    'no federated identity credential matches the token subject: set its subject to system:serviceaccount:<namespace>:<service account> of the store',
  '700211':
    'no federated identity credential matches the token issuer: set its issuer to the cluster OIDC issuer URL',
  '90002': 'the tenant does not exist: check tenantId of the store',
  '50020':
    'the identity is not from the tenant: check tenantId and the account',
};

/** In order: the more specific first. @public */
export const PROVIDER_ERROR_CLASSES: readonly ProviderErrorClass[] = [
  {
    category: 'aws-web-identity',
    provider: 'aws',
    when: 'AWS STS refused the web identity (IRSA / EKS pod identity): the role trust policy does not accept the service account token.',
    pattern:
      /(?:[Nn]ot authorized to perform:? sts:AssumeRoleWithWebIdentity|WebIdentityErr|InvalidIdentityToken|No OpenIDConnect provider found)/,
    summary: () =>
      'AWS STS refused the service account token (AssumeRoleWithWebIdentity)',
    fix: (_m, who) =>
      `The IAM role's trust policy must trust the cluster's OIDC provider with condition <issuer>:sub = system:serviceaccount:<namespace>:<service account> (sub, not only aud), and that service account must carry eks.amazonaws.com/role-arn; check auth.jwt.serviceAccountRef of ${who}.`,
  },
  {
    category: 'aws-assume-role-denied',
    provider: 'aws',
    when: 'The identity may not assume the role set in spec.provider.aws.role (sts:AssumeRole).',
    pattern:
      /(?:User: (\S+) )?is not authorized to perform:? sts:AssumeRole(?: on resource:? (\S+))?/,
    summary: m =>
      `${m[1] ?? 'The identity'} may not assume ${
        m[2] ?? 'the role'
      } (sts:AssumeRole)`,
    fix: (m, who) =>
      `Allow ${m[1] ?? `the identity of ${who}`} in the trust policy of ${
        m[2] ?? 'the role in spec.provider.aws.role'
      } (and sts:AssumeRole in the caller's own policy), or remove role from ${who} if the identity itself has access.`,
  },
  {
    category: 'aws-kms-denied',
    provider: 'aws',
    when: 'The secret is encrypted with a customer-managed KMS key the identity may not use.',
    pattern:
      /Access to KMS is not allowed|kms:Decrypt|KMSAccessDeniedException|AccessDeniedException[^\n]*\bKMS\b/,
    summary: () =>
      'the identity may not decrypt with the KMS key of the secret',
    fix: (_m, who) =>
      `Allow kms:Decrypt on the secret's KMS key for the identity of ${who}, in its IAM policy and in the key policy (cross-account keys need both).`,
  },
  {
    category: 'aws-access-denied',
    provider: 'aws',
    when: 'An IAM policy does not allow the named action (secretsmanager:GetSecretValue, ssm:GetParameter, secretsmanager:ListSecrets…).',
    pattern:
      /(?:User: (\S+) )?is not authorized to perform:? ([a-z0-9-]+:[A-Za-z]+)(?: on resource:? ([^\s"]+))?/,
    summary: m =>
      `${m[1] ?? 'The identity'} may not ${m[2]}${m[3] ? ` on ${m[3]}` : ''}`,
    fix: (m, who) =>
      `Allow ${m[2]} ${m[3] ? `on ${m[3]} ` : ''}in the IAM policy of ${
        m[1] ?? `the identity of ${who}`
      }${
        /ListSecrets|DescribeParameters/.test(m[2])
          ? ' (needed by dataFrom.find: on Resource "*")'
          : ''
      }${
        m[1] &&
        /assumed-role\/[^/]+-node|NodeInstanceRole|nodegroup/i.test(m[1])
          ? '; the caller is the node role, so the store is not using its own role: set auth.jwt (IRSA) or role'
          : ''
      }.`,
  },
  {
    category: 'aws-remote-key-not-found',
    provider: 'aws',
    when: 'The remote key does not exist in Secrets Manager / Parameter Store (in this region).',
    pattern:
      /ResourceNotFoundException|Secrets Manager can.t find the specified secret|ParameterNotFound|[Ss]ecret does not exist/,
    summary: () => 'the remote key does not exist in the provider',
    fix: (_m, who) =>
      `Check spec.data[].remoteRef.key / dataFrom of the ExternalSecret against the keys that exist, and the region of ${who}; create the secret if it is missing.`,
  },
  {
    category: 'aws-credentials-invalid',
    provider: 'aws',
    when: 'AWS rejected or could not find the credentials (static keys wrong/expired, no credential source).',
    pattern:
      /InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|ExpiredToken|NoCredentialProviders|no valid providers in chain/,
    summary: () => 'AWS rejected or found no credentials',
    fix: (_m, who) =>
      `Check auth of ${who}: with auth.secretRef the Secret's access key and secret access key must be current and in the keys named; otherwise use auth.jwt (IRSA) or pod identity.`,
  },
  {
    category: 'vault-auth-denied',
    provider: 'vault',
    when: 'Vault refused the login (kubernetes/JWT/AppRole auth): the role does not bind this service account, or the mount path is wrong.',
    pattern:
      /unable to log in[^\n]*|(?:auth\/[^\s]*login)[\s\S]*?Code: 403|invalid vault credentials[\s\S]*?Code: 403/,
    summary: () => 'Vault refused the login (403)',
    fix: (_m, who) =>
      `Check the auth method of ${who}: mountPath must be the auth mount (e.g. kubernetes), and the Vault role must bind the service account (bound_service_account_names / bound_service_account_namespaces); a Vault outside the cluster needs the cluster's CA and a token reviewer.`,
  },
  {
    category: 'vault-permission-denied',
    provider: 'vault',
    when: 'Vault accepted the login but the policy does not allow reading the path.',
    pattern:
      /Code: 403[\s\S]*?permission denied|\* permission denied|403 permission denied/,
    summary: () => 'Vault denied reading the path (403 permission denied)',
    fix: (_m, who) =>
      `Allow read on the path in the Vault policy attached to the role of ${who}; for KV v2 the policy path includes /data/ (e.g. secret/data/app/*) and spec.provider.vault.version must be v2.`,
  },
  {
    category: 'gcp-permission-denied',
    provider: 'gcp',
    when: 'GCP IAM does not allow the service account to access the secret (PermissionDenied).',
    pattern:
      /PermissionDenied[^\n]*|Permission '([a-z.]+)' denied|IAM_PERMISSION_DENIED/,
    summary: m =>
      `GCP denied ${m[1] ? `permission ${m[1]}` : 'access'} (PermissionDenied)`,
    fix: (_m, who) =>
      `Grant roles/secretmanager.secretAccessor on the secret (or project) to the Google service account ${who} uses, and with Workload Identity bind the Kubernetes service account to it (roles/iam.workloadIdentityUser, annotation iam.gke.io/gcp-service-account).`,
  },
  {
    category: 'gcp-secret-not-found',
    provider: 'gcp',
    when: 'The secret or version does not exist in GCP Secret Manager.',
    pattern: /NotFound desc = Secret(?: Version)? \[[^\]]+\] not found/,
    summary: () => 'the GCP secret does not exist',
    fix: (_m, who) =>
      `Check remoteRef.key and version against Secret Manager in the projectID of ${who}.`,
  },
  {
    category: 'azure-aad',
    provider: 'azure',
    when: 'Azure AD (Entra ID) refused the sign-in with an AADSTS code (app not found, wrong secret, federated credential mismatch).',
    pattern: /AADSTS(\d+)/,
    summary: m => `Azure AD refused the sign-in (AADSTS${m[1]})`,
    fix: (m, who) =>
      `For ${who}: ${
        AZURE_CODES[m[1]] ??
        'look up the AADSTS code; check tenantId, clientId and the credential the store authenticates with'
      }.`,
  },
  {
    category: 'azure-keyvault-forbidden',
    provider: 'azure',
    when: 'Key Vault refused the request (access policy / RBAC, wrong audience or environment).',
    pattern:
      /ForbiddenByRbac|ForbiddenByPolicy|does not have secrets get permission|AKV\d+[^\n"]*|Status=40[13] Code="(?:Forbidden|Unauthorized)"/,
    summary: m => `Key Vault refused the request (${m[0].slice(0, 80)})`,
    fix: (_m, who) =>
      `Give the identity of ${who} the "Key Vault Secrets User" role (RBAC vaults) or a get/list secret access policy, and check vaultUrl and environmentType match the cloud the vault is in.`,
  },
  {
    category: 'kubernetes-forbidden',
    provider: 'kubernetes',
    when: "The Kubernetes provider's identity may not read Secrets in the remote namespace.",
    pattern:
      /is forbidden: User "([^"]+)" cannot (\w+) resource "([\w.]+)"(?:[^\n]*?in the namespace "([^"]+)")?|client is not allowed to (get|list) (secrets)()()/,
    summary: m =>
      m[1]
        ? `${m[1]} may not ${m[2]} ${m[3]}${m[4] ? ` in ${m[4]}` : ''}`
        : `the store's identity may not ${m[5]} secrets`,
    fix: (m, who) =>
      `Give ${
        m[1] ?? `the identity ${who} uses (auth.serviceAccount, token or cert)`
      } a Role with ${m[2] ?? m[5]} on ${m[3] ?? m[6]}${
        m[4] ? ` in namespace ${m[4]}` : ''
      } and a RoleBinding to it (the identity ${who} authenticates as), or point the store at the service account that has them.`,
  },
];

/** The first provider class matching any of these texts. @public */
export function classifyProviderError(
  texts: string[],
): { cls: ProviderErrorClass; match: RegExpMatchArray } | undefined {
  for (const cls of PROVIDER_ERROR_CLASSES) {
    for (const t of texts) {
      const m = t.match(cls.pattern);
      if (m) return { cls, match: m };
    }
  }
  return undefined;
}
