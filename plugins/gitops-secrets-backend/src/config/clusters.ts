import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { CredentialSource } from '../kube/credentials';

/** A cluster to read, as configured. Tokens stay in here and are never logged. */
export interface ClusterDetails {
  name: string;
  title?: string;
  /** Where this cluster came from, for log lines and errors (`kubernetes.clusterLocatorMethods[0]`, a supplier's name…). */
  source: string;
  timeoutMs: number;
  /** Changes when anything that reaches the cluster changes (URL, CA, auth): a new cache is built then. */
  fingerprint?: string;
  auth:
    | {
        type: 'serviceAccount';
        url: string;
        /** Absent: the pod's token file (in-cluster). */
        token?: string;
        caData?: string;
        caFile?: string;
        skipTLSVerify: boolean;
      }
    | {
        type: 'kubeconfig';
        path: string;
        context?: string;
        skipTLSVerify: boolean;
      }
    | {
        /**
         * Authenticated by a Backstage `AuthenticationStrategy` (`aws`, `azure`, `googleServiceAccount`,
         * `serviceAccount`, a custom one): credentials asked for per request, cached until near expiry.
         */
        type: 'strategy';
        url: string;
        authProvider: string;
        credentials: CredentialSource;
        caData?: string;
        caFile?: string;
        skipTLSVerify: boolean;
      }
    | {
        /**
         * An authProvider that authenticates each Backstage user with their own token (`oidc`, `google`,
         * `aks`): a cache shared by every user cannot use it. Reported as NOT_CONFIGURED with `reason`.
         */
        type: 'perUser';
        authProvider: string;
        reason: string;
      }
    | {
        /** Configured in a way this plugin cannot use: reported as NOT_CONFIGURED with `reason`. */
        type: 'unsupported';
        reason: string;
      };
}

/** Cache and response settings, read once. */
export interface GitopsSecretsSettings {
  /** `gitopsSecrets.clusters`, when configured. */
  clusters: ClusterDetails[];
  /**
   * `gitopsSecrets.clusters` is absent: the clusters are those of Backstage's Kubernetes plugin
   * (`kubernetes.clusterLocatorMethods`) and of cluster suppliers added through the extension point.
   */
  useKubernetesPlugin: boolean;
  /** How often clusters from the catalog and from suppliers are looked up again. */
  clusterRefreshMs: number;
  /** `gitopsSecrets.timeout`: the per-request timeout of clusters that do not set their own. */
  timeoutMs: number;
  idleTimeoutMs: number;
  pageSize: number;
  /** List requests in flight at once per cluster (each page is one request). */
  maxConcurrentLists: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  summaryTtlMs: number;
  defaultListLimit: number;
}

export const DEFAULTS = {
  timeoutMs: 5_000,
  idleTimeoutMs: 10 * 60_000,
  // ~200 KB of JSON per page of ExternalSecrets: small buffers, so reading lists leaves little native memory behind.
  pageSize: 100,
  // 18 kinds starting at once on a busy API server would all run into the per-request timeout.
  maxConcurrentLists: 4,
  backoffInitialMs: 1_000,
  backoffMaxMs: 30_000,
  summaryTtlMs: 10_000,
  clusterRefreshMs: 60_000,
  defaultListLimit: 100,
  maxListLimit: 1000,
} as const;

const MS: Record<string, number> = {
  years: 365 * 86_400_000,
  months: 30 * 86_400_000,
  weeks: 7 * 86_400_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
  milliseconds: 1,
};

/** A duration key (`'5s'`, ISO 8601, or `{ seconds: 5 }`) in milliseconds, or the fallback when absent. */
export function readDurationMs(
  config: Config,
  key: string,
  fallback: number,
): number {
  if (!config.has(key)) return fallback;
  const d = readDurationFromConfig(config, { key }) as Record<string, number>;
  let ms = 0;
  for (const [unit, value] of Object.entries(d)) ms += (MS[unit] ?? 0) * value;
  if (!(ms > 0)) {
    throw new InputError(
      `Invalid duration at '${key}': must be greater than zero`,
    );
  }
  return ms;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkName(name: string, key: string): string {
  if (!NAME.test(name)) {
    throw new InputError(
      `Invalid cluster name '${name}' at '${key}': use letters, digits, '.', '_' and '-'`,
    );
  }
  return name;
}

function readOwnCluster(
  c: Config,
  key: string,
  defaultTimeoutMs: number,
): ClusterDetails {
  const name = checkName(c.getString('name'), `${key}.name`);
  const url = c.getOptionalString('url');
  const kubeconfig = c.getOptionalConfig('kubeconfig');
  const authProvider =
    c.getOptionalString('authProvider') ??
    (kubeconfig && !url ? 'kubeconfig' : 'serviceAccount');
  const skipTLSVerify = c.getOptionalBoolean('skipTLSVerify') ?? false;
  const base = {
    name,
    title: c.getOptionalString('title'),
    source: 'gitopsSecrets.clusters' as const,
    timeoutMs: readDurationMs(c, 'timeout', defaultTimeoutMs),
  };
  if (authProvider === 'kubeconfig') {
    if (!kubeconfig) {
      throw new InputError(
        `Cluster '${name}' at '${key}' has authProvider 'kubeconfig' but no 'kubeconfig: { path, context }'`,
      );
    }
    return {
      ...base,
      auth: {
        type: 'kubeconfig',
        path: kubeconfig.getString('path'),
        context: kubeconfig.getOptionalString('context'),
        skipTLSVerify,
      },
    };
  }
  if (authProvider !== 'serviceAccount') {
    throw new InputError(
      `Cluster '${name}' at '${key}' has authProvider '${authProvider}': allowed are 'serviceAccount' and 'kubeconfig'`,
    );
  }
  if (!url) {
    throw new InputError(
      `Cluster '${name}' at '${key}' needs 'url' (with 'serviceAccountToken') or 'kubeconfig'`,
    );
  }
  return {
    ...base,
    auth: {
      type: 'serviceAccount',
      url: checkUrl(url, `${key}.url`),
      token: checkToken(
        c.getOptionalString('serviceAccountToken'),
        `${key}.serviceAccountToken`,
      ),
      caData: c.getOptionalString('caData'),
      caFile: c.getOptionalString('caFile'),
      skipTLSVerify,
    },
  };
}

/**
 * A bearer token as HTTP can carry it: surrounding whitespace (the newline of a token read from a file) is
 * dropped; a line break or control character inside is refused at startup, naming the key, never the value.
 */
export function checkToken(token: string | undefined, key: string) {
  const t = token?.trim();
  if (!t) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(t)) {
    throw new InputError(
      `'${key}' contains a line break or control character; a bearer token is one line of printable characters`,
    );
  }
  return t;
}

