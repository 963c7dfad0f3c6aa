import type { PrinterColumn, ResourceType } from './resources';
import type { KubeObject } from './types';

/**
 * Evaluates the JSONPath subset CRD printer columns use: `.a.b`, `.a['x\.y']`, `.a[0]`, `.a[*].b`,
 * `.a[?(@.type=="Ready")].status`. Returns every match.
 */
export function evalJsonPath(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  let i = path.startsWith('{') ? 1 : 0;
  const end = path.endsWith('}') ? path.length - 1 : path.length;
  while (i < end) {
    if (path[i] === '.') {
      i++;
      const m = /^[^.[]+/.exec(path.slice(i, end));
      if (!m) continue;
      const key = m[0];
      i += key.length;
      current = current.flatMap(v => child(v, key));
    } else if (path[i] === '[') {
      const close = findClose(path, i);
      const inner = path.slice(i + 1, close).trim();
      i = close + 1;
      const quoted = /^'(.*)'$|^"(.*)"$/.exec(inner);
      if (quoted) {
        const key = (quoted[1] ?? quoted[2]).replace(/\\\./g, '.');
        current = current.flatMap(v => child(v, key));
      } else if (inner === '*') {
        current = current.flatMap(v => {
          if (Array.isArray(v)) return v;
          return v && typeof v === 'object' ? Object.values(v) : [];
        });
      } else if (/^-?\d+$/.test(inner)) {
        const n = Number(inner);
        current = current.flatMap(v =>
          Array.isArray(v) && v.at(n) !== undefined ? [v.at(n)] : [],
        );
      } else {
        const filter = /^\?\(@\.([\w.]+)\s*(==|!=)\s*["']([^"']*)["']\)$/.exec(
          inner,
        );
        if (!filter) return [];
        const [, field, op, value] = filter;
        current = current.flatMap(v =>
          Array.isArray(v)
            ? v.filter(item => {
                const got = evalJsonPath(item, `.${field}`)[0];
                return op === '=='
                  ? String(got) === value
                  : String(got) !== value;
              })
            : [],
        );
      }
    } else {
      i++;
    }
  }
  return current.filter(v => v !== undefined);
}

function findClose(path: string, open: number): number {
  let quote: string | undefined;
  for (let j = open + 1; j < path.length; j++) {
    const c = path[j];
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return j;
  }
  return path.length;
}

function child(v: unknown, key: string): unknown[] {
  if (v && typeof v === 'object' && !Array.isArray(v) && key in v) {
    return [(v as Record<string, unknown>)[key]];
  }
  return [];
}

/** `kubectl`-style age: 45s, 5m12s, 3h, 2d4h, … (the apiserver's HumanDuration). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (h < 24 * 365 * 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

function cell(
  obj: KubeObject,
  col: PrinterColumn,
  t: ResourceType,
  now: Date,
): unknown {
  if (!t.custom) {
    // Built-in printers compute some columns instead of reading a path.
    if (col.jsonPath === '.data') {
      const o = obj as { data?: object; binaryData?: object };
      return (
        Object.keys(o.data ?? {}).length +
        Object.keys(o.binaryData ?? {}).length
      );
    }
    if (t.kind === 'Deployment' && col.name === 'Ready') {
      const o = obj as {
        spec?: { replicas?: number };
        status?: { readyReplicas?: number };
      };
      return `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`;
    }
  }
  const values = evalJsonPath(obj, col.jsonPath);
  if (values.length === 0) return null;
  const v =
    values.length === 1
      ? values[0]
      : values
          .map(x => (typeof x === 'object' ? JSON.stringify(x) : String(x)))
          .join(',');
  // Custom resources' date columns (and Age) read as ages; the CRD printer's "Created At" stays a timestamp.
  if (
    col.type === 'date' &&
    typeof v === 'string' &&
    (t.custom || col.name === 'Age')
  ) {
    const at = Date.parse(v);
    return Number.isNaN(at) ? v : humanDuration(now.getTime() - at);
  }
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return v;
}

export function tableColumns(t: ResourceType): Array<Record<string, unknown>> {
  return [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description:
        'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
      priority: 0,
    },
    ...t.printerColumns.map(c => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function tableRow(
  obj: KubeObject,
  t: ResourceType,
  now: Date,
  include: IncludeObject,
): Record<string, unknown> {
  const row: Record<string, unknown> = {
    cells: [
      obj.metadata.name,
      ...t.printerColumns.map(c => cell(obj, c, t, now)),
    ],
  };
  if (include === 'Object') row.object = obj;
  else if (include === 'Metadata') {
    row.object = {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: obj.metadata,
    };
  }
  return row;
}

export function table(
  t: ResourceType,
  rows: Array<Record<string, unknown>>,
  metadata: Record<string, unknown>,
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: tableColumns(t),
    rows,
  };
}

/** Whether the client asked for a Table (kubectl get does, with a JSON fallback). */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /;\s*as=Table/.test(accept.split(',')[0] ?? '');
}
