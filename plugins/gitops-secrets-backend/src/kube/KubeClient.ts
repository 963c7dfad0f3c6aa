import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterDetails } from '../config/clusters';

/** How a Kubernetes request failed. Carries no upstream body: only what we need to classify it. */
export type KubeFailure =
  /** Could not connect, TLS failed, or the connection broke. */
  | 'network'
  /** No answer within the cluster's timeout. */
  | 'timeout'
  /** The API server answered with a status other than 200. */
  | 'http'
  /** The answer was not the JSON we asked for. */
  | 'malformed'
  /** We cancelled it (the cache stopped). */
  | 'aborted'
  /** The cluster's configuration cannot be used (kubeconfig missing, unknown context…). */
  | 'config';

export class KubeRequestError extends Error {
  readonly name = 'KubeRequestError';
  constructor(
    readonly failure: KubeFailure,
    message: string,
    /** HTTP status, for `http`, or the `code` of a watch ERROR event. */
    readonly status?: number,
    /** The `reason` of a Kubernetes Status (e.g. `Expired`, `Forbidden`): a fixed vocabulary, safe to log. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** One event of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR' | string;
  object: unknown;
}

export type Query = Record<string, string | undefined>;

/**
 * The only way the backend talks to a cluster: GET a JSON document, or open a
 * watch. Read-only by construction. Tests may substitute their own.
 */
export interface KubeClient {
  /** GET `path` and parse the JSON answer. Rejects with a KubeRequestError. */
  getJson(path: string, query?: Query, signal?: AbortSignal): Promise<unknown>;
  /**
   * Open a watch. Resolves once the API server answered 200, with a promise
   * that settles when the stream ends (resolves on a clean end, rejects with a
   * KubeRequestError otherwise). Rejects at once when the server refuses.
   * `idleTimeoutMs` aborts a stream that has been silent that long.
   */
  watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
    idleTimeoutMs: number,
  ): Promise<{ ended: Promise<void> }>;
}

export type KubeClientFactory = (cluster: ClusterDetails) => KubeClient;

const SERVICE_ACCOUNT_TOKEN =
  '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** A KubeConfig for one configured cluster; throws KubeRequestError('config') when unusable. */
export function kubeConfigFor(cluster: ClusterDetails): KubeConfig {
  const kc = new KubeConfig();
  const auth = cluster.auth;
  if (auth.type === 'unsupported') {
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
    users: [
      auth.token
        ? { name: 'gitops-secrets', token: auth.token }
        : {
            // In-cluster: the pod's projected token, re-read as it rotates.
            name: 'gitops-secrets',
            authProvider: {
              name: 'tokenFile',
              config: { tokenFile: SERVICE_ACCOUNT_TOKEN },
            },
          },
    ],
    contexts: [
      { name: cluster.name, cluster: cluster.name, user: 'gitops-secrets' },
    ],
    currentContext: cluster.name,
  });
  return kc;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
};

/** Describe a socket/TLS error without anything from the server. */
function networkError(err: unknown): KubeRequestError {
  if (err instanceof KubeRequestError) return err;
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  if (NETWORK_CODES[code]) {
    return new KubeRequestError('network', `${NETWORK_CODES[code]} (${code})`);
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) {
    return new KubeRequestError(
      'network',
      `TLS verification of the API server failed (${code}): check caData/caFile`,
    );
  }
  return new KubeRequestError(
    'network',
    `connection failed (${code || (err as Error)?.message || 'unknown error'})`,
  );
}

/** Read a Status body's `reason`, discarding everything else of it. */
async function statusReason(
  res: http.IncomingMessage,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    // A Status is small; anything big is not one we need.
    if (size > 64 * 1024) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof body?.reason === 'string' && /^[A-Za-z]+$/.test(body.reason)
      ? body.reason
      : undefined;
  } catch {
    return undefined;
  }
}

interface RequestTimer {
  timedOut: boolean;
  aborted: boolean;
  clear: () => void;
}

function newTimer(): RequestTimer {
  return { timedOut: false, aborted: false, clear: () => undefined };
}

function timeoutError(ms: number): KubeRequestError {
  return new KubeRequestError('timeout', `no answer within ${ms} ms`);
}

/** Our own timeout or cancellation wins over the socket error it causes. */
function classify(
  err: unknown,
  timer: RequestTimer,
  timeoutMs: number,
): KubeRequestError {
  if (timer.aborted)
    return new KubeRequestError('aborted', 'request cancelled');
  if (timer.timedOut) return timeoutError(timeoutMs);
  return networkError(err);
}

