/**
 * HTTP/2 to one cluster: a single TLS connection whose session carries every list and watch of the cluster as
 * streams (API servers speak h2), instead of one HTTP/1.1 connection per open watch. KubeConfigClient decides when
 * to use it and falls back to its HTTP/1.1 agent when this answers `undefined` (the server's ALPN did not pick h2).
 */
import type http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import tls from 'node:tls';
import { sameMaterial, type TlsMaterial } from './requestCredentials';
import { KubeRequestError } from './types';

/** What the client reads of an answer: an IncomingMessage, or an h2 stream's answer in the same shape. */
export interface KubeResponse extends Readable {
  statusCode?: number;
  /** The whole body arrived (nothing is left to read from the server). */
  complete: boolean;
}

/** Cancels a request in flight (its own timeout, or the caller's abort signal). */
export type ArmRequest = (cancel: (err: Error) => void) => void;

/** An idle session (no stream open) closes after this long, like the HTTP/1.1 agent's idle sockets. */
const IDLE_SESSION_MS = 15_000;
/**
 * While streams are open and nothing arrived for this long, a PING: a vanished peer is noticed even when every watch
 * is quiet. It must be answered within PING_TIMEOUT_MS (at least; the cluster's timeout if longer). client-go sets
 * the same on Go's HTTP/2 transport (ReadIdleTimeout 30 s, PingTimeout 15 s): a busy server or event loop must not
 * pass for a dead peer, which would reset every list and watch of the cluster at once.
 */
const PING_INTERVAL_MS = 30_000;
const PING_TIMEOUT_MS = 15_000;
/**
 * Flow-control windows we grant the server. HTTP/2's default, 64 KiB for each stream and for the whole connection,
 * lets one connection carry only 64 KiB per round trip — and the round trip includes both event loops: with a busy
 * backend, a cluster's first lists (a CRD list is megabytes) crawl. Go's client (kubectl, client-go) grants 4 MiB per
 * stream and 1 GiB per connection; we grant less, since whatever the server sends ahead of the parser is buffered here.
 */
const STREAM_WINDOW = 1 << 20;
const CONNECTION_WINDOW = 8 << 20;
/** TCP keep-alive probes on the session's connection, as on the HTTP/1.1 sockets. */
const TCP_KEEPALIVE_MS = 30_000;

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2); HTTP/1.1 credentials code may set them. */
const CONNECTION_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** What Node's HTTP/1.1 client refuses in a header value (ERR_INVALID_CHAR): a line break, a control character. */
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

function unsendable(): KubeRequestError {
  return new KubeRequestError(
    'config',
    'The credentials cannot be sent: a header would contain a line break or control character (check the token)',
  );
}

/**
 * An h2 request's headers: the same per-request headers as HTTP/1.1, lower-cased, without connection headers.
 * Throws where HTTP/1.1 would refuse a value: nghttp2 silently drops an invalid header field, so a token with a
 * line break would go out as no credential at all (a 401 that names the wrong cause).
 */
export function h2Headers(
  headers: http.OutgoingHttpHeaders,
  basicAuth: string | undefined,
): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (v === undefined || CONNECTION_HEADERS.has(name)) continue;
    const values = Array.isArray(v) ? v : [String(v)];
    if (values.some(x => INVALID_HEADER_CHAR.test(x))) throw unsendable();
    out[name] = v;
  }
  // What http.request does with its `auth` option.
  if (basicAuth && out.authorization === undefined) {
    out.authorization = `Basic ${Buffer.from(basicAuth).toString('base64')}`;
  }
  return out;
}

/** The error a stream ends with when its session went away under it (a cut connection, a GOAWAY). */
function sessionLost(): Error {
  return Object.assign(new Error('session closed'), { code: 'ECONNRESET' });
}

interface LiveSession {
  session: http2.ClientHttp2Session;
  material: TlsMaterial;
  streams: number;
  /** When a frame of a stream last arrived: a session that is receiving needs no PING. */
  lastRead: number;
  idle?: NodeJS.Timeout;
  ping?: NodeJS.Timeout;
}

