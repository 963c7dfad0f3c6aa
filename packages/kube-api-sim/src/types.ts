import type { CrdSet } from '@golden-gitops/crd-schemas';

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One RBAC rule. `'*'` is a wildcard in every list; resources may name a subresource (`kustomizations/status`). */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  /** Namespaces the rule applies to; absent means every namespace and cluster scope. */
  namespaces?: string[];
}

/** What a bearer token may do, and the user name it authenticates as. */
export interface TokenGrant {
  user: string;
  rules: PolicyRule[];
  /** When the token stops being accepted (by the simulator's clock): a short-lived token. Absent: never. */
  expiresAt?: Date;
}

/** Accept EKS bearer tokens (`k8s-aws-v1.` + base64url presigned STS GetCallerIdentity URL) for this cluster. */
export interface EksAuthOptions {
  /** The cluster id the token must be signed for (its `x-k8s-aws-id` header; Backstage's `kubernetes.io/x-k8s-aws-id`, default the cluster name). */
  clusterId: string;
  /** Access key id to secret key: the STS stand-in verifies the SigV4 signature with them (test credentials only). */
  accessKeys: Record<string, string>;
  /** What a valid token may do. */
  grant: TokenGrant;
}

/** Accept OIDC ID tokens (JWT) of one issuer and audience, signed HS256 with `signingKey` (see `signOidcToken`). */
export interface OidcAuthOptions {
  issuer: string;
  audience: string;
  signingKey: string;
  grant: TokenGrant;
}

export interface FaultConfig {
  /** Delay before every API answer. */
  latencyMs?: number;
  /** Accept connections and requests, never answer. */
  blackhole?: boolean;
  /** The next N API requests answer 500 InternalError (counts down). */
  serverErrors?: number;
  /** Every API request answers 500 InternalError. */
  failAll500?: boolean;
  /** Close watch streams this many ms after they open. */
  dropWatchesAfterMs?: number;
  /** The next watch that names a resourceVersion gets a 410 "too old resource version" ERROR event. */
  expireWatchHistory?: boolean;
  /** Every watch that names a resourceVersion gets the 410 ERROR event (a watch cache that keeps expiring: a 410 storm). */
  expireEveryWatch?: boolean;
  /**
   * Answer metadata-only requests (`as=PartialObjectMetadata[List]`) with the full objects as plain JSON, as a
   * server or proxy without the metadata form does when the client offers `application/json` too.
   */
  metadataUnsupported?: boolean;
}

export interface SimClusterOptions {
  name: string;
  crdSets?: CrdSet[];
  /** Labels merged into the CRDs of a set (e.g. the ones Flux puts on CRDs it applies). */
  crdLabels?: Partial<Record<CrdSet, Record<string, string>>>;
  objects?: KubeObject[];
  /** Bearer tokens; when absent the cluster has one random admin token. */
  tokens?: Record<string, TokenGrant>;
  /** Also accept EKS-form tokens, verified against these keys and this cluster id. */
  eks?: EksAuthOptions;
  /** Also accept OIDC ID tokens of this issuer. */
  oidc?: OidcAuthOptions;
  /** Client certificates accepted, by their subject's common name (see `createClientCert`), and what each may do. */
  clientCerts?: Record<string, TokenGrant>;
  /**
   * Offer HTTP/2 by ALPN beside HTTP/1.1 on the same port, as an API server does (default true). False: HTTP/1.1
   * only, as behind a load balancer or proxy that does not speak h2.
   */
  http2?: boolean;
  faults?: FaultConfig;
  /** 0 or absent: a random free port. */
  port?: number;
  /** Watch events kept per resource for watches that resume from a resourceVersion (default 1000). */
  watchHistorySize?: number;
  /** How often open watches with allowWatchBookmarks get a BOOKMARK (default 60 s like the apiserver). */
  bookmarkIntervalMs?: number;
  /** Clock for timestamps the simulator writes (creationTimestamp, deletionTimestamp). */
  now?: () => Date;
}

export interface SimCounters {
  total: number;
  byVerb: Record<string, number>;
  /** Key `${verb} ${path without query}`. */
  byPath: Record<string, number>;
  /** Response body bytes sent (before TLS and HTTP framing), all requests. */
  bytes: number;
  /** Response body bytes per `${verb} ${path without query}`; a watch's count grows while it is open. */
  bytesByPath: Record<string, number>;
  /** Watches open right now (not a counter: it goes down when a watch ends). */
  openWatches: number;
  /** TLS connections open right now, whichever protocol they speak. */
  openConnections: number;
  /** TLS connections accepted since the start or the last reset. */
  connectionsAccepted: number;
  /** HTTP/2 sessions open right now (each on one of the connections). */
  openH2Sessions: number;
  /** HTTP/2 streams (requests, lists, watches) open right now over all sessions. */
  openH2Streams: number;
}

export interface SimCluster {
  name: string;
  url: string;
  /** Base64 of the CA certificate PEM, as kubeconfig's certificate-authority-data wants it. */
  caData: string;
  adminToken: string;
  upsert(obj: KubeObject): KubeObject;
  remove(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): boolean;
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  setFaults(f: FaultConfig): void;
  faults(): FaultConfig;
  counters(): SimCounters;
  resetCounters(): void;
  addToken(token: string, grant: TokenGrant): void;
  /** The current resourceVersion counter of the cluster. */
  resourceVersion(): string;
  /**
   * Close every client connection, as an API server that restarts does: HTTP/2 sessions get a GOAWAY first, then
   * every connection (and the watches on it) closes.
   */
  dropConnections(): void;
  stop(): Promise<void>;
}

export interface SimFleet {
  clusters: SimCluster[];
  cluster(name: string): SimCluster;
  /** A kubeconfig YAML with one cluster, user and context per cluster (context name = cluster name). */
  kubeconfig(token?: 'admin' | string): string;
  writeKubeconfig(file: string, token?: 'admin' | string): void;
  stop(): Promise<void>;
}
