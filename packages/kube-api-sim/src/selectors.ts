import { errors } from './status';
import type { KubeObject } from './types';

export type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type Matcher = (obj: KubeObject) => boolean;

const KEY =
  /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map(p => p.trim()).filter(p => p.length > 0);
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key)) {
    throw errors.badRequest(
      `unable to parse requirement: <nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') (selector "${selector}")`,
    );
  }
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw errors.badRequest(
      `unable to parse requirement: values[0][${value}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (selector "${selector}")`,
    );
  }
  return value;
}

/** Parses a label selector (`a=b,c!=d,e in (f,g),h notin (i),j,!k`); throws a 400 ApiError when malformed. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitTopLevel(selector).map(part => {
    let m = /^!\s*(\S+)$/.exec(part);
    if (m) return { op: 'notexists', key: checkKey(m[1], selector) };
    m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3]
        .split(',')
        .map(v => v.trim())
        .filter(v => v.length > 0)
        .map(v => checkValue(v, selector));
      return {
        op: m[2] as 'in' | 'notin',
        key: checkKey(m[1], selector),
        values,
      };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      return {
        op: m[2] === '!=' ? 'neq' : 'eq',
        key: checkKey(m[1], selector),
        value: checkValue(m[3], selector),
      };
    }
    if (/^\S+$/.test(part))
      return { op: 'exists', key: checkKey(part, selector) };
    throw errors.badRequest(
      `unable to parse requirement: found '${part}', expected: identifier (selector "${selector}")`,
    );
  });
}

export function labelMatcher(
  selector: string | undefined,
): Matcher | undefined {
  if (!selector) return undefined;
  const reqs = parseLabelSelector(selector);
  if (reqs.length === 0) return undefined;
  return obj => {
    const labels = obj.metadata.labels ?? {};
    return reqs.every(r => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case 'eq':
          return has && v === r.value;
        case 'neq':
          return !has || v !== r.value;
        case 'in':
          return has && r.values.includes(v);
        case 'notin':
          return !has || !r.values.includes(v);
        case 'exists':
          return has;
        case 'notexists':
          return !has;
        default:
          return false;
      }
    });
  };
}

/**
 * Field selectors the apiserver supports per kind: metadata.name and metadata.namespace on every resource
 * (all a custom resource has), plus core/v1 Event's own fields (what `kubectl describe` uses to find an
 * object's Events).
 */
const EVENT_FIELDS: Record<string, (o: KubeObject) => unknown> = {
  'involvedObject.kind': o => (o as any).involvedObject?.kind,
  'involvedObject.namespace': o => (o as any).involvedObject?.namespace,
  'involvedObject.name': o => (o as any).involvedObject?.name,
  'involvedObject.uid': o => (o as any).involvedObject?.uid,
  'involvedObject.apiVersion': o => (o as any).involvedObject?.apiVersion,
  'involvedObject.resourceVersion': o =>
    (o as any).involvedObject?.resourceVersion,
  'involvedObject.fieldPath': o => (o as any).involvedObject?.fieldPath,
  reason: o => (o as any).reason,
  reportingComponent: o => (o as any).reportingComponent,
  source: o => (o as any).source?.component,
  type: o => (o as any).type,
};

const COMMON_FIELDS: Record<string, (o: KubeObject) => unknown> = {
  'metadata.name': o => o.metadata.name,
  'metadata.namespace': o => o.metadata.namespace,
};

/** A field selector's matcher for objects of `kind`; throws a 400 ApiError on a field the kind does not support. */
export function fieldMatcher(
  selector: string | undefined,
  kind?: string,
): Matcher | undefined {
  if (!selector) return undefined;
  const fields =
    kind === 'Event' ? { ...COMMON_FIELDS, ...EVENT_FIELDS } : COMMON_FIELDS;
  const reqs = splitTopLevel(selector).map(part => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) {
      throw errors.badRequest(
        `invalid selector: '${selector}'; can't understand '${part}'`,
      );
    }
    const field = m[1].trim();
    const read = fields[field];
    if (!read) {
      throw errors.badRequest(`field label not supported: ${field}`);
    }
    return { read, negate: m[2] === '!=', value: m[3].trim() };
  });
  if (reqs.length === 0) return undefined;
  return obj =>
    reqs.every(r => {
      const v = r.read(obj);
      // An absent field compares as the empty string, as on the apiserver.
      const actual = typeof v === 'string' ? v : '';
      return r.negate ? actual !== r.value : actual === r.value;
    });
}

export function combine(
  ...matchers: Array<Matcher | undefined>
): Matcher | undefined {
  const ms = matchers.filter((m): m is Matcher => !!m);
  if (ms.length === 0) return undefined;
  if (ms.length === 1) return ms[0];
  return obj => ms.every(m => m(obj));
}
