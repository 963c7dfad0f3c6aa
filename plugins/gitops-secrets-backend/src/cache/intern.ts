import type { SlimObject } from '@golden-gitops/plugin-gitops-secrets-common';

/** Strings longer than this are rarely repeated (they are messages with object names in them). */
const MAX_INTERNED_LENGTH = 256;
/** A pool that grows past this is cleared: sharing is an optimisation, never a leak. */
const MAX_POOL_SIZE = 50_000;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT/;
/** Keys whose string values are unique per object: pooling them would only add pool entries. */
const UNIQUE_KEYS = new Set([
  'name',
  'lastTransitionTime',
  'refreshTime',
  'creationTimestamp',
  'deletionTimestamp',
]);
/** Small objects that repeat across thousands of objects: shared whole when equal. */
const SHARED_OBJECT_KEYS = new Set([
  'labels',
  'annotations',
  'secretStoreRef',
  'sourceRef',
  'chartRef',
]);

/**
 * Makes cached objects small. Thousands of ExternalSecrets repeat the same
 * apiVersion, kind, namespace, labels, condition type/reason/message and store
 * reference, and JSON.parse gives each its own copy; objects assembled key by
 * key also carry spare property slots. `compact` rebuilds a slim object
 * through JSON (exact-size objects), shares repeated strings, and shares
 * equal small objects (label sets, store references) between objects.
 * Shared objects are frozen: nothing may mutate a cached object.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();
  private readonly objects = new Map<string, object>();

  get size(): number {
    return this.strings.size + this.objects.size;
  }

  intern(s: string): string {
    if (s.length > MAX_INTERNED_LENGTH || TIMESTAMP.test(s)) return s;
    const have = this.strings.get(s);
    if (have !== undefined) return have;
    if (this.strings.size >= MAX_POOL_SIZE) this.strings.clear();
    this.strings.set(s, s);
    return s;
  }

  private share(key: string, value: object): object {
    const text = JSON.stringify(value);
    if (text.length > MAX_INTERNED_LENGTH) return value;
    const id = `${key}:${text}`;
    const have = this.objects.get(id);
    if (have) return have;
    if (this.objects.size >= MAX_POOL_SIZE) this.objects.clear();
    Object.freeze(value);
    this.objects.set(id, value);
    return value;
  }

  /**
   * A compact copy of a freshly slimmed object (its uid and creationTimestamp dropped: the model never reads them).
   * Names equal to the object's own (a binding, a target or store named after it) are one string with it.
   */
  internObject(obj: SlimObject): SlimObject {
    const { uid, creationTimestamp, ...metadata } = obj.metadata;
    const own = metadata.name;
    const text = JSON.stringify({ ...obj, metadata });
    return JSON.parse(text, (key: string, value: unknown) => {
      if (typeof value === 'string') {
        if (UNIQUE_KEYS.has(key)) return value === own ? own : value;
        return this.intern(value);
      }
      if (
        SHARED_OBJECT_KEYS.has(key) &&
        value &&
        typeof value === 'object' &&
        !Array.isArray(value)
      ) {
        return this.share(key, value);
      }
      return value;
    });
  }
}
