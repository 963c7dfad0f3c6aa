import crypto from 'node:crypto';
import http2 from 'node:http2';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { loadCrds } from '@golden-gitops/crd-schemas';
import type { SimCa } from './ca';
import { ObjectApi, canonical, gr, parseBody } from './ops';
import { openApiV3Document, openApiV3Root } from './openapi';
import { decodeKubeProtobuf } from './protobuf';
import {
  ResourceType,
  apiGroup,
  apiResourceList,
  groupVersion,
} from './resources';
import { combine, fieldMatcher, labelMatcher } from './selectors';
import { ApiError, StatusBody, errors } from './status';
import { verifyEksToken, verifyOidcToken } from './tokenAuth';
import { ClusterState, EventType, Stored, clone, parseRv } from './store';
import { IncludeObject, table, tableRow, wantsTable } from './table';
import {
  checkMetadataForm,
  partialMetadataJson,
  partialMetadataListHead,
  wantsMetadata,
} from './metadata';
import type {
  EksAuthOptions,
  FaultConfig,
  KubeObject,
  OidcAuthOptions,
  PolicyRule,
  SimCluster,
  SimClusterOptions,
  SimCounters,
  TokenGrant,
} from './types';

export const SERVER_VERSION = {
  major: '1',
  minor: '34',
  gitVersion: 'v1.34.2',
  gitCommit: '8cc511e399b929453cd98ae65b419c3cc227ec79',
  gitTreeState: 'clean',
  buildDate: '2025-11-11T19:09:54Z',
  goVersion: 'go1.24.9',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const ADMIN_GRANT: TokenGrant = {
  user: 'kubernetes-admin',
  rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
};

type CounterVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'discovery';

interface ResourceRoute {
  t: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const DEFAULT_WATCH_TIMEOUT_S = 1800;

// The apiserver's continue tokens name the key after the last one returned: the last key plus a NUL.
const KEY_END = String.fromCharCode(0);

function json(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendStatus(res: ServerResponse, e: ApiError): void {
  json(res, e.code, JSON.stringify(e.status));
}

function readBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c as Buffer));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString('utf8');
}

/** The object of a POST/PUT: JSON, or protobuf for the built-in kinds kubectl's generators send that way. */
async function readObject(req: IncomingMessage): Promise<unknown> {
  const contentType = req.headers['content-type'] ?? 'application/json';
  const bytes = await readBytes(req);
  if (contentType.startsWith('application/vnd.kubernetes.protobuf')) {
    let decoded;
    try {
      decoded = decodeKubeProtobuf(bytes);
    } catch {
      decoded = undefined;
    }
    if (decoded) return decoded;
  }
  return parseBody(bytes.toString('utf8'), contentType);
}

function ruleAllows(
  rule: PolicyRule,
  verb: string,
  group: string,
  resource: string,
  namespace: string | undefined,
): boolean {
  const any = (list: string[], v: string) =>
    list.includes('*') || list.includes(v);
  if (!any(rule.verbs, verb) || !any(rule.apiGroups, group)) return false;
  const [plural, sub] = resource.split('/');
  const resourceOk =
    rule.resources.includes('*') ||
    rule.resources.includes(resource) ||
    (sub !== undefined && rule.resources.includes(`*/${sub}`)) ||
    (sub !== undefined && rule.resources.includes(`${plural}/*`));
  if (!resourceOk) return false;
  if (rule.namespaces === undefined || rule.namespaces.includes('*'))
    return true;
  return namespace !== undefined && rule.namespaces.includes(namespace);
}

/** One simulated cluster: its state, its HTTPS server and the knobs tests turn. */
export class SimServer implements SimCluster {
  readonly name: string;
  url = '';
  readonly caData: string;
  readonly adminToken: string;
  readonly state: ClusterState;
  readonly api: ObjectApi;
  private readonly tokens = new Map<string, TokenGrant>();
  private readonly eks?: EksAuthOptions;
  private readonly oidc?: OidcAuthOptions;
  private readonly now: () => Date;
  private faultConfig: FaultConfig;
  private counterData: Pick<
    SimCounters,
    | 'total'
    | 'byVerb'
    | 'byPath'
    | 'bytes'
    | 'bytesByPath'
    | 'connectionsAccepted'
  > = {
    total: 0,
    byVerb: {},
    byPath: {},
    bytes: 0,
    bytesByPath: {},
    connectionsAccepted: 0,
  };
  /** HTTPS and, unless `http2: false`, HTTP/2 on the same port (ALPN picks). */
  private readonly server: https.Server | http2.Http2SecureServer;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private openH2Streams = 0;
  private readonly clientCerts: Map<string, TokenGrant>;
  /** Open watch streams, with a hook to drop them (faults can be set while they are open). */
  private readonly openStreams = new Map<
    ServerResponse,
    { dropAfter(ms: number): void }
  >();
  private readonly bookmarkIntervalMs: number;
  private stopped = false;

