import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import { KubeConfig, type User } from '@kubernetes/client-node';
import type { ClusterDetails } from '../config/clusters';
import type { KubernetesCredential } from '@backstage/plugin-kubernetes-node';
import type { CredentialSource } from './credentials';

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

/** How a JSON answer is read. */
export interface ReadOptions {
  /**
   * Object members with these names, at any depth, are cut from the JSON text before it is parsed,
   * so they are never built as objects (a CustomResourceDefinition's `openAPIV3Schema`: hundreds of
   * KB per object, of which we read nothing).
   */
  omitKeys?: ReadonlySet<string>;
}

const enum Ch {
  Quote = 34,
  Backslash = 92,
  Comma = 44,
  Colon = 58,
  OpenBrace = 123,
  CloseBrace = 125,
  OpenBracket = 91,
  CloseBracket = 93,
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Index just past the string starting at `i` (an opening quote), or -1. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === Ch.Backslash) j++;
    else if (c === Ch.Quote) return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === Ch.Quote) return skipString(text, i);
  if (c === Ch.OpenBrace || c === Ch.OpenBracket) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === Ch.Quote) {
        j = skipString(text, j) - 1;
        if (j < 0) return -1;
      } else if (d === Ch.OpenBrace || d === Ch.OpenBracket) depth++;
      else if (d === Ch.CloseBrace || d === Ch.CloseBracket) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null.
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === Ch.Comma || d === Ch.CloseBrace || d === Ch.CloseBracket) break;
    if (isSpace(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The JSON `text` without the object members named in `keys` (at any depth), still valid JSON.
 * Text that is not well-formed JSON is returned as is, for JSON.parse to reject.
 */
export function omitJsonMembers(
  text: string,
  keys: ReadonlySet<string>,
): string {
  let present = false;
  for (const k of keys) {
    if (text.includes(`"${k}"`)) present = true;
  }
  if (!present) return text;
  const out: string[] = [];
  let copyFrom = 0;
  /** Per open container: true for an object. */
  const stack: boolean[] = [];
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === Ch.Quote) {
      const end = skipString(text, i);
      if (end < 0) return text;
      if (expectKey) {
        expectKey = false;
        const raw = text.slice(i + 1, end - 1);
        let key = raw;
        if (raw.includes('\\')) {
          try {
            key = JSON.parse(text.slice(i, end));
          } catch {
            return text;
          }
        }
        if (keys.has(key)) {
          let j = skipSpace(text, end);
          if (text.charCodeAt(j) !== Ch.Colon) return text;
          j = skipValue(text, skipSpace(text, j + 1));
          if (j < 0) return text;
          out.push(text.slice(copyFrom, i));
          j = skipSpace(text, j);
          if (text.charCodeAt(j) === Ch.Comma) {
            // Not the last member: drop the comma after it, the next key follows.
            copyFrom = j + 1;
            expectKey = true;
          } else {
            // The last member: drop the comma before it, if any.
            copyFrom = j;
            for (let p = out.length - 1; p >= 0; p--) {
              const trimmed = out[p].trimEnd();
              if (!trimmed) {
                out[p] = '';
                continue;
              }
              out[p] = trimmed.endsWith(',') ? trimmed.slice(0, -1) : trimmed;
              break;
            }
          }
          i = j;
          continue;
        }
      }
      i = end;
      continue;
    }
    if (c === Ch.OpenBrace) {
      stack.push(true);
      expectKey = true;
    } else if (c === Ch.OpenBracket) {
      stack.push(false);
      expectKey = false;
    } else if (c === Ch.CloseBrace || c === Ch.CloseBracket) {
      stack.pop();
      expectKey = false;
    } else if (c === Ch.Comma) {
      expectKey = stack[stack.length - 1] === true;
    }
    i++;
  }
  out.push(text.slice(copyFrom));
  return out.join('');
}

/**
 * Reads a Kubernetes list as its text arrives: each element of the top-level `items` is parsed and
 * handed over on its own as soon as it is complete, so neither the whole body nor all its parsed
 * items are ever held at once. `finish` parses what is left (the list without its items).
 */
