import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterDetails } from '../config/clusters';
import type { CredentialSource } from './credentials';
import {
  Http2Transport,
  h2Headers,
  type ArmRequest,
  type KubeResponse,
} from './http2Transport';
import { JsonMemberFilter, ListItemReader, parseJson } from './jsonStream';
import {
  kubeConfigFor,
  requestAuth,
  sameMaterial,
  type RequestAuth,
  type TlsMaterial,
} from './requestCredentials';
import {
  KubeRequestError,
  type KubeClient,
  type Query,
  type ReadOptions,
  type WatchEvent,
} from './types';

// Callers import the client's vocabulary from here; it lives in files by concern.
export * from './types';
export { ListItemReader, omitJsonMembers } from './jsonStream';
export { kubeConfigFor } from './requestCredentials';

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
  // Only a code: an error's text may quote what was sent (a header value, a token).
  return new KubeRequestError(
    'network',
    `connection failed (${/^[A-Z0-9_]+$/.test(code) ? code : 'unknown error'})`,
  );
}

/** Read a Status body's `reason`, discarding everything else of it. */
async function statusReason(res: KubeResponse): Promise<string | undefined> {
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

/**
 * Start a request's timeout and follow the caller's abort signal; `cancel` stops the request (whichever transport
 * carries it). `timer.clear` ends both.
 */
function armRequest(
  timer: RequestTimer,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): ArmRequest {
  return cancel => {
    const handle = setTimeout(() => {
      timer.timedOut = true;
      cancel(timeoutError(timeoutMs));
    }, timeoutMs);
    const onAbort = () => {
      timer.aborted = true;
      cancel(new KubeRequestError('aborted', 'request cancelled'));
    };
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    timer.clear = () => {
      clearTimeout(handle);
      signal?.removeEventListener('abort', onAbort);
    };
  };
}

/** Idle keep-alive connections kept per cluster: lists come in bursts (a few at a time), watches hold their own. */
const MAX_FREE_SOCKETS = 4;
/** An idle connection closes after this long, or sooner when the server announces a shorter keep-alive. */
const FREE_SOCKET_TIMEOUT_MS = 15_000;
/** TCP keep-alive probes: notice a vanished peer on long-lived watches (as client-node's Watch does). */
const TCP_KEEPALIVE_MS = 30_000;
/** A request on a reused connection that the server had just closed: sent once more on a new one. */
const RETRY_ON_REUSED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Stop pooling on an agent that is being replaced: idle connections close now, busy ones when done. */
function retire(agent: http.Agent): void {
  (agent as unknown as { keepAlive: boolean }).keepAlive = false;
  for (const sockets of Object.values(agent.freeSockets)) {
    for (const s of sockets ?? []) s.destroy();
  }
}

/**
 * The real client (the transport) with the credentials of `requestAuth` (client-node's KubeConfig through its public
 * API, or a Backstage strategy). Over HTTP/2 where the API server speaks it (Http2Transport: one connection per
 * cluster carries every list and watch as streams); otherwise — the server's ALPN did not pick h2 (remembered), a
 * proxy, a plain-http URL — `https.request` over one keep-alive agent per cluster with one TLS secure context, where
 * each open watch holds a connection of its own. The token is applied per request (token files and exec plugins
 * rotate it); the session or agent is rebuilt only when the TLS material changes (an exec plugin's rotated client
 * certificate).
 */
export class KubeConfigClient implements KubeClient {
  private readonly server: string;
  private readonly isHttp: boolean;
  private agent?: http.Agent;
  private material?: TlsMaterial;
  private context?: { material: TlsMaterial; secureContext: tls.SecureContext };
  private closed = false;
  /** HTTP/2 to the cluster; absent for plain-http URLs (h2 without TLS is not what API servers offer). */
  private readonly h2?: Http2Transport;
  /** Agents built so far (tests, diagnostics): one per client unless the TLS material changed. */
  agentsCreated = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs: number,
    /** A Backstage AuthenticationStrategy's credential, asked for before every request. */
    private readonly credentials?: CredentialSource,
  ) {
    this.server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
    this.isHttp = this.server.startsWith('http:');
    if (!this.isHttp)
      this.h2 = new Http2Transport(new URL(this.server), timeoutMs);
  }

  /** The protocol requests go over now: h2 until the server refuses it or a proxy is configured. */
  get protocol(): 'h2' | 'http/1.1' {
    return this.h2 && !this.h2.refused && !this.kc.getCurrentCluster()?.proxyUrl
      ? 'h2'
      : 'http/1.1';
  }

  /** HTTP/2 sessions opened so far (tests, diagnostics): one per cluster unless it broke or its TLS material changed. */
  get sessionsCreated(): number {
    return this.h2?.sessionsCreated ?? 0;
  }

  static fromCluster(cluster: ClusterDetails): KubeConfigClient {
    return new KubeConfigClient(
      kubeConfigFor(cluster),
      cluster.timeoutMs,
      cluster.auth.type === 'strategy' ? cluster.auth.credentials : undefined,
    );
  }

  /** The cluster's agent, built on first use and reused while the TLS material stays the same. */
  private agentFor(req: RequestAuth): http.Agent {
    if (
      this.agent &&
      this.material &&
      sameMaterial(this.material, req.material)
    ) {
      req.proxyAgent?.destroy();
      return this.agent;
    }
    const agent = req.proxyAgent ?? this.buildAgent(req.material);
    if (this.agent) retire(this.agent);
    this.agent = agent;
    this.material = req.material;
    this.agentsCreated++;
    return agent;
  }

  private buildAgent(m: TlsMaterial): http.Agent {
    const pooling = {
      keepAlive: true,
      keepAliveMsecs: TCP_KEEPALIVE_MS,
      maxFreeSockets: MAX_FREE_SOCKETS,
      timeout: FREE_SOCKET_TIMEOUT_MS,
      scheduling: 'lifo' as const,
    };
    if (this.isHttp) return new http.Agent(pooling);
    return new https.Agent({
      ...pooling,
      secureContext: this.secureContextFor(m),
      ...(m.rejectUnauthorized !== undefined
        ? { rejectUnauthorized: Boolean(m.rejectUnauthorized) }
        : {}),
      ...(typeof m.servername === 'string' ? { servername: m.servername } : {}),
    });
  }

  /**
   * One secure context for every connection to the cluster, HTTP/2 session or agent (the CA and client key parsed
   * once, not per request); a new one when the material changes.
   */
  private secureContextFor(m: TlsMaterial): tls.SecureContext {
    if (this.context && sameMaterial(this.context.material, m)) {
      return this.context.secureContext;
    }
    const secureContext = tls.createSecureContext({
      ca: m.ca as tls.SecureContextOptions['ca'],
      cert: m.cert as tls.SecureContextOptions['cert'],
      key: m.key as tls.SecureContextOptions['key'],
      pfx: m.pfx as tls.SecureContextOptions['pfx'],
      passphrase: m.passphrase as string | undefined,
    });
    this.context = { material: m, secureContext };
    return secureContext;
  }

  /** Close every connection of the cluster; later requests fail as cancelled. */
  close(): void {
    this.closed = true;
    this.h2?.close();
    this.agent?.destroy();
    this.agent = undefined;
    this.material = undefined;
  }

  /** Send a GET; resolve with the response once headers arrived within the timeout. */
  private async open(
    path: string,
    query: Query,
    signal: AbortSignal | undefined,
    timer: RequestTimer,
    accept = 'application/json',
  ): Promise<KubeResponse> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) url.searchParams.set(k, v);
    }
    let opts: RequestAuth;
    let secureContext: tls.SecureContext | undefined;
    try {
      opts = await requestAuth(this.kc, this.credentials);
      if (this.closed) throw new KubeRequestError('aborted', 'client closed');
      // Parsed here, so that an unusable key or certificate is a configuration error on either protocol.
      if (!this.isHttp && !opts.proxyAgent) {
        secureContext = this.secureContextFor(opts.material);
        // The cluster's copy, equal to this request's: an open watch holds its request's material for as long as it
        // runs, and each fresh copy's CA Buffer pins an 8 KiB slab of Node's Buffer pool (9 MB for 3,600 watches).
        opts.material = this.context!.material;
      }
    } catch (e) {
      if (e instanceof KubeRequestError) throw e;
      // Never the error's text: it may quote the kubeconfig's token, key or exec output.
      const code = (e as NodeJS.ErrnoException)?.code;
      throw new KubeRequestError(
        'config',
        `Cannot build credentials for the cluster${
          code && /^[A-Z0-9_]+$/.test(code) ? ` (${code})` : ''
        }: check the kubeconfig's user (token, client certificate and key, exec plugin)`,
      );
    }
    // The same headers on either protocol: the credential's, then what this request asks for.
    const headers: http.OutgoingHttpHeaders = {
      ...opts.headers,
      Accept: accept,
    };
    if (this.h2 && !this.h2.refused && secureContext) {
      try {
        const res = await this.h2.request(
          url,
          h2Headers(headers, opts.auth),
          opts.material,
          secureContext,
          armRequest(timer, signal, this.timeoutMs),
        );
        if (res) return res;
      } catch (e) {
        timer.clear();
        if (e instanceof KubeRequestError && e.failure === 'config') throw e;
        throw classify(e, timer, this.timeoutMs);
      }
      // The server does not speak h2 (its ALPN picked HTTP/1.1): from now on this cluster goes over the agent.
      timer.clear();
      timer.timedOut = false;
    }
    const agent = this.agentFor(opts);
    if (this.material) opts.material = this.material;
    const mod = this.isHttp ? http : https;
    const reqOpts: https.RequestOptions = {
      method: 'GET',
      agent,
      headers,
      ...(opts.auth ? { auth: opts.auth } : {}),
    };
    const send = (mayRetry: boolean) =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        let req: http.ClientRequest;
        try {
          req = mod.request(url, reqOpts);
        } catch {
          // Node refuses a header before sending it (ERR_INVALID_CHAR: a token with a line break).
          reject(
            new KubeRequestError(
              'config',
              'The credentials cannot be sent: a header would contain a line break or control character (check the token)',
            ),
          );
          return;
        }
        armRequest(timer, signal, this.timeoutMs)(err => req.destroy(err));
        let answered = false;
        req.on('error', err => {
          timer.clear();
          const code = (err as NodeJS.ErrnoException)?.code ?? '';
          if (
            mayRetry &&
            !answered &&
            req.reusedSocket &&
            !timer.aborted &&
            !timer.timedOut &&
            RETRY_ON_REUSED.has(code)
          ) {
            resolve(send(false));
            return;
          }
          reject(classify(err, timer, this.timeoutMs));
        });
        req.on('socket', socket => socket.setKeepAlive(true, TCP_KEEPALIVE_MS));
        req.on('response', res => {
          answered = true;
          resolve(res);
        });
        req.end();
      });
    return send(true);
  }

  private async failIfNot200(res: KubeResponse, what: string) {
    if (res.statusCode === 200) return;
    const status = res.statusCode ?? 0;
    // A refused credential is not reused, whatever its expiry said (revoked, clock skew).
    if (status === 401) this.credentials?.invalidate();
    const reason = await statusReason(res).catch(() => undefined);
    // A body we stopped reading would hold the connection: close it instead of pooling it.
    if (!res.complete) res.destroy();
    throw new KubeRequestError(
      'http',
      `${what} answered HTTP ${status}${reason ? ` ${reason}` : ''}`,
      status,
      reason,
    );
  }

  /**
   * GET `path` and hand its 200 body to `consume`. The timer keeps running while the body arrives: a list that
   * trickles in is a timeout too. Bodies are decoded chunk by chunk, so the socket's buffers are let go as they
   * arrive, not held until the end.
   */
  private async readBody<T>(
    path: string,
    query: Query,
    { signal, accept }: { signal?: AbortSignal; accept?: string },
    consume: (res: KubeResponse, decoder: StringDecoder) => Promise<T>,
  ): Promise<T> {
    const timer = newTimer();
    const res = await this.open(path, query, signal, timer, accept);
    try {
      await this.failIfNot200(res, `GET ${path}`);
      return await consume(res, new StringDecoder('utf8'));
    } catch (e) {
      throw classify(e, timer, this.timeoutMs);
    } finally {
      timer.clear();
    }
  }

  getJson(
    path: string,
    query: Query = {},
    signal?: AbortSignal,
    options?: ReadOptions,
  ): Promise<unknown> {
    const how = { signal, accept: options?.accept };
    return this.readBody(path, query, how, async (res, decoder) => {
      const parts: string[] = [];
      // Cut as it arrives: a full CRD is megabytes of schema, never needed as one string.
      const filter = options?.omitKeys?.size
        ? new JsonMemberFilter(options.omitKeys)
        : undefined;
      const keep = (text: string) => (filter ? filter.write(text) : text);
      for await (const chunk of res)
        parts.push(keep(decoder.write(chunk as Buffer)));
      parts.push(keep(decoder.end()));
      if (filter) parts.push(filter.end());
      try {
        if (filter?.broken) throw new Error('not JSON');
        return JSON.parse(parts.join(''));
      } catch {
        throw new KubeRequestError(
          'malformed',
          `GET ${path} did not answer JSON`,
        );
      }
    });
  }

  getList(
    path: string,
    query: Query,
    onItem: (item: unknown) => void,
    signal?: AbortSignal,
    options?: ReadOptions,
  ): Promise<unknown> {
    const how = { signal, accept: options?.accept };
    return this.readBody(path, query, how, async (res, decoder) => {
      const reader = new ListItemReader(onItem, options);
      /** What the reader rejects is the server's fault: malformed, and the rest of the body is not read. */
      const read = <T>(f: () => T): T => {
        try {
          return f();
        } catch (e) {
          if (!res.complete) res.destroy();
          if (e instanceof KubeRequestError) throw e;
          throw new KubeRequestError(
            'malformed',
            `GET ${path} did not answer a JSON list`,
          );
        }
      };
      for await (const chunk of res) {
        read(() => reader.write(decoder.write(chunk as Buffer)));
      }
      return read(() => {
        reader.write(decoder.end());
        return reader.finish();
      });
    });
  }

  async watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
    idleTimeoutMs: number,
    options?: ReadOptions,
  ): Promise<{ ended: Promise<void> }> {
    const timer = newTimer();
    const res = await this.open(
      path,
      { ...query, watch: 'true' },
      signal,
      timer,
      options?.accept,
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
      // Lines split here rather than by readline: an Interface with its decoder and a dozen listeners per open
      // watch was ~2.5 kB of heap each, 9 MB for 3,600 watches.
      const decoder = new StringDecoder('utf8');
      let pending = '';
      const onLine = (raw: string) => {
        const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (settled || !line.trim()) return;
        armIdle();
        let event: WatchEvent;
        try {
          event = parseJson(line, options) as WatchEvent;
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
      };
      res.on('data', (chunk: Buffer) => {
        const text = pending + decoder.write(chunk);
        let start = 0;
        for (
          let nl = text.indexOf('\n');
          nl >= 0;
          nl = text.indexOf('\n', start)
        ) {
          onLine(text.slice(start, nl));
          start = nl + 1;
          if (settled) return;
        }
        pending = text.slice(start);
      });
      // The body ended: a last line without its newline is still an event (as readline read it).
      res.on('end', () => {
        const rest = pending + decoder.end();
        pending = '';
        if (rest) onLine(rest);
        finish();
      });
      res.on('error', (err: unknown) =>
        finish(
          this.closed
            ? new KubeRequestError('aborted', 'watch cancelled')
            : networkError(err),
        ),
      );
      res.on('close', () => finish());
    });
    // The caller always awaits or catches `ended`; keep an unhandled rejection from surfacing before it does.
    ended.catch(() => undefined);
    return { ended };
  }
}
