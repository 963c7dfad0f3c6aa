import crypto from 'node:crypto';
import type { EksAuthOptions, OidcAuthOptions, TokenGrant } from './types';

/**
 * Bearer tokens the simulator checks by their form rather than by lookup: the EKS form that
 * aws-iam-authenticator accepts and OIDC ID tokens. Both are verified (signature, audience, age)
 * against the simulator's clock, so tests can prove that short-lived credentials are renewed.
 */

/** EKS accepts a presigned GetCallerIdentity URL whose X-Amz-Date is at most this old (aws-iam-authenticator). */
export const EKS_TOKEN_MAX_AGE_MS = 15 * 60_000;
/** A presigned URL dated this far in the future (clock skew) is still accepted. */
const EKS_MAX_SKEW_MS = 5 * 60_000;
const EKS_PREFIX = 'k8s-aws-v1.';
/** SHA-256 of an empty body: the payload hash of a presigned GET. */
const EMPTY_SHA256 =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function hmac(key: crypto.BinaryLike, data: string): Buffer {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding as SigV4's canonical query string wants it. */
function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/**
 * Verify an EKS bearer token the way EKS does, with STS replaced by a local SigV4 check:
 * `k8s-aws-v1.` + base64url of a presigned `https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity…`
 * URL, signed over `host` and `x-k8s-aws-id` (the cluster's id, so a token for another cluster fails),
 * by a known access key, dated within the last 15 minutes.
 */
export function verifyEksToken(
  token: string,
  opts: EksAuthOptions,
  now: number,
): TokenGrant | undefined {
  if (!token.startsWith(EKS_PREFIX)) return undefined;
  let url: URL;
  try {
    url = new URL(
      Buffer.from(token.slice(EKS_PREFIX.length), 'base64url').toString('utf8'),
    );
  } catch {
    return undefined;
  }
  const host = /^sts\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname);
  if (url.protocol !== 'https:' || !host || url.pathname !== '/') {
    return undefined;
  }
  const q = url.searchParams;
  if (
    q.get('Action') !== 'GetCallerIdentity' ||
    q.get('Version') !== '2011-06-15' ||
    q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256'
  ) {
    return undefined;
  }
  const signedHeaders = q.get('X-Amz-SignedHeaders') ?? '';
  if (!signedHeaders.split(';').includes('x-k8s-aws-id')) return undefined;
  const [accessKeyId, day, region, service, term] = (
    q.get('X-Amz-Credential') ?? ''
  ).split('/');
  const secret = opts.accessKeys[accessKeyId];
  if (!secret || service !== 'sts' || term !== 'aws4_request') return undefined;
  const amzDate = q.get('X-Amz-Date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || !amzDate.startsWith(day)) return undefined;
  if (now - signedAt > EKS_TOKEN_MAX_AGE_MS) return undefined;
  if (signedAt - now > EKS_MAX_SKEW_MS) return undefined;

  const headers: Record<string, string> = {
    host: url.host,
    'x-k8s-aws-id': opts.clusterId,
  };
  const names = signedHeaders.split(';');
  if (names.some(n => headers[n] === undefined)) return undefined;
  const canonicalQuery = [...q.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [uriEscape(k), uriEscape(v)])
    // Byte order of the encoded names (unique: URLSearchParams keeps repeats, SigV4 would sort them too).
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    ...names.map(n => `${n}:${headers[n]}`),
    '',
    signedHeaders,
    EMPTY_SHA256,
  ].join('\n');
  const scope = `${day}/${region}/sts/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    crypto.createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  let key = hmac(`AWS4${secret}`, day);
  for (const part of [region, 'sts', 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, stringToSign).toString('hex');
  const given = q.get('X-Amz-Signature') ?? '';
  if (
    given.length !== expected.length ||
    !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  ) {
    return undefined;
  }
  return opts.grant;
}

/** An HS256 JWT signed with the simulator's OIDC key (the test's stand-in for an identity provider). */
export function signOidcToken(
  opts: OidcAuthOptions,
  claims: { sub: string; exp: number; iat?: number; aud?: string },
): string {
  const enc = (o: object) =>
    Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = enc({ alg: 'HS256', typ: 'JWT' });
  const body = enc({ iss: opts.issuer, aud: opts.audience, ...claims });
  const sig = hmac(opts.signingKey, `${head}.${body}`).toString('base64url');
  return `${head}.${body}.${sig}`;
}

/** Verify an OIDC ID token as the API server's --oidc-* flags do: signature, issuer, audience, expiry. */
export function verifyOidcToken(
  token: string,
  opts: OidcAuthOptions,
  now: number,
): TokenGrant | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const expected = hmac(opts.signingKey, `${parts[0]}.${parts[1]}`);
  const given = Buffer.from(parts[2], 'base64url');
  if (
    given.length !== expected.length ||
    !crypto.timingSafeEqual(given, expected)
  ) {
    return undefined;
  }
  let claims: { iss?: unknown; aud?: unknown; exp?: unknown; sub?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== opts.issuer || !aud.includes(opts.audience)) {
    return undefined;
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) {
    return undefined;
  }
  if (typeof claims.sub !== 'string') return undefined;
  return opts.grant;
}