/** The real client: `https.request` with the options client-node's KubeConfig computes (CA, token, exec plugins, client certs). */
export class KubeConfigClient implements KubeClient {
  private readonly server: string;

  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs: number,
  ) {
    this.server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
  }

  static fromCluster(cluster: ClusterDetails): KubeConfigClient {
    return new KubeConfigClient(kubeConfigFor(cluster), cluster.timeoutMs);
  }

  /** Send a GET; resolve with the response once headers arrived within the timeout. */
  private async open(
    path: string,
    query: Query,
    signal: AbortSignal | undefined,
    timer: RequestTimer,
  ): Promise<http.IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) url.searchParams.set(k, v);
    }
    const opts: https.RequestOptions = { headers: {} };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (e) {
      throw new KubeRequestError(
        'config',
        `Cannot build credentials for the cluster: ${
          (e as Error).message?.split('\n')[0] ?? 'unknown error'
        }`,
      );
    }
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, {
        ...opts,
        method: 'GET',
        headers: { ...opts.headers, Accept: 'application/json' },
      });
      const handle = setTimeout(() => {
        timer.timedOut = true;
        req.destroy(timeoutError(this.timeoutMs));
      }, this.timeoutMs);
      const onAbort = () => {
        timer.aborted = true;
        req.destroy(new KubeRequestError('aborted', 'request cancelled'));
      };
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      timer.clear = () => {
        clearTimeout(handle);
        signal?.removeEventListener('abort', onAbort);
      };
      req.on('error', err => {
        timer.clear();
        reject(classify(err, timer, this.timeoutMs));
      });
      // Notice a vanished peer on long-lived watches (as client-node's Watch does).
      req.on('socket', socket => socket.setKeepAlive(true, 30_000));
      req.on('response', res => resolve(res));
      req.end();
    });
  }

  private async failIfNot200(res: http.IncomingMessage, what: string) {
    if (res.statusCode === 200) return;
    const status = res.statusCode ?? 0;
    const reason = await statusReason(res).catch(() => undefined);
    throw new KubeRequestError(
      'http',
      `${what} answered HTTP ${status}${reason ? ` ${reason}` : ''}`,
      status,
      reason,
    );
  }

  async getJson(
    path: string,
    query: Query = {},
    signal?: AbortSignal,
  ): Promise<unknown> {
    const timer = newTimer();
    const res = await this.open(path, query, signal, timer);
    try {
      await this.failIfNot200(res, `GET ${path}`);
      // The timer keeps running while the body arrives: a list that trickles in is a timeout too.
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      try {
        return JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        throw new KubeRequestError(
          'malformed',
          `GET ${path} did not answer JSON`,
        );
      }
    } catch (e) {
      throw classify(e, timer, this.timeoutMs);
    } finally {
      timer.clear();
    }
  }

  async watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
    idleTimeoutMs: number,
  ): Promise<{ ended: Promise<void> }> {
    const timer = newTimer();
    const res = await this.open(
      path,
      { ...query, watch: 'true' },
      signal,
      timer,
    );
    try {
      await this.failIfNot200(res, `watch ${path}`);
    } catch (e) {
      throw classify(e, timer, this.timeoutMs);
    } finally {
      // Headers (and a refusal's body) arrived: from here the stream may stay open for minutes.
      timer.clear();
    }
    const ended = new Promise<void>((resolve, reject) => {
      let settled = false;
      let idle: NodeJS.Timeout | undefined;
      let onAbort = () => {};
      const finish = (err?: KubeRequestError) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        signal.removeEventListener('abort', onAbort);
        res.destroy();
        if (err) reject(err);
        else resolve();
      };
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(
          () =>
            finish(
              new KubeRequestError(
                'timeout',
                `watch silent for ${idleTimeoutMs} ms`,
              ),
            ),
          idleTimeoutMs,
        );
      };
      onAbort = () =>
        finish(new KubeRequestError('aborted', 'watch cancelled'));
      signal.addEventListener('abort', onAbort, { once: true });
      armIdle();
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      lines.on('line', line => {
        if (settled || !line.trim()) return;
        armIdle();
        let event: WatchEvent;
        try {
          event = JSON.parse(line);
        } catch {
          // We may have lost an event: end the stream so the cache lists again.
          finish(
            new KubeRequestError(
              'malformed',
              `watch ${path} sent a line that is not JSON`,
            ),
          );
          return;
        }
        try {
          onEvent(event);
        } catch (e) {
          finish(
            e instanceof KubeRequestError
              ? e
              : new KubeRequestError(
                  'malformed',
                  `watch ${path} sent an event we could not read`,
                ),
          );
        }
      });
      res.on('error', err => finish(networkError(err)));
      res.on('close', () => finish());
      lines.on('close', () => finish());
    });
    // The caller always awaits or catches `ended`; keep an unhandled rejection from surfacing before it does.
    ended.catch(() => undefined);
    return { ended };
  }
}
