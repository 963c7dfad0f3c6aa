/**
 * A request's credentials: the KubeConfig of a configured cluster, and the headers and TLS material
 * of each request, through client-node's public API only.
 */
import type http from 'node:http';
import type https from 'node:https';
import { KubeConfig, type User } from '@kubernetes/client-node';
import type { KubernetesCredential } from '@backstage/plugin-kubernetes-node';
import type { ClusterDetails } from '../config/clusters';
import type { CredentialSource } from './credentials';
import { KubeRequestError } from './types';

const SERVICE_ACCOUNT_TOKEN =
  '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** A KubeConfig for one configured cluster; throws KubeRequestError('config') when unusable. */
export function kubeConfigFor(cluster: ClusterDetails): KubeConfig {
  const kc = new KubeConfig();
  const auth = cluster.auth;
  if (auth.type === 'unsupported' || auth.type === 'perUser') {
    throw new KubeRequestError('config', auth.reason);
  }
  if (auth.type === 'kubeconfig') {
    try {
      kc.loadFromFile(auth.path);
    } catch (e) {
      throw new KubeRequestError(
        'config',
        `Cannot read the kubeconfig file ${auth.path} (${
          (e as NodeJS.ErrnoException).code ?? 'invalid YAML'
        })`,
      );
    }
    if (auth.context) {
      if (!kc.getContextObject(auth.context)) {
        throw new KubeRequestError(
          'config',
          `The kubeconfig file ${auth.path} has no context '${auth.context}'`,
        );
      }
      kc.setCurrentContext(auth.context);
    }
    const current = kc.getCurrentCluster();
    if (!current) {
      throw new KubeRequestError(
        'config',
        `The kubeconfig file ${auth.path} has no current cluster`,
      );
    }
    if (auth.skipTLSVerify) {
      // KubeConfig's clusters are frozen objects: replace the entry rather than mutate it.
      kc.clusters = kc.clusters.map(c =>
        c === current ? { ...c, skipTLSVerify: true } : c,
      );
    }
    return kc;
  }
  let user: User;
  if (auth.type === 'strategy') {
    // The strategy's credential is added per request (KubeConfigClient's `credentials`).
    user = { name: 'gitops-secrets' };
  } else if (auth.token) {
    user = { name: 'gitops-secrets', token: auth.token };
  } else {
    // In-cluster: the pod's projected token, re-read as it rotates.
    user = {
      name: 'gitops-secrets',
      authProvider: {
        name: 'tokenFile',
        config: { tokenFile: SERVICE_ACCOUNT_TOKEN },
      },
    };
  }
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: auth.url,
        caData: auth.caData,
        caFile: auth.caFile,
        skipTLSVerify: auth.skipTLSVerify,
      },
    ],
    users: [user],
    contexts: [
      { name: cluster.name, cluster: cluster.name, user: 'gitops-secrets' },
    ],
    currentContext: cluster.name,
  });
  return kc;
}

/**
 * A strategy's error for an answer or a log line: cloud SDK errors say what is missing ("Could not
 * load credentials from any providers"), but may quote what they were given (a JSON parse error
 * quotes the credentials file). Quoted text and anything long enough to be a token or key is cut.
 */
export function redact(e: unknown): string {
  const err = e as Error;
  const text = `${err?.name ?? 'Error'}: ${String(err?.message ?? e)}`
    .replace(/"[^"]*"?|'[^']*'?|`[^`]*`?/g, '[redacted]')
    .replace(/-----BEGIN[\s\S]*/g, '[redacted]')
    .replace(/[A-Za-z0-9+/=_.-]{24,}/g, '[redacted]')
    .replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** What a connection's TLS depends on: the secure context's material and how the server is verified. */
export interface TlsMaterial {
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  pfx?: unknown;
  passphrase?: unknown;
  rejectUnauthorized?: unknown;
  servername?: unknown;
}

const TLS_FIELDS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
] as const;

function tlsMaterial(opts: https.RequestOptions): TlsMaterial {
  const m: TlsMaterial = {};
  for (const f of TLS_FIELDS) {
    if (opts[f] !== undefined && opts[f] !== null) m[f] = opts[f];
  }
  return m;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  return false;
}

export function sameMaterial(a: TlsMaterial, b: TlsMaterial): boolean {
  return TLS_FIELDS.every(f => sameValue(a[f], b[f]));
}

/** What one request needs from the cluster's credentials. */
export interface RequestAuth {
  headers: http.OutgoingHttpHeaders;
  /** `user:password` of a kubeconfig user with basic auth. */
  auth?: string;
  /** CA, client certificate and key, verification: the agent is rebuilt when it changes. */
  material: TlsMaterial;
  /** client-node's agent for a cluster behind a `proxy-url` (HTTP(S) or SOCKS): used as it is built. */
  proxyAgent?: http.Agent;
}

/**
 * The credentials of one request, computed anew each time (token files, exec plugins and strategies
 * rotate them) with client-node's public `applyToHTTPSOptions` — it also builds an agent, which is
 * dropped (nothing connected yet) unless the cluster goes through a proxy — and then the strategy's
 * credential, if the cluster has one.
 */
export async function requestAuth(
  kc: KubeConfig,
  credentials?: CredentialSource,
): Promise<RequestAuth> {
  const opts: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const built = opts.agent as http.Agent | undefined;
  delete opts.agent;
  const proxied = Boolean(kc.getCurrentCluster()?.proxyUrl);
  if (!proxied) built?.destroy();
  if (credentials) {
    let credential: KubernetesCredential;
    try {
      credential = await credentials.get();
    } catch (e) {
      throw new KubeRequestError(
        'config',
        `The cluster's authentication strategy gave no credential: ${redact(
          e,
        )}`,
      );
    }
    if (credential.type === 'bearer token') {
      opts.headers = {
        ...opts.headers,
        Authorization: `Bearer ${credential.token}`,
      };
    } else if (credential.type === 'x509 client certificate') {
      // Part of the TLS material: the agent is rebuilt when the certificate rotates.
      opts.cert = credential.cert;
      opts.key = credential.key;
    }
  }
  return {
    headers: opts.headers as http.OutgoingHttpHeaders,
    auth: typeof opts.auth === 'string' ? opts.auth : undefined,
    material: tlsMaterial(opts),
    proxyAgent: proxied ? built : undefined,
  };
}
