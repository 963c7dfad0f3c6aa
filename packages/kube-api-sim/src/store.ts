import type { CustomResourceDefinition } from '@golden-gitops/crd-schemas';
import {
  ResourceRegistry,
  ResourceType,
  groupVersion,
  storageKey,
} from './resources';
import { errors } from './status';
import type { Matcher } from './selectors';
import type { KubeObject } from './types';

/** One stored object: immutable once stored; its JSON is cached per apiVersion it is served at. */
export interface Stored {
  readonly obj: KubeObject;
  readonly rv: number;
  readonly key: string;
  /** JSON per apiVersion, filled lazily. */
  readonly json: Map<string, string>;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface StoredEvent {
  type: EventType;
  rv: number;
  cur: Stored;
  prev?: Stored;
}

export interface WatchSink {
  namespace?: string;
  matches?: Matcher;
  send(type: EventType, stored: Stored): void;
  /** The collection went away (its CRD was deleted): the stream ends. */
  close(): void;
}

export interface WatchStart {
  /** Events to send before the live ones, already filtered. */
  initial: Array<{ type: EventType; stored: Stored }>;
  cancel(): void;
}

/** Objects of one group/resource (all versions share it), sorted keys cached, watch history kept. */
class Collection {
  readonly items = new Map<string, Stored>();
  private sorted: string[] | null = null;
  readonly history: StoredEvent[] = [];
  readonly watchers = new Set<WatchSink>();

  constructor(public floorRv: number) {}

  sortedKeys(): string[] {
    if (!this.sorted) this.sorted = [...this.items.keys()].sort();
    return this.sorted;
  }

  set(key: string, s: Stored): void {
    if (!this.items.has(key)) this.sorted = null;
    this.items.set(key, s);
  }

  delete(key: string): void {
    if (this.items.delete(key)) this.sorted = null;
  }
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** RFC 3339 with seconds, as Kubernetes writes timestamps. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

const NAMESPACE_TYPE_KEY = storageKey('', 'namespaces');
const CRD_TYPE_KEY = storageKey(
  'apiextensions.k8s.io',
  'customresourcedefinitions',
);

/**
 * The state of one simulated cluster: objects per resource, the resourceVersion counter, watch history and
 * watchers, and the registry of served types (built-ins plus the stored CRDs).
 */
export class ClusterState {
  private rv = 0;
  private readonly collections = new Map<string, Collection>();
  registry: ResourceRegistry = ResourceRegistry.build([]);

  constructor(private readonly historySize: number, readonly now: () => Date) {}

  currentRv(): number {
    return this.rv;
  }

  private collection(t: ResourceType): Collection {
    const key = storageKey(t.group, t.plural);
    let c = this.collections.get(key);
    if (!c) {
      c = new Collection(this.rv);
      this.collections.set(key, c);
    }
    return c;
  }

  /** The served type of an apiVersion/kind, or a 404-like error naming the missing kind. */
  typeOf(apiVersion: string, kind: string): ResourceType {
    const t = this.registry.byKind(apiVersion, kind);
    if (!t) {
      throw new Error(
        `no matches for kind "${kind}" in version "${apiVersion}"`,
      );
    }
    return t;
  }

  get(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Stored | undefined {
    return this.collection(t).items.get(
      objectKey(t.namespaced ? namespace : undefined, name),
    );
  }

  /** Objects sorted by key, optionally within one namespace and from after a key. */
  *iterate(
    t: ResourceType,
    namespace?: string,
    afterKey?: string,
  ): Generator<Stored> {
    const c = this.collection(t);
    const keys = c.sortedKeys();
    let lo = 0;
    let from = afterKey;
    if (from === undefined && namespace && t.namespaced) from = `${namespace}/`;
    if (from !== undefined) {
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keys[mid] < from || (afterKey !== undefined && keys[mid] === from))
          lo = mid + 1;
        else hi = mid;
      }
    }
    const prefix = namespace && t.namespaced ? `${namespace}/` : undefined;
    for (let i = lo; i < keys.length; i++) {
      if (prefix && !keys[i].startsWith(prefix)) break;
      const s = c.items.get(keys[i]);
      if (s) yield s;
    }
  }

