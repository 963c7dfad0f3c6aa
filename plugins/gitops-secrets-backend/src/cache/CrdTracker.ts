import type {
  SlimObject,
  WatchedKind,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  WATCHED_KINDS,
  slimObject,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type { ReadOptions } from '../kube/KubeClient';
import { KubeRequestError } from '../kube/KubeClient';
import type { ReflectorOptions } from './KindReflector';
import { abortableSleep, jittered, KindReflector } from './KindReflector';

/**
 * The CustomResourceDefinitions the backend needs, by name, in one place, derived from WATCHED_KINDS:
 * - the CRDs the CustomResourceDefinition kind keeps for the rules (its `nameSuffix`: ESO's CRDs, whose presence,
 *   labels, served versions and conditions ESO_CRD_MISSING, CRD_VERSION_SKEW and the install facts read): read
 *   in full, by name, when their resourceVersion changes;
 * - the CRDs of the watched kinds (their names are the kinds' keys, `<plural>.<group>`): when one appears,
 *   disappears or changes, discovery runs again (it tells which versions are served). Those not kept are never
 *   read in full: their resourceVersion is enough (Flux's CRDs alone are about 1 MB of JSON).
 * Every other CRD of a cluster (hundreds with crossplane providers) is seen only by name and resourceVersion.
 */
const CRD_KIND = WATCHED_KINDS.find(
  k => k.kind === 'CustomResourceDefinition',
)!;
const SERVED_KEYS = new Set(WATCHED_KINDS.map(k => k.key));

/** A CRD the model keeps as an object (the CRD kind's own name filter). */
function keptCrd(name: string, kind: WatchedKind = CRD_KIND): boolean {
  return !kind.nameSuffix || name.endsWith(kind.nameSuffix);
}

/** A CRD the backend needs in full: kept for the rules, or one of a watched kind. */
export function isNeededCrd(name: string): boolean {
  return SERVED_KEYS.has(name) || keptCrd(name);
}

/**
 * Members cut from the JSON text of full CRDs before it is parsed: the OpenAPI schemas (hundreds of KB per ESO
 * or Flux CRD), managedFields, and kubectl's last-applied-configuration annotation (a client-side `kubectl apply`
 * of a CRD copies the whole CRD, schema included, into it). Nothing of them is read.
 */
const CRD_OMIT = new Set([
  'openAPIV3Schema',
  'managedFields',
  'kubectl.kubernetes.io/last-applied-configuration',
]);

/** Reading a needed CRD in full, by name. */
export const CRD_READ: ReadOptions = { omitKeys: CRD_OMIT };

/**
 * Listing and watching CRDs: metadata only (names and resourceVersions), as client-go's metadata informers ask.
 * A server that does not offer it answers the plain JSON offered second (full CRDs, schemas cut as above).
 */
export const CRD_LIST_READ: ReadOptions = {
  omitKeys: CRD_OMIT,
  accept:
    'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
};
export const CRD_WATCH_READ: ReadOptions = {
  omitKeys: CRD_OMIT,
  accept:
    'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
};

/**
 * Page size while a server answers full CRDs (large even without schemas: a page of them must arrive within the
 * request timeout) or before it is known that it answers metadata.
 */
export const FULL_CRD_PAGE_SIZE = 20;
/** Page size of metadata-only lists (a few hundred bytes per CRD), at least: client-go's pager default. */
export const METADATA_PAGE_SIZE = 500;

/** A served CRD's versions and readiness, to notice when what a cluster serves changes. */
export function crdSignature(raw: any): string {
  const versions = Array.isArray(raw?.spec?.versions)
    ? raw.spec.versions
        .filter((v: any) => v?.served)
        .map((v: any) => String(v?.name))
        .sort()
        .join(',')
    : '';
  const established = Array.isArray(raw?.status?.conditions)
    ? raw.status.conditions.some(
        (c: any) => c?.type === 'Established' && c?.status === 'True',
      )
    : false;
  return `${versions}|${established}`;
}

/** A CRD the model keeps, as read in full. */
interface Entry {
  /** resourceVersion of the full object read. */
  rv: string;
  signature: string;
  obj: SlimObject;
}

export interface CrdTrackerOptions
  extends Omit<
    ReflectorOptions,
    | 'kind'
    | 'read'
    | 'watchRead'
    | 'keepObjects'
    | 'onRaw'
    | 'onListed'
    | 'pageSize'
  > {
  /** The CustomResourceDefinition kind (of WATCHED_KINDS). */
  kind: WatchedKind;
  /** Items per page of the metadata list. */
  pageSize: number;
  /**
   * After the first sync, a CRD of a watched kind appeared, disappeared, or changed (kept ones: their served
   * versions or readiness; the others: any change, as only their resourceVersion is known).
   */
  onServedChange(): void;
}

/**
 * The CRDs of one cluster, read by name: one metadata-only list+watch of all CRDs (a KindReflector keeping no
 * objects) tells names and resourceVersions; only the CRDs the model keeps are read in full, by GET, when their
 * resourceVersion changes (see {@link isNeededCrd}). Unrelated CRDs cost a few hundred bytes each per relist and
 * nothing kept.
 * Against a server that answers full objects to the metadata Accept, the objects seen are used as they come
 * (schemas cut), as before. Presents the same face as a KindReflector to the cluster cache.
 */
export class CrdTracker {
  readonly kind: WatchedKind;
  readonly version: string;
  private readonly reflector: KindReflector;
  /** Needed CRD → the resourceVersion the server last showed for it. */
  private readonly want = new Map<string, string>();
  /** Kept CRD → what was read of it. */
  private readonly have = new Map<string, Entry>();
  private readonly inflight = new Set<string>();
  /** Needed CRDs seen by the list in progress. */
  private listing?: Map<string, any>;
  /** The server answered the metadata form (learnt from the first item; until then, pages are small). */
  private metadataAnswers = false;
  /** The first list and the reads it asked for are done: changes from now on are news. */
  private synced = false;
  private fetchError?: KubeRequestError;
  private backoffMs: number;
  private readonly abort = new AbortController();
  /** How CRDs are listed and watched; the metadata form is dropped if the server refuses it. */
  private readonly listRead: ReadOptions = { ...CRD_LIST_READ };
  private readonly watchRead: ReadOptions = { ...CRD_WATCH_READ };

  constructor(private readonly o: CrdTrackerOptions) {
    this.kind = o.kind;
    this.version = o.version;
    this.backoffMs = o.backoffInitialMs;
    this.reflector = new KindReflector({
      ...o,
      read: this.listRead,
      watchRead: this.watchRead,
      keepObjects: false,
      pageSize: () =>
        this.metadataAnswers
          ? Math.max(o.pageSize, METADATA_PAGE_SIZE)
          : Math.min(o.pageSize, FULL_CRD_PAGE_SIZE),
      onRaw: (type, raw) => this.onRaw(type, raw),
      onListed: () => this.onListed(),
      onChange: () => this.onReflectorChange(),
    });
  }

  /**
   * A server or proxy that refuses the metadata form outright (406 NotAcceptable) instead of answering the plain
   * JSON offered with it: from now on ask for plain JSON (the reflector retries with these options).
   */
  private onReflectorChange(): void {
    if (this.reflector?.lastError?.status === 406 && this.listRead.accept) {
      this.listRead.accept = undefined;
      this.watchRead.accept = undefined;
      this.o.logger.info(
        `gitops-secrets: the API server refused metadata-only CRD lists (HTTP 406); reading CRDs in full`,
      );
    }
    this.o.onChange();
  }

  get path(): string {
    return this.reflector.path;
  }
  get hasSynced(): boolean {
    return this.reflector.hasSynced && this.synced;
  }
  get attempted(): boolean {
    return (
      this.reflector.lastError !== undefined ||
      this.fetchError !== undefined ||
      (this.reflector.attempted && this.synced)
    );
  }
  get lastError(): KubeRequestError | undefined {
    return this.reflector.lastError ?? this.fetchError;
  }
  get connected(): boolean {
    return this.reflector.connected;
  }
  get lastCurrentAt(): number | undefined {
    return this.reflector.lastCurrentAt;
  }
  get lists(): number {
    return this.reflector.lists;
  }
  get size(): number {
    return this.have.size;
  }
  get stopped(): boolean {
    return this.reflector.stopped;
  }

  *objects(): Iterable<SlimObject> {
    for (const e of this.have.values()) yield e.obj;
  }

  start(): void {
    this.reflector.start();
  }

  stop(): void {
    this.abort.abort();
    this.reflector.stop();
  }

  private onRaw(
    type: 'LISTED' | 'ADDED' | 'MODIFIED' | 'DELETED',
    raw: any,
  ): void {
    if (type !== 'DELETED') this.metadataAnswers = raw?.spec === undefined;
    const name = raw?.metadata?.name;
    if (typeof name !== 'string' || !isNeededCrd(name)) return;
    if (type === 'LISTED') {
      (this.listing ??= new Map()).set(name, raw);
      return;
    }
    if (type === 'DELETED') {
      this.gone(name);
      return;
    }
    this.seen(name, raw);
  }

  /** A needed CRD no longer exists. */
  private gone(name: string): void {
    const had = this.want.delete(name);
    if (keptCrd(name, this.kind)) this.set(name, undefined);
    else if (had && this.synced) this.o.onServedChange();
  }

  private onListed(): void {
    const listed = this.listing ?? new Map<string, any>();
    this.listing = undefined;
    for (const name of [...this.want.keys(), ...this.have.keys()]) {
      if (!listed.has(name)) this.gone(name);
    }
    for (const [name, raw] of listed) this.seen(name, raw);
    this.settleIfIdle();
  }

  /**
   * The server showed a needed CRD. One of a watched kind that the model does not keep: discovery again when it
   * is new or changed. One the model keeps: used as is when whole, else read when its resourceVersion is new.
   */
  private seen(name: string, raw: any): void {
    const rv = String(raw?.metadata?.resourceVersion ?? '');
    const whole = raw?.spec !== undefined;
    const prev = this.want.get(name);
    this.want.set(name, rv);
    if (!keptCrd(name, this.kind)) {
      if (this.synced && prev !== rv) this.o.onServedChange();
      return;
    }
    if (whole) {
      this.set(name, this.entry(raw));
      return;
    }
    this.pump(name);
  }

  private entry(raw: any): Entry {
    return {
      rv: String(raw?.metadata?.resourceVersion ?? ''),
      signature: crdSignature(raw),
      obj: this.o.pool.internObject(
        slimObject({
          ...raw,
          apiVersion: `${this.kind.group}/${this.version}`,
          kind: this.kind.kind,
        }),
      ),
    };
  }

  /** Record what is known of a needed CRD (undefined: gone), telling the cache what changed. */
  private set(name: string, next: Entry | undefined): void {
    const prev = this.have.get(name);
    if (!prev && !next) return;
    if (next) this.have.set(name, next);
    else this.have.delete(name);
    this.o.onChange();
    if (
      this.synced &&
      SERVED_KEYS.has(name) &&
      prev?.signature !== next?.signature
    ) {
      this.o.onServedChange();
    }
  }

  /** Read a needed CRD in full unless what was read is current or a read is on its way. */
  private pump(name: string): void {
    if (this.inflight.has(name) || this.abort.signal.aborted) return;
    const asked = this.want.get(name);
    if (asked === undefined || this.have.get(name)?.rv === asked) return;
    this.inflight.add(name);
    let retry = false;
    this.fetch(name)
      .then(
        raw => {
          // Deleted while it was read: the DELETED event won.
          if (!this.want.has(name)) return;
          this.set(name, raw ? this.entry(raw) : undefined);
          if (!raw) this.want.delete(name);
        },
        async (e: unknown) => {
          if (this.abort.signal.aborted) return;
          // What was read before stays (a CRD that failed to read is not a CRD gone).
          this.fetchError =
            e instanceof KubeRequestError
              ? e
              : new KubeRequestError(
                  'malformed',
                  `could not read CustomResourceDefinition ${name}`,
                );
          this.o.onChange();
          await abortableSleep(
            jittered(this.backoffMs, this.o.random),
            this.abort.signal,
          );
          this.backoffMs = Math.min(this.backoffMs * 2, this.o.backoffMaxMs);
          retry = true;
        },
      )
      .finally(() => {
        this.inflight.delete(name);
        // Read again after a failure, or when the server showed a newer version meanwhile (a read answering a
        // newer version than asked is not read again: its watch event follows).
        if (retry || this.want.get(name) !== asked) this.pump(name);
        this.settleIfIdle();
      });
  }

  /** GET one CRD by name; undefined when it is gone. */
  private async fetch(name: string): Promise<any> {
    const client = this.o.client;
    const signal = this.abort.signal;
    const get = () =>
      client.getJson(
        `${this.reflector.path}/${encodeURIComponent(name)}`,
        {},
        signal,
        CRD_READ,
      );
    try {
      const raw = (await (this.o.listLimit
        ? this.o.listLimit.run(get, signal)
        : get())) as any;
      if (raw?.metadata?.name !== name || raw?.spec === undefined) {
        throw new KubeRequestError(
          'malformed',
          `GET CustomResourceDefinition ${name} did not answer one`,
        );
      }
      if (this.fetchError) {
        this.fetchError = undefined;
        this.backoffMs = this.o.backoffInitialMs;
        this.o.onChange();
      }
      return raw;
    } catch (e) {
      if (e instanceof KubeRequestError && e.status === 404) return undefined;
      throw e;
    }
  }

  private settleIfIdle(): void {
    if (this.synced || this.listing || this.inflight.size) return;
    this.synced = true;
    this.o.onChange();
  }
}
