import { startCluster } from './cluster';
import { request } from './testing';
import {
  EKS_TOKEN_MAX_AGE_MS,
  signOidcToken,
  verifyEksToken,
  verifyOidcToken,
} from './tokenAuth';
import type { EksAuthOptions, OidcAuthOptions, TokenGrant } from './types';

// The simulator's CA is made with node-forge: seconds on a loaded machine.
jest.setTimeout(60_000);

const GRANT: TokenGrant = {
  user: 'backstage',
  rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] }],
};

/**
 * Synthetic: a token printed by AwsIamStrategy.getCredential of @backstage/plugin-kubernetes-backend
 * 0.21.11 (cluster id `eks-1`, region us-east-1, the AWS documentation's example key pair
 * AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY), signed at 2026-12-04T21:42:04Z.
 */
const EKS_URL =
  'https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261204%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20261204T214204Z&X-Amz-Expires=0&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=42b7a1b518b88452bea1cf0d503bc3e933534f3c687b980948591fb5bae47f69';
const EKS_TOKEN = `k8s-aws-v1.${Buffer.from(EKS_URL).toString('base64url')}`;
const SIGNED_AT = Date.UTC(2026, 11, 4, 21, 42, 4);
const EKS: EksAuthOptions = {
  clusterId: 'eks-1',
  accessKeys: { AKIDEXAMPLE: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  grant: GRANT,
};

describe('EKS bearer tokens', () => {
  it.each<[string, string, EksAuthOptions, number, boolean]>([
    ['fresh', EKS_TOKEN, EKS, SIGNED_AT + 60_000, true],
    ['14 min old', EKS_TOKEN, EKS, SIGNED_AT + 14 * 60_000, true],
    [
      'older than 15 min',
      EKS_TOKEN,
      EKS,
      SIGNED_AT + EKS_TOKEN_MAX_AGE_MS + 1000,
      false,
    ],
    ['dated far in the future', EKS_TOKEN, EKS, SIGNED_AT - 10 * 60_000, false],
    [
      'signed for another cluster',
      EKS_TOKEN,
      { ...EKS, clusterId: 'eks-2' },
      SIGNED_AT,
      false,
    ],
    [
      'signed with an unknown key',
      EKS_TOKEN,
      { ...EKS, accessKeys: { AKIDOTHER: 'x' } },
      SIGNED_AT,
      false,
    ],
    [
      'signed with another secret',
      EKS_TOKEN,
      { ...EKS, accessKeys: { AKIDEXAMPLE: 'other' } },
      SIGNED_AT,
      false,
    ],
    [
      'with a changed query',
      `k8s-aws-v1.${Buffer.from(
        EKS_URL.replace('Version=2011-06-15', 'Version=2011-06-15&x=1'),
      ).toString('base64url')}`,
      EKS,
      SIGNED_AT,
      false,
    ],
    [
      'for another host',
      `k8s-aws-v1.${Buffer.from(
        EKS_URL.replace('sts.us-east-1.amazonaws.com', 'evil.example.com'),
      ).toString('base64url')}`,
      EKS,
      SIGNED_AT,
      false,
    ],
    [
      'without the prefix',
      EKS_TOKEN.slice('k8s-aws-v1.'.length),
      EKS,
      SIGNED_AT,
      false,
    ],
  ])('a token %s', (_what, token, opts, now, accepted) => {
    expect(verifyEksToken(token, opts, now)).toBe(accepted ? GRANT : undefined);
  });
});

const OIDC: OidcAuthOptions = {
  issuer: 'https://idp.example.com',
  audience: 'kubernetes',
  signingKey: 'test-signing-key',
  grant: GRANT,
};

describe('OIDC bearer tokens', () => {
  const now = Date.UTC(2026, 0, 1);
  const exp = now / 1000 + 300;
  it.each<[string, boolean, string]>([
    ['valid', true, signOidcToken(OIDC, { sub: 'u', exp })],
    ['expired', false, signOidcToken(OIDC, { sub: 'u', exp: now / 1000 - 1 })],
    [
      'for another audience',
      false,
      signOidcToken(OIDC, { sub: 'u', exp, aud: 'x' }),
    ],
    [
      'of another issuer',
      false,
      signOidcToken({ ...OIDC, issuer: 'https://x' }, { sub: 'u', exp }),
    ],
    [
      'signed with another key',
      false,
      signOidcToken({ ...OIDC, signingKey: 'k2' }, { sub: 'u', exp }),
    ],
    ['not a JWT', false, 'abc'],
  ])('%s: accepted=%s', (_what, accepted, token) => {
    expect(verifyOidcToken(token, OIDC, now)).toBe(
      accepted ? GRANT : undefined,
    );
  });
});

describe('the server enforces token forms and expiry by its clock', () => {
  it('accepts EKS and OIDC tokens and stops accepting an expiring token when it expires', async () => {
    let now = SIGNED_AT + 60_000;
    const cluster = await startCluster({
      name: 'eks-1',
      eks: EKS,
      oidc: OIDC,
      now: () => new Date(now),
      tokens: {
        'short-lived': { ...GRANT, expiresAt: new Date(SIGNED_AT + 120_000) },
      },
    });
    try {
      const oidc = signOidcToken(OIDC, { sub: 'u', exp: now / 1000 + 3600 });
      const status = async (token: string) =>
        (await request(cluster, 'GET', '/api/v1/namespaces', { token })).status;
      expect(await status(EKS_TOKEN)).toBe(200);
      expect(await status(oidc)).toBe(200);
      expect(await status('short-lived')).toBe(200);
      now = SIGNED_AT + 121_000;
      expect(await status('short-lived')).toBe(401);
      now = SIGNED_AT + EKS_TOKEN_MAX_AGE_MS + 1000;
      expect(await status(EKS_TOKEN)).toBe(401);
      expect(await status(oidc)).toBe(200);
    } finally {
      await cluster.stop();
    }
  });
});