export class ListItemReader {
  private buf = '';
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private expectKey = false;
  private keyStart = -1;
  private lastKey = '';
  private readonly objects: boolean[] = [];
  private inItems = false;
  private sawItems = false;
  private itemStart = -1;
  private readonly outside: string[] = [];

  constructor(
    private readonly onItem: (item: unknown) => void,
    private readonly options?: ReadOptions,
  ) {}

  write(text: string): void {
    this.buf += text;
    let buf = this.buf;
    let i = this.pos;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === Ch.Backslash) this.escape = true;
        else if (c === Ch.Quote) {
          this.inString = false;
          if (this.keyStart >= 0) {
            this.lastKey = buf.slice(this.keyStart + 1, i);
            this.keyStart = -1;
          }
        }
        continue;
      }
      if (c === Ch.Quote) {
        this.inString = true;
        if (this.depth === 1 && this.expectKey) this.keyStart = i;
        this.expectKey = false;
      } else if (c === Ch.OpenBrace || c === Ch.OpenBracket) {
        const isObject = c === Ch.OpenBrace;
        if (this.inItems && this.depth === 2) {
          if (!isObject) throw new Error('a list item is not an object');
          this.itemStart = i;
        }
        this.depth++;
        this.objects.push(isObject);
        this.expectKey = isObject;
        if (
          !isObject &&
          this.depth === 2 &&
          this.lastKey === 'items' &&
          !this.inItems
        ) {
          this.inItems = true;
          this.sawItems = true;
          // Keep the list up to `[`; the items go one by one.
          this.outside.push(buf.slice(0, i + 1));
          this.restart(i + 1);
          buf = this.buf;
          i = -1;
          continue;
        }
      } else if (c === Ch.CloseBrace || c === Ch.CloseBracket) {
        this.depth--;
        this.objects.pop();
        this.expectKey = false;
        if (this.inItems && this.depth === 2 && c === Ch.CloseBrace) {
          const itemText = buf.slice(this.itemStart, i + 1);
          this.itemStart = -1;
          this.restart(i + 1);
          buf = this.buf;
          i = -1;
          this.onItem(parseJson(itemText, this.options));
          continue;
        }
        if (this.inItems && this.depth === 1) this.inItems = false;
      } else if (c === Ch.Comma) {
        this.expectKey = this.objects[this.objects.length - 1] === true;
      } else if (
        this.inItems &&
        this.depth === 2 &&
        !isSpace(c) &&
        c !== Ch.Colon
      ) {
        throw new Error('a list item is not an object');
      }
    }
    this.pos = i;
  }

  /** Drop the text before `from` (an item handed over, or the list's head kept aside). */
  private restart(from: number): void {
    this.buf = this.buf.slice(from);
    this.pos = 0;
  }

  /** The list without its items (`metadata`: continue token, resourceVersion). */
  finish(): unknown {
    if (this.inString || this.depth !== 0 || this.inItems) {
      throw new Error('the list ended early');
    }
    if (!this.sawItems) throw new Error('not a list: no items');
    return JSON.parse(this.outside.join('') + this.buf);
  }
}

function parseJson(text: string, options?: ReadOptions): unknown {
  return JSON.parse(
    options?.omitKeys?.size ? omitJsonMembers(text, options.omitKeys) : text,
  );
}

/**
 * The only way the backend talks to a cluster: GET a JSON document, or open a
 * watch. Read-only by construction. Tests may substitute their own.
 */
export interface KubeClient {
  /** GET `path` and parse the JSON answer. Rejects with a KubeRequestError. */
  getJson(
    path: string,
    query?: Query,
    signal?: AbortSignal,
    options?: ReadOptions,
  ): Promise<unknown>;
  /**
   * GET a list, handing each element of its `items` to `onItem` as soon as it is parsed; resolves
   * with the rest of the list (its `metadata`), items left out. Optional: without it, callers use
   * `getJson` and read `items` themselves.
   */
  getList?(
    path: string,
    query: Query,
    onItem: (item: unknown) => void,
    signal?: AbortSignal,
    options?: ReadOptions,
  ): Promise<unknown>;
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
    options?: ReadOptions,
  ): Promise<{ ended: Promise<void> }>;
  /**
   * Release the client's connections (the cluster's cache stopped). Requests
   * still in flight fail; the client is not used afterwards.
   */
  close?(): void;
}

