import { X509Certificate } from 'node:crypto';
import type { KubernetesCredential } from '@backstage/plugin-kubernetes-node';

/**
 * Where a request's credentials come from when a Backstage `AuthenticationStrategy` (rather than a
 * kubeconfig) authenticates a cluster. Called before every request (list, watch, reconnect); cheap
 * when cached.
 */
export interface CredentialSource {
  get(): Promise<KubernetesCredential>;
  /** The API server refused the credential (401): fetch a new one next time, whatever its expiry said. */
  invalidate(): void;
}

/** EKS accepts a token up to 15 minutes after its X-Amz-Date (aws-iam-authenticator's presignedURLExpiration). */
export const EKS_TOKEN_LIFETIME_MS = 15 * 60_000;
/** A credential whose lifetime we cannot read (an opaque token, a static service account token) is asked for again after this. */
export const UNKNOWN_LIFETIME_MS = 60_000;
/** Renew this long before expiry at least: requests in flight and clock skew need the margin. */
export const MIN_RENEW_MARGIN_MS = 60_000;
/** …and at least this share of the lifetime before expiry (EKS: 3 of 15 minutes). */
const RENEW_SHARE = 0.2;

function amzDate(s: string | null): number | undefined {
  const m = s && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

/**
 * When a credential stops working, read from the credential itself: an EKS token's X-Amz-Date plus
 * 15 minutes, a JWT's `exp` (OIDC, Azure and Google service-account ID tokens), a client
 * certificate's notAfter. Undefined when the credential does not say.
 */
export function credentialExpiry(
  credential: KubernetesCredential,
): number | undefined {
  if (credential.type === 'x509 client certificate') {
    try {
      return Date.parse(new X509Certificate(credential.cert).validTo);
    } catch {
      return undefined;
    }
  }
  if (credential.type !== 'bearer token') return undefined;
  const token = credential.token;
  if (token.startsWith('k8s-aws-v1.')) {
    try {
      const url = new URL(
        Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString(),
      );
      const signed = amzDate(url.searchParams.get('X-Amz-Date'));
      return signed === undefined ? undefined : signed + EKS_TOKEN_LIFETIME_MS;
    } catch {
      return undefined;
    }
  }
  const parts = token.split('.');
  if (parts.length === 3) {
    try {
      const exp = JSON.parse(
        Buffer.from(parts[1], 'base64url').toString(),
      )?.exp;
      return typeof exp === 'number' ? exp * 1000 : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * A credential fetched on demand and reused until shortly before it expires. Open watches keep the
 * connection they were authenticated on (the API server checks a token when a request starts), so
 * renewing changes only the requests that start afterwards: no watch is dropped for it.
 */
export class CachedCredential implements CredentialSource {
  private current?: {
    credential: KubernetesCredential;
    renewAt: number;
    expiresAt: number;
  };
  private pending?: Promise<KubernetesCredential>;
  /** Credentials fetched so far (tests, diagnostics). */
  fetches = 0;

  constructor(
    private readonly fetch: () => Promise<KubernetesCredential>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<KubernetesCredential> {
    const now = this.now();
    if (this.current && now < this.current.renewAt) {
      return Promise.resolve(this.current.credential);
    }
    if (!this.pending) {
      const previous = this.current;
      this.pending = this.renew(now)
        .catch(e => {
          // The old credential still works for a while: keep using it rather than fail now.
          if (previous && this.now() < previous.expiresAt) {
            return previous.credential;
          }
          throw e;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  private async renew(now: number): Promise<KubernetesCredential> {
    this.fetches++;
    const credential = await this.fetch();
    const expiresAt = credentialExpiry(credential) ?? now + UNKNOWN_LIFETIME_MS;
    const lifetime = Math.max(0, expiresAt - now);
    const margin = Math.max(MIN_RENEW_MARGIN_MS, lifetime * RENEW_SHARE);
    this.current = {
      credential,
      expiresAt,
      // A credential without a readable lifetime is reused for UNKNOWN_LIFETIME_MS, not renewed at once.
      renewAt:
        credentialExpiry(credential) === undefined
          ? expiresAt
          : Math.max(now, expiresAt - margin),
    };
    return credential;
  }

  invalidate(): void {
    this.current = undefined;
  }
}
