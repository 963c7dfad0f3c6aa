import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CRD_SETS, CrdSet } from '@golden-gitops/crd-schemas';
import type { FaultConfig, KubeObject, SimClusterOptions } from './types';

/** Absolute path of the fixtures shipped with this package (one folder per cluster). */
// The package runs from its sources (tests, the CLI), never from a bundled build, so __dirname is src/.
// eslint-disable-next-line no-restricted-syntax
export const fixturesDir = path.resolve(__dirname, '..', 'fixtures');

/** The `cluster.yaml` of a fixture folder. */
export interface FixtureClusterFile {
  name: string;
  description?: string;
  crdSets: CrdSet[];
  crdLabels?: Partial<Record<CrdSet, Record<string, string>>>;
  /** The moment the fixture's timestamps were written for; they are shifted so it becomes "now". */
  fixtureTime: string;
  faults?: FaultConfig;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Shifts an RFC 3339 timestamp by `deltaMs`, keeping its fractional-second precision; other strings pass. */
export function shiftTimestamp(value: string, deltaMs: number): string {
  const m = RFC3339.exec(value);
  if (!m) return value;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  const iso = new Date(t + deltaMs).toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ
  const fraction = m[7];
  if (!fraction) return `${iso.slice(0, 19)}Z`;
  const digits = fraction.length - 1;
  const ms = iso.slice(20, 23);
  // Sub-millisecond digits of the original are kept as they were.
  const frac = digits <= 3 ? ms.slice(0, digits) : ms + fraction.slice(4);
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/** Returns a copy of `value` with every RFC 3339 string, at any depth, shifted by `deltaMs`. */
export function shiftTimestamps<T>(value: T, deltaMs: number): T {
  if (typeof value === 'string')
    return shiftTimestamp(value, deltaMs) as unknown as T;
  if (Array.isArray(value))
    return value.map(v => shiftTimestamps(v, deltaMs)) as unknown as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = shiftTimestamps(v, deltaMs);
    return out as T;
  }
  return value;
}

// Kinds without metadata.generation on a real server.
const NO_GENERATION = new Set([
  'v1/ConfigMap',
  'v1/Secret',
  'v1/Namespace',
  'v1/Event',
]);

function stableUid(cluster: string, o: KubeObject): string {
  const h = crypto
    .createHash('sha1')
    .update(
      `${cluster}/${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${
        o.metadata.name
      }`,
    )
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(
    17,
    20,
  )}-${h.slice(20, 32)}`;
}

function readClusterFile(dir: string): FixtureClusterFile {
  const file = path.join(dir, 'cluster.yaml');
  if (!fs.existsSync(file)) throw new Error(`${dir} has no cluster.yaml`);
  const c = parse(
    fs.readFileSync(file, 'utf8'),
  ) as Partial<FixtureClusterFile> | null;
  if (!c || typeof c !== 'object') throw new Error(`${file} is empty`);
  if (!c.fixtureTime || Number.isNaN(Date.parse(c.fixtureTime))) {
    throw new Error(`${file}: fixtureTime must be an RFC 3339 timestamp`);
  }
  for (const set of c.crdSets ?? []) {
    if (!(CRD_SETS as readonly string[]).includes(set)) {
      throw new Error(
        `${file}: unknown crdSet '${set}'; known: ${CRD_SETS.join(', ')}`,
      );
    }
  }
  return {
    ...c,
    name: c.name ?? path.basename(dir),
    crdSets: c.crdSets ?? [],
    fixtureTime: c.fixtureTime,
  } as FixtureClusterFile;
}

/** Reads the Kubernetes objects of every `*.yaml` beside `cluster.yaml` (multi-document, `kind: List` expanded). */
export function readFixtureObjects(dir: string): KubeObject[] {
  const files = fs
    .readdirSync(dir)
    .filter(
      f => (f.endsWith('.yaml') || f.endsWith('.yml')) && f !== 'cluster.yaml',
    )
    .sort();
  const objects: KubeObject[] = [];
  for (const f of files) {
    const docs = parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'));
    for (const d of docs) {
      if (d.errors.length)
        throw new Error(`${path.join(dir, f)}: ${d.errors[0].message}`);
      const o = d.toJS() as KubeObject | null;
      if (!o) continue;
      const items =
        o.kind === 'List' && Array.isArray(o.items)
          ? (o.items as KubeObject[])
          : [o];
      for (const item of items) {
        if (!item.apiVersion || !item.kind || !item.metadata?.name) {
          throw new Error(
            `${path.join(
              dir,
              f,
            )}: an object without apiVersion, kind or metadata.name`,
          );
        }
        objects.push(item);
      }
    }
  }
  return objects;
}

/**
 * Loads a fixture folder as cluster options. Every RFC 3339 timestamp in the objects is shifted by
 * (now − fixtureTime), so ages written into a fixture stay the same whenever it is loaded; missing uid,
 * creationTimestamp and generation are filled (resourceVersions are assigned by the simulated cluster).
 */
export function loadFixtureCluster(
  dir: string,
  now: Date = new Date(),
): SimClusterOptions {
  const c = readClusterFile(dir);
  const delta = now.getTime() - Date.parse(c.fixtureTime);
  const objects = readFixtureObjects(dir).map(raw => {
    const o = shiftTimestamps(raw, delta);
    o.metadata.uid ??= stableUid(c.name, o);
    o.metadata.creationTimestamp ??= shiftTimestamp(c.fixtureTime, delta);
    if (!NO_GENERATION.has(`${o.apiVersion}/${o.kind}`))
      o.metadata.generation ??= 1;
    return o;
  });
  // An Event names its object by uid too (what `kubectl describe` selects on): fill it from the object it names.
  const uids = new Map(
    objects.map(o => [
      `${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`,
      o.metadata.uid,
    ]),
  );
  for (const o of objects) {
    const io = o.kind === 'Event' ? (o as any).involvedObject : undefined;
    if (!io || io.uid) continue;
    const uid = uids.get(`${io.kind}|${io.namespace ?? ''}|${io.name}`);
    if (uid) io.uid = uid;
  }
  return {
    name: c.name,
    crdSets: c.crdSets,
    ...(c.crdLabels ? { crdLabels: c.crdLabels } : {}),
    ...(c.faults ? { faults: c.faults } : {}),
    objects,
  };
}

/** The fixture folders under `root`: `root` itself when it has a cluster.yaml, else its subfolders that do. */
export function fixtureClusterDirs(root: string): string[] {
  if (fs.existsSync(path.join(root, 'cluster.yaml'))) return [root];
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter(
      e =>
        e.isDirectory() &&
        fs.existsSync(path.join(root, e.name, 'cluster.yaml')),
    )
    .map(e => path.join(root, e.name))
    .sort();
}