export type KubeClientFactory = (cluster: ClusterDetails) => KubeClient;

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
 * A strategy's error for a log line: cloud SDK errors say what is missing ("Could not load
 * credentials from any providers"); anything long enough to be a token or key is cut out.
 */
function redact(e: unknown): string {
  const err = e as Error;
  const text = `${err?.name ?? 'Error'}: ${String(err?.message ?? e)}`
    .replace(/[A-Za-z0-9+/=_.-]{24,}/g, '[redacted]')
    .replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
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
  // Only a code: an error's text may quote what was sent (a header value, a token).
  return new KubeRequestError(
    'network',
    `connection failed (${/^[A-Z0-9_]+$/.test(code) ? code : 'unknown error'})`,
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

/** What a connection's TLS depends on: the secure context's material and how the server is verified. */
interface TlsMaterial {
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

function sameMaterial(a: TlsMaterial, b: TlsMaterial): boolean {
  return TLS_FIELDS.every(f => sameValue(a[f], b[f]));
}

/** Idle keep-alive connections kept per cluster: lists come in bursts (a few at a time), watches hold their own. */
const MAX_FREE_SOCKETS = 4;
/** An idle connection closes after this long, or sooner when the server announces a shorter keep-alive. */
const FREE_SOCKET_TIMEOUT_MS = 15_000;
/** TCP keep-alive probes: notice a vanished peer on long-lived watches (as client-node's Watch does). */
const TCP_KEEPALIVE_MS = 30_000;
/** A request on a reused connection that the server had just closed: sent once more on a new one. */
const RETRY_ON_REUSED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * The two methods of client-node's KubeConfig (1.x, private in its typings) that fill request
 * options and build an agent; `applyToHTTPSOptions` does both, building a new agent on every call.
 */
interface KubeConfigInternals {
  applyOptions?: (opts: https.RequestOptions) => Promise<void>;
  createAgent?: (cluster: unknown, agentOptions: object) => http.Agent;
}

/** Stop pooling on an agent that is being replaced: idle connections close now, busy ones when done. */
function retire(agent: http.Agent): void {
  (agent as unknown as { keepAlive: boolean }).keepAlive = false;
  for (const sockets of Object.values(agent.freeSockets)) {
    for (const s of sockets ?? []) s.destroy();
  }
}

/**
 * The real client: `https.request` with the credentials client-node's KubeConfig computes (CA,
 * token, exec plugins, client certs), over one keep-alive agent per cluster with one TLS secure
 * context, shared by every list and watch of the cluster. The token is applied per request (token
 * files and exec plugins rotate it); the agent is rebuilt only when the TLS material changes (an
 * exec plugin's rotated client certificate).
 */
export class KubeConfigClient implements KubeClient {
  private readonly server: string;
  private readonly isHttp: boolean;
  private agent?: http.Agent;
  private material?: TlsMaterial;
  private closed = false;
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
  }

  static fromCluster(cluster: ClusterDetails): KubeConfigClient {
    return new KubeConfigClient(
      kubeConfigFor(cluster),
      cluster.timeoutMs,
      cluster.auth.type === 'strategy' ? cluster.auth.credentials : undefined,
    );
  }

  /** Headers (the token, read per request) and TLS material, without building an agent. */
  private async requestOptions(): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = { headers: {} };
    const internals = this.kc as unknown as KubeConfigInternals;
    if (typeof internals.applyOptions === 'function') {
      await internals.applyOptions.call(this.kc, opts);
      const user = this.kc.getCurrentUser();
      if (user?.username) opts.auth = `${user.username}:${user.password}`;
    } else {
      // Another client-node version: the public path, discarding the agent it builds.
      await this.kc.applyToHTTPSOptions(opts);
      (opts.agent as http.Agent | undefined)?.destroy?.();
      delete opts.agent;
    }
    if (this.credentials) {
      let credential: KubernetesCredential;
      try {
        credential = await this.credentials.get();
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
    return opts;
  }

  /** The cluster's agent, built on first use and reused while the TLS material stays the same. */
  private agentFor(opts: https.RequestOptions): http.Agent {
    const material = tlsMaterial(opts);
    if (this.agent && this.material && sameMaterial(this.material, material)) {
      return this.agent;
    }
    const agent = this.buildAgent(material);
    if (this.agent) retire(this.agent);
    this.agent = agent;
    this.material = material;
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
    const cluster = this.kc.getCurrentCluster();
    if (cluster?.proxyUrl) {
      // client-node builds the proxy agent (HTTP(S) or SOCKS); once, with pooling on.
      const internals = this.kc as unknown as KubeConfigInternals;
      if (typeof internals.createAgent !== 'function') {
        throw new Error('proxy-url is not supported with this client version');
      }
      return internals.createAgent.call(this.kc, cluster, {
        ...m,
        ...pooling,
      });
    }
    if (this.isHttp) {
      if (!cluster?.skipTLSVerify) {
        throw new Error(
          'HTTP protocol is not allowed when skipTLSVerify is not set or false',
        );
      }
      return new http.Agent(pooling);
    }
    // One secure context for every connection to the cluster (the CA parsed once, not per request).
    const secureContext = tls.createSecureContext({
      ca: m.ca as tls.SecureContextOptions['ca'],
      cert: m.cert as tls.SecureContextOptions['cert'],
      key: m.key as tls.SecureContextOptions['key'],
      pfx: m.pfx as tls.SecureContextOptions['pfx'],
      passphrase: m.passphrase as string | undefined,
    });
    return new https.Agent({
      ...pooling,
      secureContext,
      ...(m.rejectUnauthorized !== undefined
        ? { rejectUnauthorized: Boolean(m.rejectUnauthorized) }
        : {}),
      ...(typeof m.servername === 'string' ? { servername: m.servername } : {}),
    });
  }

  /** Close every connection of the cluster; later requests fail as cancelled. */
  close(): void {
    this.closed = true;
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
  ): Promise<http.IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) url.searchParams.set(k, v);
    }
    let opts: https.RequestOptions;
    let agent: http.Agent;
    try {
      opts = await this.requestOptions();
      if (this.closed) throw new KubeRequestError('aborted', 'client closed');
      agent = this.agentFor(opts);
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
    const mod = this.isHttp ? http : https;
    const reqOpts: https.RequestOptions = {
      method: 'GET',
      agent,
      headers: { ...opts.headers, Accept: 'application/json' },
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

  private async failIfNot200(res: http.IncomingMessage, what: string) {
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
    signal: AbortSignal | undefined,
    consume: (res: http.IncomingMessage, decoder: StringDecoder) => Promise<T>,
  ): Promise<T> {
    const timer = newTimer();
    const res = await this.open(path, query, signal, timer);
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
    return this.readBody(path, query, signal, async (res, decoder) => {
      const parts: string[] = [];
      for await (const chunk of res) parts.push(decoder.write(chunk as Buffer));
      parts.push(decoder.end());
      try {
        return parseJson(parts.join(''), options);
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
    return this.readBody(path, query, signal, async (res, decoder) => {
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
      });
      const onError = (err: unknown) =>
        finish(
          this.closed
            ? new KubeRequestError('aborted', 'watch cancelled')
            : networkError(err),
        );
      res.on('error', onError);
      // readline re-emits its input's errors (a connection reset mid-stream): unhandled, they would be thrown.
      lines.on('error', onError);
      res.on('close', () => finish());
      lines.on('close', () => finish());
    });
    // The caller always awaits or catches `ended`; keep an unhandled rejection from surfacing before it does.
    ended.catch(() => undefined);
    return { ended };
  }
}