  constructor(opts: SimClusterOptions, ca: SimCa) {
    this.name = opts.name;
    this.caData = ca.caData;
    this.faultConfig = { ...opts.faults };
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 60_000;
    this.now = opts.now ?? (() => new Date());
    this.eks = opts.eks;
    this.oidc = opts.oidc;
    this.state = new ClusterState(opts.watchHistorySize ?? 1000, this.now);
    this.api = new ObjectApi(this.state);
    this.adminToken = crypto.randomBytes(24).toString('base64url');
    this.tokens.set(this.adminToken, ADMIN_GRANT);
    for (const [token, grant] of Object.entries(opts.tokens ?? {})) {
      this.tokens.set(token, grant);
    }
    this.clientCerts = new Map(Object.entries(opts.clientCerts ?? {}));
    this.load(opts);
    const tlsOptions = {
      key: ca.serverKeyPem,
      cert: ca.serverCertPem,
      // Client certificates are asked for only where the cluster accepts some, and checked per request.
      ...(this.clientCerts.size > 0
        ? { requestCert: true, rejectUnauthorized: false, ca: ca.caCertPem }
        : {}),
    };
    // The compatibility API hands h2 streams to the same handler as HTTP/1.1 requests.
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(err => {
        if (!res.headersSent) {
          sendStatus(
            res,
            err instanceof ApiError ? err : errors.internal(String(err)),
          );
        } else res.destroy();
      });
    };
    if (opts.http2 === false) {
      this.server = https.createServer(tlsOptions, onRequest);
    } else {
      const h2 = http2.createSecureServer(
        { ...tlsOptions, allowHTTP1: true },
        onRequest as unknown as (
          req: http2.Http2ServerRequest,
          res: http2.Http2ServerResponse,
        ) => void,
      );
      h2.on('session', session => {
        this.sessions.add(session);
        session.on('close', () => this.sessions.delete(session));
        // A session error (a peer that vanished) ends the session; it must not become an unhandled 'error'.
        session.on('error', () => undefined);
      });
      h2.on('stream', stream => {
        this.openH2Streams++;
        stream.once('close', () => this.openH2Streams--);
      });
      this.server = h2;
    }
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      this.counterData.connectionsAccepted++;
      s.on('close', () => this.sockets.delete(s));
    });
  }

  private load(opts: SimClusterOptions): void {
    for (const ns of [
      'default',
      'kube-system',
      'kube-public',
      'kube-node-lease',
    ]) {
      this.api.ensureNamespace(ns);
    }
    for (const set of opts.crdSets ?? []) {
      const labels = opts.crdLabels?.[set];
      for (const crd of loadCrds([set])) {
        this.api.upsert({
          ...(clone(crd) as unknown as KubeObject),
          metadata: {
            ...clone(crd.metadata),
            labels: { ...crd.metadata.labels, ...labels },
          },
        });
      }
    }
    // CRDs first so that every kind of the fixtures is served.
    const objects = [...(opts.objects ?? [])].sort(
      (a, b) =>
        Number(b.kind === 'CustomResourceDefinition') -
        Number(a.kind === 'CustomResourceDefinition'),
    );
    for (const o of objects) this.api.upsert(o);
    // Objects loaded before the start have no watch history, as after an etcd compaction.
    this.state.compact();
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.url = `https://127.0.0.1:${addr.port}`;
  }

  // ---- SimCluster ----

  upsert(obj: KubeObject): KubeObject {
    const s = this.api.upsert(obj);
    return clone(s.obj);
  }

  remove(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): boolean {
    const t = this.state.typeOf(apiVersion, kind);
    return !!this.state.delete(t, namespace, name);
  }

  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const t = this.state.typeOf(apiVersion, kind);
    const s = this.state.get(t, namespace, name);
    return s && this.state.objectAt(s, t);
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const t = this.state.typeOf(apiVersion, kind);
    return [...this.state.iterate(t, namespace)].map(s =>
      this.state.objectAt(s, t),
    );
  }

  /** `keepPort`: the client port of an admin call setting the faults, whose own connection stays for its answer. */
  setFaults(f: FaultConfig, keepPort?: number): void {
    const wasBlackhole = !!this.faultConfig.blackhole;
    this.faultConfig = { ...f };
    // A black hole is a dead link: what was open dies with it (its watches do not keep sending bookmarks), and
    // new connections are accepted but never answered.
    if (f.blackhole && !wasBlackhole) this.cutConnections(keepPort);
    if (f.dropWatchesAfterMs !== undefined) {
      for (const stream of this.openStreams.values())
        stream.dropAfter(f.dropWatchesAfterMs);
    }
  }

  faults(): FaultConfig {
    return { ...this.faultConfig };
  }

  counters(): SimCounters {
    return {
      ...clone(this.counterData),
      openWatches: this.state.watcherCount(),
      openConnections: this.sockets.size,
      openH2Sessions: this.sessions.size,
      openH2Streams: this.openH2Streams,
    };
  }

  resetCounters(): void {
    this.counterData = {
      total: 0,
      byVerb: {},
      byPath: {},
      bytes: 0,
      bytesByPath: {},
      connectionsAccepted: 0,
    };
  }

  /** Every open connection ends at once, without GOAWAY: what a client sees when the link to it died. */
  private cutConnections(keepPort?: number): void {
    for (const session of this.sessions) {
      if (!session.destroyed && session.socket?.remotePort !== keepPort)
        session.destroy();
    }
    for (const s of this.sockets) if (s.remotePort !== keepPort) s.destroy();
  }

  dropConnections(): void {
    for (const session of this.sessions) {
      if (session.destroyed) continue;
      session.goaway(http2.constants.NGHTTP2_NO_ERROR);
      session.destroy();
    }
    for (const s of this.sockets) s.destroy();
  }

  addToken(token: string, grant: TokenGrant): void {
    this.tokens.set(token, grant);
  }

  resourceVersion(): string {
    return String(this.state.currentRv());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.state.closeAllWatches();
    for (const r of this.openStreams.keys()) r.end();
    const closed = new Promise<void>(resolve =>
      this.server.close(() => resolve()),
    );
    // Black-holed and keep-alive connections would hold the server (and the process) open.
    for (const session of this.sessions) session.destroy();
    for (const s of this.sockets) s.destroy();
    if (this.server instanceof https.Server) this.server.closeAllConnections();
    await closed;
  }

  // ---- HTTP ----

  private count(verb: CounterVerb, path: string): void {
    const c = this.counterData;
    c.total++;
    c.byVerb[verb] = (c.byVerb[verb] ?? 0) + 1;
    const key = `${verb} ${path}`;
    c.byPath[key] = (c.byPath[key] ?? 0) + 1;
  }

  /** Body bytes written for a request, counted as they go (a watch's grow while it stays open). */
  private countBytes(res: ServerResponse, key: string): void {
    const add = (chunk: unknown) => {
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) return;
      const n =
        typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      const c = this.counterData;
      c.bytes += n;
      c.bytesByPath[key] = (c.bytesByPath[key] ?? 0) + n;
    };
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    // HTTP/2's compatibility response ends by calling its own write(): count a chunk once.
    let ending = false;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!ending) add(chunk);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      add(chunk);
      ending = true;
      try {
        return end(chunk, ...rest);
      } finally {
        ending = false;
      }
    }) as ServerResponse['end'];
  }

  private authenticate(req: IncomingMessage): TokenGrant | undefined {
    const h = req.headers.authorization;
    const m = h && /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) return h ? undefined : this.certificateGrant(req);
    const now = this.now().getTime();
    const grant = this.tokens.get(m[1]);
    if (grant) {
      return grant.expiresAt && grant.expiresAt.getTime() <= now
        ? undefined
        : grant;
    }
    // Tokens checked by their form: the cluster's clock decides whether they are still valid.
    return (
      (this.eks && verifyEksToken(m[1], this.eks, now)) ||
      (this.oidc && verifyOidcToken(m[1], this.oidc, now)) ||
      undefined
    );
  }

  /** The grant of a verified client certificate's common name, as the apiserver's x509 authenticator. */
  private certificateGrant(req: IncomingMessage): TokenGrant | undefined {
    if (this.clientCerts.size === 0) return undefined;
    const socket = req.socket as TLSSocket;
    if (!socket.authorized) return undefined;
    const cn = socket.getPeerCertificate()?.subject?.CN;
    return typeof cn === 'string' ? this.clientCerts.get(cn) : undefined;
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://sim');
    const path =
      url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/_sim' || path.startsWith('/_sim/')) {
      await this.handleAdmin(req, res, path, method);
      return;
    }
    if (this.faultConfig.blackhole) return; // never answered; stop() destroys the socket
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }

    let route: ResourceRoute | undefined;
    let routeError: ApiError | undefined;
    let verb: CounterVerb = 'discovery';
    const isDiscovery =
      path === '/version' ||
      path === '/api' ||
      path === '/apis' ||
      path.startsWith('/openapi/');
    if (!isDiscovery) {
      try {
        route = this.route(path);
      } catch (e) {
        routeError = e as ApiError;
      }
      if (route) verb = counterVerb(method, route, url);
      else if (routeError) verb = counterVerb(method, { name: 'unknown' }, url);
    }
    this.count(verb, path);
    this.countBytes(res, `${verb} ${path}`);

    if (this.faultConfig.latencyMs) await sleep(this.faultConfig.latencyMs);
    if (this.faultConfig.blackhole) return;
    if (
      this.faultConfig.failAll500 ||
      (this.faultConfig.serverErrors ?? 0) > 0
    ) {
      if (!this.faultConfig.failAll500) this.faultConfig.serverErrors! -= 1;
      sendStatus(res, errors.internal('etcdserver: request timed out'));
      return;
    }

    const grant = this.authenticate(req);
    if (!grant && !(path === '/version' && !req.headers.authorization)) {
      sendStatus(res, errors.unauthorized());
      return;
    }
    if (isDiscovery || (!route && !routeError)) {
      this.discovery(res, path);
      return;
    }
    if (routeError) {
      sendStatus(
        res,
        routeError instanceof ApiError
          ? routeError
          : errors.internal(String(routeError)),
      );
      return;
    }
    try {
      await this.resource(req, res, route!, grant!, url, method);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (!res.headersSent) sendStatus(res, e);
    }
  }

  /** Maps a path to a served resource; undefined for discovery documents; throws 404 for anything else. */
  private route(path: string): ResourceRoute | undefined {
    const segs = path.split('/').filter(Boolean);
    let group: string;
    let rest: string[];
    let version: string;
    if (segs[0] === 'api') {
      if (segs.length === 1) return undefined;
      group = '';
      version = segs[1];
      rest = segs.slice(2);
    } else if (segs[0] === 'apis') {
      if (segs.length <= 2) {
        if (
          segs.length === 2 &&
          !this.state.registry.groups().some(g => g.name === segs[1])
        ) {
          throw errors.pathNotFound();
        }
        return undefined;
      }
      group = segs[1];
      version = segs[2];
      rest = segs.slice(3);
    } else {
      throw errors.pathNotFound();
    }
    const reg = this.state.registry;
    if (!reg.groupVersionTypes(group, version)) throw errors.pathNotFound();
    if (rest.length === 0) return undefined;
    let namespace: string | undefined;
    if (
      rest[0] === 'namespaces' &&
      rest.length >= 3 &&
      reg.byResource(group, version, rest[2])?.namespaced
    ) {
      namespace = decodeURIComponent(rest[1]);
      rest = rest.slice(2);
    }
    if (rest.length > 3) throw errors.pathNotFound();
    const t = reg.byResource(group, version, rest[0]);
    if (!t) throw errors.pathNotFound();
    const name =
      rest[1] !== undefined ? decodeURIComponent(rest[1]) : undefined;
    const subresource = rest[2];
    if (t.namespaced && namespace === undefined && name !== undefined)
      throw errors.pathNotFound();
    if (
      subresource !== undefined &&
      !(subresource === 'status' && t.statusSubresource)
    ) {
      throw errors.pathNotFound();
    }
    return { t, namespace, name, subresource };
  }

  private discovery(res: ServerResponse, path: string): void {
    const reg = this.state.registry;
    const send = (body: unknown) => json(res, 200, JSON.stringify(body));
    if (path === '/version') return send(SERVER_VERSION);
    if (path === '/api') {
      return send({
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [
          {
            clientCIDR: '0.0.0.0/0',
            serverAddress: this.url.replace('https://', ''),
          },
        ],
      });
    }
    if (path === '/apis') {
      return send({
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: reg.groups().map(apiGroup),
      });
    }
    if (path === '/openapi/v3') return send(openApiV3Root(reg));
    if (path.startsWith('/openapi/v3/')) {
      const rel = path.slice('/openapi/v3/'.length);
      const gv = /^apis?\/(.+)$/.exec(rel)?.[1] ?? '';
      const doc = gv && openApiV3Document(reg, gv);
      if (doc) return send(doc);
      return sendStatus(res, errors.pathNotFound());
    }
    const segs = path.split('/').filter(Boolean);
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = reg.groups().find(x => x.name === segs[1]);
      if (g)
        return send({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) });
    }
    if (
      (segs[0] === 'api' && segs.length === 2) ||
      (segs[0] === 'apis' && segs.length === 3)
    ) {
      const group = segs[0] === 'api' ? '' : segs[1];
      const version = segs[segs.length - 1];
      const types = reg.groupVersionTypes(group, version);
      if (types) return send(apiResourceList(group, version, types));
    }
    // /openapi/v2 is protobuf-only on a real server; kubectl uses v3 when v2 is missing.
    return sendStatus(res, errors.pathNotFound());
  }

  private authorize(
    grant: TokenGrant,
    verb: string,
    route: ResourceRoute,
  ): void {
    const { t, namespace, name, subresource } = route;
    const resource = subresource ? `${t.plural}/${subresource}` : t.plural;
    const ns = t.namespaced ? namespace : undefined;
    if (grant.rules.some(r => ruleAllows(r, verb, t.group, resource, ns)))
      return;
    const where =
      ns !== undefined ? `in the namespace "${ns}"` : 'at the cluster scope';
    throw errors.forbidden(
      gr(t),
      name,
      `User "${grant.user}" cannot ${verb} resource "${resource}" in API group "${t.group}" ${where}`,
    );
  }

  private async resource(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    grant: TokenGrant,
    url: URL,
    method: string,
  ): Promise<void> {
    const { t, namespace, name, subresource } = route;
    const q = url.searchParams;
    const dryRun = q.getAll('dryRun').includes('All');
    const fieldManager = q.get('fieldManager') ?? undefined;
    const accept = req.headers.accept;
    const asMetadata = this.faultConfig.metadataUnsupported
      ? undefined
      : wantsMetadata(accept);
    const send = (code: number, body: Stored | KubeObject | StatusBody) => {
      if ('rv' in body && 'json' in body && 'key' in body) {
        json(res, code, this.state.json(body as Stored, t));
      } else {
        json(res, code, JSON.stringify(body));
      }
    };

    if (name === undefined) {
      if (method === 'GET') {
        const watching = isWatch(q);
        this.authorize(grant, watching ? 'watch' : 'list', route);
        // A watch sends one object per event: it takes the single-object form.
        if (asMetadata) checkMetadataForm(asMetadata.form, !watching);
        if (watching)
          return this.watch(
            req,
            res,
            route,
            q,
            wantsTable(accept),
            asMetadata?.version,
          );
        return this.listResponse(
          res,
          route,
          q,
          wantsTable(accept),
          asMetadata?.version,
        );
      }
      if (method === 'POST') {
        if (t.namespaced && namespace === undefined)
          throw errors.methodNotAllowed();
        this.authorize(grant, 'create', route);
        const body = await readObject(req);
        const r = this.api.create(t, namespace, body, { dryRun, fieldManager });
        return send(r.code, r.body);
      }
      if (method === 'DELETE') {
        this.authorize(grant, 'deletecollection', route);
        const matches = combine(
          labelMatcher(q.get('labelSelector') ?? undefined),
          fieldMatcher(q.get('fieldSelector') ?? undefined, t.kind),
        );
        const doomed = [...this.state.iterate(t, namespace)].filter(
          s => !matches || matches(s.obj),
        );
        const items = doomed.map(s => {
          const r = this.api.delete(
            t,
            s.obj.metadata.namespace,
            s.obj.metadata.name!,
            undefined,
            { dryRun },
          );
          return 'obj' in r.body
            ? this.state.objectAt(r.body as Stored, t)
            : this.state.objectAt(s, t);
        });
        return send(200, {
          apiVersion: groupVersion(t.group, t.version),
          kind: t.listKind,
          metadata: { resourceVersion: String(this.state.currentRv()) },
          items,
        } as unknown as KubeObject);
      }
      throw errors.methodNotAllowed();
    }

    switch (method) {
      case 'GET': {
        this.authorize(grant, 'get', route);
        const s = this.state.get(t, namespace, name);
        if (!s) throw errors.notFound(gr(t), name);
        if (asMetadata) {
          checkMetadataForm(asMetadata.form, false);
          return json(res, 200, partialMetadataJson(s, asMetadata.version));
        }
        if (wantsTable(accept)) {
          const obj = this.state.objectAt(s, t);
          return json(
            res,
            200,
            JSON.stringify(
              table(t, [tableRow(obj, t, this.state.now(), includeObject(q))], {
                resourceVersion: obj.metadata.resourceVersion,
              }),
            ),
          );
        }
        return send(200, s);
      }
      case 'PUT': {
        this.authorize(grant, 'update', route);
        const body = await readObject(req);
        const r = this.api.update(t, namespace, name, body, subresource, {
          dryRun,
          fieldManager,
        });
        return send(r.code, r.body);
      }
      case 'PATCH': {
        this.authorize(grant, 'patch', route);
        const raw = await readBody(req);
        const existed = !!this.state.get(t, namespace, name);
        const r = this.api.patch(
          t,
          namespace,
          name,
          req.headers['content-type'] ?? '',
          raw,
          subresource,
          {
            dryRun,
            fieldManager,
            force: q.get('force') === 'true',
          },
        );
        // server-side apply creating the object answers 201
        return send(existed ? 200 : r.code, r.body);
      }
      case 'DELETE': {
        if (subresource) throw errors.methodNotAllowed();
        this.authorize(grant, 'delete', route);
        const raw = await readBody(req);
        const body = raw ? parseBody(raw, 'application/json') : undefined;
        const r = this.api.delete(t, namespace, name, body, { dryRun });
        return send(r.code, r.body);
      }
      default:
        throw errors.methodNotAllowed();
    }
  }

  private listResponse(
    res: ServerResponse,
    route: ResourceRoute,
    q: URLSearchParams,
    asTable: boolean,
    /** meta.k8s.io version of a PartialObjectMetadataList answer. */
    metadataVersion?: string,
  ): void {
    const { t, namespace } = route;
    const matches = combine(
      labelMatcher(q.get('labelSelector') ?? undefined),
      fieldMatcher(q.get('fieldSelector') ?? undefined, t.kind),
    );
    const limit = Number(q.get('limit') ?? 0);
    const cont = q.get('continue');
    let listRv = this.state.currentRv();
    let afterKey: string | undefined;
    if (cont) {
      const tok = decodeContinue(cont);
      listRv = tok.rv;
      afterKey = tok.start.endsWith(KEY_END)
        ? tok.start.slice(0, -1)
        : tok.start;
    }
    const items: Stored[] = [];
    let next: string | undefined;
    let remaining = 0;
    for (const s of this.state.iterate(t, namespace, afterKey)) {
      if (matches && !matches(s.obj)) continue;
      if (limit > 0 && items.length >= limit) {
        if (next === undefined) next = items[items.length - 1].key;
        remaining++;
        if (matches) break; // the apiserver counts the remaining items only without selectors
        continue;
      }
      items.push(s);
    }
    const metadata: Record<string, unknown> = {
      resourceVersion: String(listRv),
    };
    if (next !== undefined) {
      metadata.continue = encodeContinue(listRv, next);
      if (!matches) metadata.remainingItemCount = remaining;
    }
    if (asTable) {
      const now = this.state.now();
      const include = includeObject(q);
      const rows = items.map(s =>
        tableRow(this.state.objectAt(s, t), t, now, include),
      );
      json(res, 200, JSON.stringify(table(t, rows, metadata)));
      return;
    }
    if (metadataVersion) {
      const partial = items.map(s => partialMetadataJson(s, metadataVersion));
      json(
        res,
        200,
        `${partialMetadataListHead(metadata, metadataVersion)}${partial.join(
          ',',
        )}]}`,
      );
      return;
    }
    const head = `{"kind":${JSON.stringify(
      t.listKind,
    )},"apiVersion":${JSON.stringify(
      groupVersion(t.group, t.version),
    )},"metadata":${JSON.stringify(metadata)},"items":[`;
    json(
      res,
      200,
      `${head}${items.map(s => this.state.json(s, t)).join(',')}]}`,
    );
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    q: URLSearchParams,
    asTable: boolean,
    /** meta.k8s.io version of PartialObjectMetadata events. */
    metadataVersion?: string,
  ): void {
    const { t, namespace } = route;
    const matches = combine(
      labelMatcher(q.get('labelSelector') ?? undefined),
      fieldMatcher(q.get('fieldSelector') ?? undefined, t.kind),
    );
    const bookmarks =
      q.get('allowWatchBookmarks') === 'true' ||
      q.get('allowWatchBookmarks') === '1';
    const sendInitialEvents = q.get('sendInitialEvents') === 'true';
    const rv = q.get('resourceVersion') ?? '';
    if (rv && rv !== '0') parseRv(rv);
    const timeoutS = q.has('timeoutSeconds')
      ? Number(q.get('timeoutSeconds'))
      : DEFAULT_WATCH_TIMEOUT_S;
    const include = includeObject(q);
    const gv = groupVersion(t.group, t.version);

    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      // HTTP/2 frames the stream itself and forbids the header.
      ...(req.httpVersionMajor === 2 ? {} : { 'Transfer-Encoding': 'chunked' }),
    });
    res.flushHeaders();

    const line = (type: string, objectJson: string) => {
      if (!res.writableEnded)
        res.write(`{"type":"${type}","object":${objectJson}}\n`);
    };
    const event = (type: EventType, s: Stored) => {
      if (metadataVersion)
        return line(type, partialMetadataJson(s, metadataVersion));
      if (!asTable) return line(type, this.state.json(s, t));
      const obj = this.state.objectAt(s, t);
      const tbl = table(t, [tableRow(obj, t, this.state.now(), include)], {
        resourceVersion: obj.metadata.resourceVersion,
      });
      return line(type, JSON.stringify(tbl));
    };
    const bookmark = (annotations?: Record<string, string>) =>
      line(
        'BOOKMARK',
        JSON.stringify({
          kind: metadataVersion ? 'PartialObjectMetadata' : t.kind,
          apiVersion: metadataVersion ? `meta.k8s.io/${metadataVersion}` : gv,
          metadata: {
            resourceVersion: String(this.state.currentRv()),
            creationTimestamp: null,
            ...(annotations ? { annotations } : {}),
          },
        }),
      );

    const timers: NodeJS.Timeout[] = [];
    let cancel = () => {};
    const finish = () => {
      for (const tm of timers) clearTimeout(tm);
      cancel();
      this.openStreams.delete(res);
      if (!res.writableEnded) res.end();
    };
    res.on('close', finish);
    const dropAfter = (ms: number) =>
      timers.push(setTimeout(finish, ms).unref());
    this.openStreams.set(res, { dropAfter });

    let start;
    try {
      const expire =
        this.faultConfig.expireWatchHistory ||
        this.faultConfig.expireEveryWatch;
      if (expire && rv && rv !== '0') {
        this.faultConfig.expireWatchHistory = false;
        throw errors.expired(
          `too old resource version: ${rv} (${this.state.currentRv()})`,
        );
      }
      // The apiserver answers 200 and sends a 410 as an ERROR event, then ends the stream.
      start = this.state.watch(
        t,
        rv,
        {
          namespace: t.namespaced ? namespace : undefined,
          matches,
          send: event,
          close: finish,
        },
        sendInitialEvents,
      );
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      line('ERROR', JSON.stringify(e.status));
      finish();
      return;
    }
    cancel = start.cancel;
    for (const ev of start.initial) event(ev.type, ev.stored);
    if (sendInitialEvents && bookmarks)
      bookmark({ 'k8s.io/initial-events-end': 'true' });

    const timeoutMs = Math.max(0, timeoutS * 1000);
    timers.push(
      setTimeout(() => {
        if (bookmarks) bookmark();
        finish();
      }, timeoutMs),
    );
    if (bookmarks && this.bookmarkIntervalMs > 0) {
      const tick = () => {
        bookmark();
        timers.push(setTimeout(tick, this.bookmarkIntervalMs).unref());
      };
      timers.push(setTimeout(tick, this.bookmarkIntervalMs).unref());
    }
    if (this.faultConfig.dropWatchesAfterMs !== undefined)
      dropAfter(this.faultConfig.dropWatchesAfterMs);
    for (const tm of timers) tm.unref();
    req.on('close', finish);
  }

  private async handleAdmin(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    method: string,
  ): Promise<void> {
    const grant = this.authenticate(req);
    if (!grant) return sendStatus(res, errors.unauthorized());
    if (!isAdminGrant(grant)) {
      return sendStatus(
        res,
        new ApiError({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `forbidden: User "${
            grant.user
          }" cannot ${method.toLowerCase()} path "${path}"`,
          reason: 'Forbidden',
          details: {},
          code: 403,
        }),
      );
    }
    const send = (code: number, body: unknown) =>
      json(res, code, JSON.stringify(body));
    try {
      if (path === '/_sim/faults' && method === 'GET')
        return send(200, this.faults());
      if (path === '/_sim/faults' && (method === 'PUT' || method === 'POST')) {
        const f = JSON.parse((await readBody(req)) || '{}') as FaultConfig;
        this.setFaults(f, req.socket?.remotePort);
        return send(200, this.faults());
      }
      if (path === '/_sim/counters' && method === 'GET')
        return send(200, this.counters());
      if (path === '/_sim/counters/reset' && method === 'POST') {
        this.resetCounters();
        return send(200, this.counters());
      }
      if (path === '/_sim/objects' && method === 'POST') {
        const body = parseBody(await readBody(req), 'application/json') as
          | KubeObject
          | KubeObject[]
          | { items: KubeObject[] };
        const isList =
          Array.isArray(body) || ('items' in body && Array.isArray(body.items));
        let objs: KubeObject[] = [body as KubeObject];
        if (Array.isArray(body)) objs = body;
        else if (isList) objs = (body as { items: KubeObject[] }).items;
        const out = objs.map(o => this.upsert(o));
        return send(200, isList ? { items: out } : out[0]);
      }
      if (path === '/_sim/objects' && method === 'DELETE') {
        const u = new URL(req.url ?? '/', 'https://sim').searchParams;
        const removed = this.remove(
          u.get('apiVersion') ?? '',
          u.get('kind') ?? '',
          u.get('namespace') ?? undefined,
          u.get('name') ?? '',
        );
        return send(removed ? 200 : 404, { removed });
      }
      return sendStatus(res, errors.pathNotFound());
    } catch (e) {
      if (e instanceof ApiError) return sendStatus(res, e);
      return sendStatus(res, errors.badRequest((e as Error).message));
    }
  }

  /** Test hook: the number of open watch streams. */
  openWatchCount(): number {
    return this.openStreams.size;
  }

  /** Whether two objects are equal regardless of key order (exported for tests). */
  static sameObject(a: unknown, b: unknown): boolean {
    return canonical(a) === canonical(b);
  }
}

function isAdminGrant(grant: TokenGrant): boolean {
  return grant.rules.some(
    r =>
      r.verbs.includes('*') &&
      r.resources.includes('*') &&
      r.apiGroups.includes('*') &&
      !r.namespaces,
  );
}

function isWatch(q: URLSearchParams): boolean {
  const w = q.get('watch');
  return w === 'true' || w === '1';
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function counterVerb(
  method: string,
  route: Pick<ResourceRoute, 'name'>,
  url: URL,
): CounterVerb {
  switch (method) {
    case 'GET':
      if (route.name !== undefined) return 'get';
      return isWatch(url.searchParams) ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'get';
  }
}

function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}${KEY_END}` }),
  ).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v: string;
      rv: number;
      start: string;
    };
    if (
      t.v !== 'meta.k8s.io/v1' ||
      typeof t.start !== 'string' ||
      typeof t.rv !== 'number'
    )
      throw new Error('bad');
    return t;
  } catch {
    throw errors.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms).unref());
}