export class Http2Transport {
  private live?: LiveSession;
  private connecting?: Promise<LiveSession | undefined>;
  private connectingMaterial?: TlsMaterial;
  private closed = false;
  /** The server did not pick h2 by ALPN: remembered, every later request goes over HTTP/1.1. */
  refused = false;
  /** Sessions opened so far (tests, diagnostics): one per cluster unless it broke or the TLS material changed. */
  sessionsCreated = 0;

  constructor(
    private readonly origin: URL,
    private readonly timeoutMs: number,
    private readonly pingIntervalMs = PING_INTERVAL_MS,
    private readonly pingTimeoutMs = Math.max(timeoutMs, PING_TIMEOUT_MS),
  ) {}

  /**
   * Send a GET on the cluster's session; resolve with the answer once its headers arrived. `undefined`: the
   * server does not speak h2 (nothing was sent), the caller uses HTTP/1.1.
   */
  async request(
    url: URL,
    headers: http2.OutgoingHttpHeaders,
    material: TlsMaterial,
    secureContext: tls.SecureContext,
    arm: ArmRequest,
  ): Promise<KubeResponse | undefined> {
    let cancelled: Error | undefined;
    let onCancel = (_err: Error) => {};
    arm(err => {
      cancelled = err;
      onCancel(err);
    });
    const live = await new Promise<LiveSession | undefined>(
      (resolve, reject) => {
        onCancel = reject;
        if (cancelled) reject(cancelled);
        else this.sessionFor(material, secureContext).then(resolve, reject);
      },
    );
    if (!live) return undefined;
    return new Promise<KubeResponse>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = live.session.request({
          ...headers,
          ':method': 'GET',
          ':path': `${url.pathname}${url.search}`,
        });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException)?.code ?? '';
        reject(/HEADER|INVALID_CHAR/.test(code) ? unsendable() : e);
        return;
      }
      this.opened(live);
      const body = new PassThrough() as PassThrough & KubeResponse;
      body.complete = false;
      // Readers (for await, readline) see its errors through their own listeners; one that already stopped
      // reading must not turn a late reset into an uncaught 'error'.
      body.on('error', () => undefined);
      let answered = false;
      onCancel = err => {
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
        body.destroy(err);
        if (!answered) reject(err);
      };
      if (cancelled) onCancel(cancelled);
      stream.pipe(body, { end: false });
      stream.on('data', () => (live.lastRead = Date.now()));
      stream.on('response', h => {
        answered = true;
        body.statusCode = Number(h[':status']);
        resolve(body);
      });
      stream.on('end', () => {
        body.complete = stream.rstCode === undefined || stream.rstCode === 0;
      });
      stream.on('error', err => {
        body.destroy(err);
        if (!answered) reject(err);
      });
      stream.on('close', () => {
        this.closedStream(live);
        // A stream reset by anyone but us (a cut connection, a GOAWAY, the server's RST) ends as a broken
        // connection, not as a complete body: a list read so far is not the whole list.
        if (stream.rstCode !== 0 && !cancelled) {
          const err = sessionLost();
          body.destroy(err);
          if (!answered) reject(err);
        } else if (!body.destroyed) body.end();
      });
      // The reader stopped (a refused status read, a malformed list, a finished watch): stop the stream too.
      body.on('close', () => {
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      });
    });
  }

  /** Close the session; streams on it end, later requests fail (the client checks `closed` first). */
  close(): void {
    this.closed = true;
    this.live?.session.destroy();
    this.live = undefined;
  }

  /** The open session for this TLS material, or a new one; undefined when the server does not speak h2. */
  private sessionFor(
    material: TlsMaterial,
    secureContext: tls.SecureContext,
  ): Promise<LiveSession | undefined> {
    const live = this.live;
    if (
      live &&
      !live.session.closed &&
      !live.session.destroyed &&
      sameMaterial(live.material, material)
    ) {
      return Promise.resolve(live);
    }
    if (
      this.connecting &&
      this.connectingMaterial &&
      sameMaterial(this.connectingMaterial, material)
    ) {
      return this.connecting;
    }
    // A rotated client certificate: the old session finishes its streams and closes.
    if (live && !live.session.closed) live.session.close();
    this.live = undefined;
    const connecting = this.connect(material, secureContext).then(
      next => {
        if (this.connecting === connecting) this.connecting = undefined;
        if (!next) {
          this.refused = true;
          return undefined;
        }
        if (this.closed) {
          next.session.destroy();
          throw new KubeRequestError('aborted', 'client closed');
        }
        this.live = next;
        return next;
      },
      err => {
        if (this.connecting === connecting) this.connecting = undefined;
        throw err;
      },
    );
    this.connecting = connecting;
    this.connectingMaterial = material;
    return connecting;
  }

  /** TLS with ALPN h2 and http/1.1; an h2 session on it when the server picks h2. */
  private connect(
    m: TlsMaterial,
    secureContext: tls.SecureContext,
  ): Promise<LiveSession | undefined> {
    const host = this.origin.hostname.replace(/^\[|\]$/g, '');
    // SNI as the HTTPS agent sends it: the configured name, else the host unless it is an IP address.
    const servername =
      typeof m.servername === 'string'
        ? m.servername
        : (!net.isIP(host) && host) || undefined;
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host,
        port: Number(this.origin.port || 443),
        ALPNProtocols: ['h2', 'http/1.1'],
        // The client's secure context, shared with its HTTP/1.1 agent.
        secureContext,
        ...(m.rejectUnauthorized !== undefined
          ? { rejectUnauthorized: Boolean(m.rejectUnauthorized) }
          : {}),
        ...(servername ? { servername } : {}),
      });
      socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
      const connectTimer = setTimeout(
        () =>
          socket.destroy(
            new KubeRequestError(
              'timeout',
              `no answer within ${this.timeoutMs} ms`,
            ),
          ),
        this.timeoutMs,
      );
      socket.once('error', err => {
        clearTimeout(connectTimer);
        reject(err);
      });
      socket.once('secureConnect', () => {
        clearTimeout(connectTimer);
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          resolve(undefined);
          return;
        }
        const session = http2.connect(this.origin, {
          createConnection: () => socket,
          settings: { initialWindowSize: STREAM_WINDOW },
        });
        session.once('connect', () => {
          if (!session.destroyed) session.setLocalWindowSize(CONNECTION_WINDOW);
        });
        this.sessionsCreated++;
        const live: LiveSession = {
          session,
          material: m,
          streams: 0,
          lastRead: Date.now(),
        };
        // Errors reach the streams (each ends with it); the session's own copy must not go unhandled.
        session.on('error', () => undefined);
        const forget = () => {
          clearTimeout(live.idle);
          clearInterval(live.ping);
          if (this.live === live) this.live = undefined;
        };
        // The server is going away: streams it accepted may finish, new requests go to a new session.
        session.on('goaway', forget);
        session.on('close', forget);
        this.idle(live);
        resolve(live);
      });
    });
  }

  private opened(live: LiveSession): void {
    live.streams++;
    clearTimeout(live.idle);
    live.idle = undefined;
    live.session.ref();
    live.ping ??= setInterval(() => this.ping(live), this.pingIntervalMs);
    live.ping.unref();
  }

  private closedStream(live: LiveSession): void {
    live.streams--;
    if (live.streams === 0) this.idle(live);
  }

  /** No stream open: stop pinging, let the process exit, and close the session if it stays idle. */
  private idle(live: LiveSession): void {
    clearInterval(live.ping);
    live.ping = undefined;
    live.session.unref();
    live.idle = setTimeout(() => live.session.close(), IDLE_SESSION_MS);
    live.idle.unref();
  }

  /** A PING not answered in time: the peer is gone, the session and its streams end. */
  private ping(live: LiveSession): void {
    if (live.session.closed || live.session.destroyed) return;
    if (Date.now() - live.lastRead < this.pingIntervalMs) return;
    const timer = setTimeout(
      () => live.session.destroy(sessionLost()),
      this.pingTimeoutMs,
    );
    timer.unref();
    live.session.ping(err => {
      clearTimeout(timer);
      if (err && !live.session.destroyed) live.session.destroy(sessionLost());
    });
  }
}
