import { resolveServedVersion } from '@golden-gitops/crd-schemas';

/*
 * Type coercion of rendered values to the types the target CRD's schema demands.
 *
 * A rendered value is always a string. WGE substituted text and let YAML re-type it, so
 * `replicas: ${N}` became an integer — and so did `name: ${N}` when N was "123", and a value
 * containing ": " became a mapping. Here the schema decides instead: a string becomes an
 * integer, number or boolean only where the schema of the served CRD version asks for one.
 */

export type JsonSchema = Record<string, any>;

/** The `openAPIV3Schema` of the served version of apiVersion/kind, if a known CRD defines it. */
export function schemaFor(
  apiVersion: unknown,
  kind: unknown,
): JsonSchema | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    return undefined;
  if (!apiVersion.includes('/')) return undefined; // core kinds: no CRD schema
  const resolved = resolveServedVersion(apiVersion, kind);
  if ('error' in resolved) return undefined;
  return resolved.crd.spec.versions.find(v => v.name === resolved.version)
    ?.schema?.openAPIV3Schema as JsonSchema | undefined;
}

/** The scope of a kind defined by a known CRD, or undefined. */
export function scopeOf(
  apiVersion: unknown,
  kind: unknown,
): 'Namespaced' | 'Cluster' | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    return undefined;
  const resolved = resolveServedVersion(apiVersion, kind);
  if ('error' in resolved) return undefined;
  return resolved.namespaced ? 'Namespaced' : 'Cluster';
}

/** The sub-schema at `path` (object keys and array indices), or undefined where unknown. */
export function schemaAt(
  schema: JsonSchema | undefined,
  path: Array<string | number>,
): JsonSchema | undefined {
  let s = schema;
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === 'number') s = s.items;
    else if (s.properties && seg in s.properties) s = s.properties[seg];
    else if (
      s.additionalProperties &&
      typeof s.additionalProperties === 'object'
    )
      s = s.additionalProperties;
    else return undefined;
  }
  return s;
}

/** The scalar type a schema node asks for, or undefined when any string is fine. */
export function scalarTypeOf(
  s: JsonSchema | undefined,
): 'integer' | 'number' | 'boolean' | undefined {
  if (!s || s['x-kubernetes-int-or-string']) return undefined;
  return s.type === 'integer' || s.type === 'number' || s.type === 'boolean'
    ? s.type
    : undefined;
}

export interface Coercion {
  /** Kubernetes-style path, e.g. `spec.replicas` or `spec.template.spec.containers[0].args`. */
  path: string;
  from: unknown;
  to: unknown;
  /** What happened, for the warning. */
  action: 'converted' | 'dropped-null';
}

export const formatPath = (path: Array<string | number>) =>
  path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      return i === 0 ? seg : `.${seg}`;
    })
    .join('');

const INTEGER = /^[-+]?\d+$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Converts a string to the schema's scalar type; undefined when it does not parse (the
 * validator then reports the type error, naming the field).
 */
export function convertScalar(
  value: string,
  type: 'integer' | 'number' | 'boolean',
): number | boolean | undefined {
  const v = value.trim();
  if (type === 'integer') {
    if (!INTEGER.test(v)) return undefined;
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (type === 'number') return NUMBER.test(v) ? Number(v) : undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/**
 * Coerces `obj` in place to its CRD schema: strings where the schema asks for an integer,
 * number or boolean are converted; `null` where the schema is not `nullable` is dropped, as the
 * API server prunes it (the seed's `matchLabels: null`). Objects of kinds without a known CRD
 * are left alone. Returns what changed.
 */
export function coerceToSchema(obj: Record<string, unknown>): Coercion[] {
  const schema = schemaFor(obj.apiVersion, obj.kind);
  if (!schema) return [];
  const out: Coercion[] = [];
  const walk = (
    value: unknown,
    s: JsonSchema | undefined,
    path: Array<string | number>,
    set: (v: unknown) => void,
    remove: () => void,
  ) => {
    if (!s) return;
    if (value === null) {
      if (!s.nullable) {
        remove();
        out.push({
          path: formatPath(path),
          from: null,
          to: undefined,
          action: 'dropped-null',
        });
      }
      return;
    }
    if (typeof value === 'string') {
      const type = scalarTypeOf(s);
      if (!type) return;
      const converted = convertScalar(value, type);
      if (converted !== undefined) {
        set(converted);
        out.push({
          path: formatPath(path),
          from: value,
          to: converted,
          action: 'converted',
        });
      }
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        walk(
          value[i],
          s.items,
          [...path, i],
          v => {
            value[i] = v;
          },
          () => {
            // A null list item is not pruned by the API server; leave it to the validator.
          },
        );
      }
      return;
    }
    if (typeof value === 'object') {
      const rec = value as Record<string, unknown>;
      for (const key of Object.keys(rec)) {
        walk(
          rec[key],
          schemaAt(s, [key]),
          [...path, key],
          v => {
            rec[key] = v;
          },
          () => {
            delete rec[key];
          },
        );
      }
    }
  };
  walk(
    obj,
    schema,
    [],
    () => undefined,
    () => undefined,
  );
  return out;
}
