/** The vocabulary of the Kubernetes client: what a client does, and how a request fails. */
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

/** How a JSON answer is read. */
export interface ReadOptions {
  /**
   * Object members with these names, at any depth, are cut from the JSON text before it is parsed,
   * so they are never built as objects (a CustomResourceDefinition's `openAPIV3Schema`: hundreds of
   * KB per object, of which we read nothing).
   */
  omitKeys?: ReadonlySet<string>;
  /**
   * The Accept header to send (default `application/json`), e.g. a metadata-only form
   * (`application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json`). Whatever the server
   * chooses among the offered forms is read as JSON; the caller tells the forms apart by the answer's `kind`.
   */
  accept?: string;
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
