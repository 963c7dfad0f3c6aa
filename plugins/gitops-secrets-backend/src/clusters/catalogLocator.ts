import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_API_SERVER,
  ANNOTATION_KUBERNETES_API_SERVER_CA,
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_SKIP_TLS_VERIFY,
} from '@backstage/plugin-kubernetes-common';
import type {
  ClusterDetails as KubernetesClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';

export interface CatalogLocatorOptions {
  /** Hostnames (`*.example.com` patterns too) exempt from the public-address and HTTPS checks. */
  dangerouslyAllowClusterUrls?: string[];
  /** Honour `kubernetes.io/skip-tls-verify: "true"` (otherwise ignored). */
  dangerouslyAllowSkipTLSVerify?: boolean;
}

/** Addresses an API server URL from the catalog may not point at (anyone who can register a Resource could aim us at them). */
const NON_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(net, bits, 'ipv6');
}

function isNonPublic(ip: string): boolean {
  const family = isIP(ip);
  if (!family) return true;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d): not unicast for Backstage's check either. (A BlockList rule for
  // it would also match every plain IPv4 address.)
  if (family === 6 && /^::ffff:/i.test(ip)) return true;
  return NON_PUBLIC.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

function allowedByPattern(hostname: string, patterns?: string[]): boolean {
  return (patterns ?? []).some(p => {
    const pattern = p.toLowerCase();
    if (pattern.startsWith('*.')) {
      return (
        hostname.endsWith(pattern.slice(1)) || hostname === pattern.slice(2)
      );
    }
    return hostname === pattern;
  });
}

/**
 * The checks Backstage's catalog locator makes on `kubernetes.io/api-server` before it connects: a
 * URL without credentials, HTTPS, and a host that is not (and does not resolve to) a private,
 * loopback or link-local address, unless `dangerouslyAllowClusterUrls` names the host.
 */
export async function checkCatalogApiServerUrl(
  raw: string,
  options: CatalogLocatorOptions,
): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('the API server URL is not a valid URL');
  }
  if (url.username || url.password) {
    throw new Error('the API server URL must not contain credentials');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error('the API server URL must use HTTP or HTTPS');
  }
  const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (allowedByPattern(hostname, options.dangerouslyAllowClusterUrls)) {
    return raw;
  }
  if (url.protocol !== 'https:') {
    throw new Error('the API server URL must use HTTPS');
  }
  if (isIP(hostname)) {
    if (isNonPublic(hostname)) {
      throw new Error(
        'the API server URL must not use a non-public IP address',
      );
    }
    return raw;
  }
  const addresses = await lookup(hostname, { all: true });
  if (addresses.some(a => isNonPublic(a.address))) {
    throw new Error(
      `the API server host "${hostname}" resolves to a non-public address`,
    );
  }
  return raw;
}

/** The `kubernetes.io/…` annotations of a cluster Resource, as Backstage passes them to strategies (never a serviceAccountToken). */
function authMetadataOf(annotations: Record<string, string>) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations)) {
    if (k.startsWith('kubernetes.io/')) out[k] = v;
  }
  return out;
}

/**
 * `kubernetes.clusterLocatorMethods` of type `catalog`: catalog Resources of type
 * `kubernetes-cluster` with the annotations Backstage's CatalogClusterLocator reads —
 * `kubernetes.io/api-server`, `kubernetes.io/api-server-certificate-authority` and
 * `kubernetes.io/auth-provider` (required), `kubernetes.io/skip-tls-verify` (only with
 * `dangerouslyAllowSkipTLSVerify`), and every other `kubernetes.io/` annotation as auth metadata
 * (`kubernetes.io/x-k8s-aws-id`, `kubernetes.io/aws-assume-role`…). Like Backstage, it ignores
 * `serviceAccount` clusters (a token in the catalog would be readable by everyone) and API server
 * URLs that point at private addresses.
 */
export class CatalogClusterSupplier implements KubernetesClustersSupplier {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly options: CatalogLocatorOptions,
    private readonly logger: LoggerService,
  ) {}

  static fromConfig(
    method: Config,
    deps: { catalog: CatalogService; auth: AuthService; logger: LoggerService },
  ): CatalogClusterSupplier {
    return new CatalogClusterSupplier(
      deps.catalog,
      deps.auth,
      {
        dangerouslyAllowClusterUrls: method.getOptionalStringArray(
          'dangerouslyAllowClusterUrls',
        ),
        dangerouslyAllowSkipTLSVerify: method.getOptionalBoolean(
          'dangerouslyAllowSkipTLSVerify',
        ),
      },
      deps.logger,
    );
  }

  async getClusters(): Promise<KubernetesClusterDetails[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'Resource', 'spec.type': 'kubernetes-cluster' },
        fields: ['metadata.name', 'metadata.title', 'metadata.annotations'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    const out: KubernetesClusterDetails[] = [];
    for (const entity of items) {
      const details = await this.toClusterDetails(entity);
      if (details) out.push(details);
    }
    return out;
  }

  private async toClusterDetails(
    entity: Entity,
  ): Promise<KubernetesClusterDetails | undefined> {
    const name = entity.metadata.name;
    const a = entity.metadata.annotations ?? {};
    const url = a[ANNOTATION_KUBERNETES_API_SERVER];
    const caData = a[ANNOTATION_KUBERNETES_API_SERVER_CA];
    const authProvider = a[ANNOTATION_KUBERNETES_AUTH_PROVIDER];
    // Resources without them are not clusters for Backstage's locator either (its catalog filter requires all three).
    if (!url || caData === undefined || !authProvider) return undefined;
    if (authProvider === 'serviceAccount') {
      this.logger.warn(
        `gitops-secrets: ignoring kubernetes-cluster Resource "${name}": the catalog cluster locator does not support the serviceAccount auth provider`,
      );
      return undefined;
    }
    try {
      await checkCatalogApiServerUrl(url, this.options);
    } catch (e) {
      this.logger.warn(
        `gitops-secrets: ignoring kubernetes-cluster Resource "${name}": ${
          (e as Error).message
        }`,
      );
      return undefined;
    }
    return {
      name,
      ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
      url,
      caData,
      skipTLSVerify:
        (this.options.dangerouslyAllowSkipTLSVerify ?? false) &&
        a[ANNOTATION_KUBERNETES_SKIP_TLS_VERIFY] === 'true',
      authMetadata: authMetadataOf(a),
    };
  }
}