  count(t: ResourceType): number {
    return this.collection(t).items.size;
  }

  /** Serialises a stored object at the apiVersion of `t` (objects of multi-version CRDs are relabelled). */
  json(s: Stored, t: ResourceType): string {
    const apiVersion = groupVersion(t.group, t.version);
    let j = s.json.get(apiVersion);
    if (j === undefined) {
      j = JSON.stringify(
        s.obj.apiVersion === apiVersion ? s.obj : { ...s.obj, apiVersion },
      );
      s.json.set(apiVersion, j);
    }
    return j;
  }

  objectAt(s: Stored, t: ResourceType): KubeObject {
    return JSON.parse(this.json(s, t)) as KubeObject;
  }

  /** Stores a complete object with the next resourceVersion and tells the watchers. */
  put(t: ResourceType, obj: KubeObject): Stored {
    const c = this.collection(t);
    const name = obj.metadata.name!;
    const key = objectKey(
      t.namespaced ? obj.metadata.namespace : undefined,
      name,
    );
    const prev = c.items.get(key);
    const rv = ++this.rv;
    // Callers hand over an object they no longer touch; only metadata is copied here.
    const stored = {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: String(rv) },
    };
    const s: Stored = { obj: stored, rv, key, json: new Map() };
    c.set(key, s);
    this.emit(c, { type: prev ? 'MODIFIED' : 'ADDED', rv, cur: s, prev });
    if (c === this.collections.get(CRD_TYPE_KEY)) this.rebuildRegistry();
    return s;
  }