export function checkUrl(url: string, key: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(
      `Invalid URL at '${key}': expected https://host[:port]`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InputError(
      `Invalid URL at '${key}': the protocol must be https (or http)`,
    );
  }
  return url.replace(/\/+$/, '');
}

/**
 * Read `gitopsSecrets.*`. Clusters come from `gitopsSecrets.clusters`, or, when
 * that key is absent, from Backstage's `kubernetes.clusterLocatorMethods`
 * (read by `clusters/`, asynchronously: the catalog is one source). Bad
 * configuration throws an InputError naming the key.
 */
export function readSettings(config: Config): GitopsSecretsSettings {
  const root = config.getOptionalConfig('gitopsSecrets');
  const timeoutMs = root
    ? readDurationMs(root, 'timeout', DEFAULTS.timeoutMs)
    : DEFAULTS.timeoutMs;
  const own = root?.getOptionalConfigArray('clusters');
  const clusters = own
    ? own.map((c, i) =>
        readOwnCluster(c, `gitopsSecrets.clusters[${i}]`, timeoutMs),
      )
    : [];
  const seen = new Set<string>();
  for (const c of clusters) {
    if (seen.has(c.name)) {
      throw new InputError(
        `Cluster name '${c.name}' is configured twice in ${c.source}: names must be unique`,
      );
    }
    seen.add(c.name);
  }
  const cache = root?.getOptionalConfig('cache');
  const pageSize = cache?.getOptionalNumber('pageSize') ?? DEFAULTS.pageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new InputError(
      `Invalid 'gitopsSecrets.cache.pageSize': a positive integer`,
    );
  }
  const maxConcurrentLists =
    cache?.getOptionalNumber('maxConcurrentLists') ??
    DEFAULTS.maxConcurrentLists;
  if (!Number.isInteger(maxConcurrentLists) || maxConcurrentLists < 1) {
    throw new InputError(
      `Invalid 'gitopsSecrets.cache.maxConcurrentLists': a positive integer`,
    );
  }
  const defaultListLimit =
    root?.getOptionalNumber('defaultListLimit') ?? DEFAULTS.defaultListLimit;
  if (
    !Number.isInteger(defaultListLimit) ||
    defaultListLimit < 0 ||
    defaultListLimit > DEFAULTS.maxListLimit
  ) {
    throw new InputError(
      `Invalid 'gitopsSecrets.defaultListLimit': an integer from 0 to ${DEFAULTS.maxListLimit}`,
    );
  }
  return {
    clusters,
    useKubernetesPlugin: !own,
    timeoutMs,
    clusterRefreshMs: root
      ? readDurationMs(
          root,
          'clusterRefreshInterval',
          DEFAULTS.clusterRefreshMs,
        )
      : DEFAULTS.clusterRefreshMs,
    idleTimeoutMs: cache
      ? readDurationMs(cache, 'idleTimeout', DEFAULTS.idleTimeoutMs)
      : DEFAULTS.idleTimeoutMs,
    pageSize,
    maxConcurrentLists,
    backoffInitialMs: cache
      ? readDurationMs(cache, 'backoff.initial', DEFAULTS.backoffInitialMs)
      : DEFAULTS.backoffInitialMs,
    backoffMaxMs: cache
      ? readDurationMs(cache, 'backoff.max', DEFAULTS.backoffMaxMs)
      : DEFAULTS.backoffMaxMs,
    summaryTtlMs: cache
      ? readDurationMs(cache, 'summaryTtl', DEFAULTS.summaryTtlMs)
      : DEFAULTS.summaryTtlMs,
    defaultListLimit,
  };
}