  /** Deletes an object; the DELETED event carries the deletion's resourceVersion, as the apiserver's does. */
  delete(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Stored | undefined {
    const c = this.collection(t);
    const key = objectKey(t.namespaced ? namespace : undefined, name);
    const prev = c.items.get(key);
    if (!prev) return undefined;
    if (storageKey(t.group, t.plural) === NAMESPACE_TYPE_KEY) {
      this.deleteNamespaceContents(name);
    }
    const rv = ++this.rv;
    c.delete(key);
    const gone: Stored = {
      obj: {
        ...prev.obj,
        metadata: { ...prev.obj.metadata, resourceVersion: String(rv) },
      },
      rv,
      key,
      json: new Map(),
    };
    this.emit(c, { type: 'DELETED', rv, cur: gone, prev });
    if (c === this.collections.get(CRD_TYPE_KEY)) {
      this.dropCustomResources(prev.obj as unknown as CustomResourceDefinition);
      this.rebuildRegistry();
    }
    return gone;
  }

  private deleteNamespaceContents(namespace: string): void {
    for (const t of this.servedStorageTypes()) {
      if (!t.namespaced) continue;
      for (const s of [...this.iterate(t, namespace)]) {
        this.delete(t, namespace, s.obj.metadata.name!);
      }
    }
  }

  // Deleting a CRD deletes its objects and ends the watches on them, as the apiserver does.
  private dropCustomResources(crd: CustomResourceDefinition): void {
    const key = storageKey(
      crd.spec?.group ?? '',
      crd.spec?.names?.plural ?? '',
    );
    const c = this.collections.get(key);
    if (!c) return;
    const types = this.registry.versionsOfKind(
      crd.spec.group,
      crd.spec.names.kind,
    );
    if (types[0]) {
      for (const s of [...c.items.values()]) {
        this.delete(types[0], s.obj.metadata.namespace, s.obj.metadata.name!);
      }
    }
    for (const w of c.watchers) w.close();
    this.collections.delete(key);
  }

  /** One type per stored resource (the preferred version). */
  servedStorageTypes(): ResourceType[] {
    const seen = new Map<string, ResourceType>();
    for (const t of this.registry.all()) {
      const key = storageKey(t.group, t.plural);
      const have = seen.get(key);
      if (!have || t.version === t.storageVersion) seen.set(key, t);
    }
    return [...seen.values()];
  }

  rebuildRegistry(): void {
    const crdType = this.registry.byKind(
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
    );
    const crds = crdType
      ? [...this.iterate(crdType)].map(
          s => s.obj as unknown as CustomResourceDefinition,
        )
      : [];
    this.registry = ResourceRegistry.build(crds);
  }

  namespaceExists(name: string): boolean {
    const c = this.collections.get(NAMESPACE_TYPE_KEY);
    return !!c?.items.has(name);
  }

  private emit(c: Collection, ev: StoredEvent): void {
    if (this.historySize > 0) {
      c.history.push(ev);
      if (c.history.length > this.historySize) {
        const dropped = c.history.splice(
          0,
          c.history.length - this.historySize,
        );
        c.floorRv = dropped[dropped.length - 1].rv;
      }
    } else {
      c.floorRv = ev.rv;
    }
    for (const w of c.watchers) {
      const out = filterEvent(w, ev);
      if (out) w.send(out, ev.cur);
    }
  }

  /** Forgets all watch history: watches from an older resourceVersion now get 410 Gone. */
  compact(): void {
    for (const c of this.collections.values()) {
      c.history.length = 0;
      c.floorRv = this.rv;
    }
  }

  /**
   * Registers a watch. `resourceVersion` '' or '0' starts with synthetic ADDED events for the current objects;
   * a number replays the kept history after it, or throws 410 Expired when it is older than the history.
   */
  watch(
    t: ResourceType,
    resourceVersion: string | undefined,
    sink: WatchSink,
    sendInitialEvents?: boolean,
  ): WatchStart {
    const c = this.collection(t);
    const initial: WatchStart['initial'] = [];
    if (!resourceVersion || resourceVersion === '0' || sendInitialEvents) {
      for (const s of this.iterate(t, sink.namespace)) {
        if (!sink.matches || sink.matches(s.obj)) {
          initial.push({ type: 'ADDED', stored: s });
        }
      }
    } else {
      const from = parseRv(resourceVersion);
      if (from < c.floorRv) {
        throw errors.expired(
          `too old resource version: ${from} (${c.floorRv})`,
        );
      }
      for (const ev of c.history) {
        if (ev.rv <= from) continue;
        const out = filterEvent(sink, ev);
        if (out) initial.push({ type: out, stored: ev.cur });
      }
    }
    c.watchers.add(sink);
    return { initial, cancel: () => c.watchers.delete(sink) };
  }

  watcherCount(): number {
    let n = 0;
    for (const c of this.collections.values()) n += c.watchers.size;
    return n;
  }

  closeAllWatches(): void {
    for (const c of this.collections.values()) {
      for (const w of [...c.watchers]) w.close();
      c.watchers.clear();
    }
  }
}

export function parseRv(rv: string): number {
  if (!/^\d+$/.test(rv)) {
    throw errors.badRequest(
      `invalid resource version: strconv.ParseUint: parsing "${rv}": invalid syntax`,
    );
  }
  return Number(rv);
}

// A watch with a selector sees an object entering the selection as ADDED and leaving it as DELETED.
function filterEvent(w: WatchSink, ev: StoredEvent): EventType | undefined {
  const ns = ev.cur.obj.metadata.namespace;
  if (w.namespace && ns !== w.namespace) return undefined;
  if (!w.matches) return ev.type;
  const now = w.matches(ev.cur.obj);
  if (ev.type === 'MODIFIED') {
    const before = !!ev.prev && w.matches(ev.prev.obj);
    if (before && now) return 'MODIFIED';
    if (now) return 'ADDED';
    if (before) return 'DELETED';
    return undefined;
  }
  if (ev.type === 'DELETED') {
    return ev.prev && w.matches(ev.prev.obj) ? 'DELETED' : undefined;
  }
  return now ? ev.type : undefined;
}
