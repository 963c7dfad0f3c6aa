import crypto from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch';
import { ResourceType, groupVersion } from './resources';
import { ClusterState, Stored, clone, timestamp } from './store';
import {
  ApiError,
  GroupResource,
  StatusBody,
  deleteSuccess,
  errors,
} from './status';
import type { KubeObject } from './types';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export interface WriteResult {
  code: number;
  /** The stored object, or a Status (deletes of built-ins), or a plain object (dry runs). */
  body: Stored | KubeObject | StatusBody;
}

export function gr(t: ResourceType): GroupResource {
  return { group: t.group, resource: t.plural };
}

/** JSON with sorted keys, to compare objects regardless of key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .filter(k => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map(
        k =>
          `${JSON.stringify(k)}:${canonical(
            (v as Record<string, unknown>)[k],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

// The part of an object whose change bumps metadata.generation.
function specPart(obj: KubeObject, t: ResourceType): string {
  const { metadata: _m, status: _s, ...rest } = obj;
  return canonical(t.statusSubresource ? rest : { ...rest, status: _s });
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function generateSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++)
    s += NAME_CHARS[crypto.randomInt(NAME_CHARS.length)];
  return s;
}

function asObject(body: unknown): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest(
      'the object provided is unrecognized (must be of type Object)',
    );
  }
  const o = body as KubeObject;
  if (!o.metadata || typeof o.metadata !== 'object') o.metadata = {};
  return o;
}

/** Parses a request body by content type: JSON, or YAML for server-side apply. */
export function parseBody(raw: string, contentType: string): unknown {
  // No protobuf here: a 415 makes client-go (kubectl create) retry the request as JSON.
  if (contentType.startsWith('application/vnd.kubernetes.protobuf')) {
    throw errors.unsupportedMediaType(['application/json', 'application/yaml']);
  }
  if (!raw) return undefined;
  try {
    return contentType.startsWith('application/apply-patch+yaml')
      ? parseYaml(raw)
      : JSON.parse(raw);
  } catch (e) {
    throw errors.badRequest(
      `the object provided is unrecognized: ${(e as Error).message}`,
    );
  }
}

/** The object operations with the apiserver's semantics, on top of a ClusterState. */
export class ObjectApi {
  constructor(private readonly state: ClusterState) {}

  private checkKind(t: ResourceType, o: KubeObject): void {
    const gv = groupVersion(t.group, t.version);
    if (o.apiVersion && o.apiVersion !== gv) {
      throw errors.badRequest(
        `the API version in the data (${o.apiVersion}) does not match the expected API version (${gv})`,
      );
    }
    if (o.kind && o.kind !== t.kind) {
      throw errors.badRequest(
        `the kind in the data (${o.kind}) does not match the expected kind (${t.kind})`,
      );
    }
    o.apiVersion = gv;
    o.kind = t.kind;
  }

  private checkNamespace(
    t: ResourceType,
    ns: string | undefined,
    o: KubeObject,
  ): void {
    if (!t.namespaced) {
      delete o.metadata.namespace;
      return;
    }
    if (o.metadata.namespace && o.metadata.namespace !== ns) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    o.metadata.namespace = ns;
  }

  create(
    t: ResourceType,
    ns: string | undefined,
    body: unknown,
    opts: WriteOptions = {},
  ): WriteResult {
    const o = asObject(clone(body));
    this.checkKind(t, o);
    this.checkNamespace(t, ns, o);
    const meta = o.metadata;
    if (!meta.name && meta.generateName) {
      meta.name = `${meta.generateName}${generateSuffix()}`;
    }
    if (!meta.name) {
      throw errors.invalid(t.kind, t.group, '', [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    if (t.namespaced && !this.state.namespaceExists(ns!)) {
      throw errors.notFound({ group: '', resource: 'namespaces' }, ns!);
    }
    if (this.state.get(t, ns, meta.name)) {
      throw errors.alreadyExists(gr(t), meta.name);
    }
    // create cannot set status where status is a subresource
    if (t.statusSubresource) delete o.status;
    foldStringData(t, o);
    this.prepareNew(t, o);
    if (opts.dryRun) return { code: 201, body: o };
    return { code: 201, body: this.state.put(t, o) };
  }

  /** Server-owned metadata and per-kind defaults of a new object. */
  private prepareNew(t: ResourceType, o: KubeObject): void {
    const meta = o.metadata;
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = timestamp(this.state.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (t.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    applyDefaults(t, o, this.state.now());
  }

  update(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    body: unknown,
    subresource: string | undefined,
    opts: WriteOptions = {},
  ): WriteResult {
    const o = asObject(clone(body));
    this.checkKind(t, o);
    if (o.metadata.name !== undefined && o.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    o.metadata.name = name;
    this.checkNamespace(t, ns, o);
    const existing = this.state.get(t, ns, name);
    if (!existing) throw errors.notFound(gr(t), name);
    const rv = o.metadata.resourceVersion;
    if (!rv && t.requiresResourceVersionOnUpdate) {
      throw errors.invalid(t.kind, t.group, name, [
        {
          field: 'metadata.resourceVersion',
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    if (rv && rv !== existing.obj.metadata.resourceVersion) {
      throw errors.conflict(gr(t), name);
    }
    return this.commitUpdate(t, existing, o, subresource, opts);
  }

  private commitUpdate(
    t: ResourceType,
    existing: Stored,
    o: KubeObject,
    subresource: string | undefined,
    opts: WriteOptions,
  ): WriteResult {
    const old = this.state.objectAt(existing, t);
    let next: KubeObject;
    if (subresource === 'status') {
      // an update of /status changes only the status
      next = clone(old);
      if (o.status !== undefined) next.status = o.status;
      else delete next.status;
    } else {
      next = o;
      foldStringData(t, next);
      const meta = next.metadata;
      meta.uid = old.metadata.uid;
      meta.creationTimestamp = old.metadata.creationTimestamp;
      if (old.metadata.deletionTimestamp) {
        meta.deletionTimestamp = old.metadata.deletionTimestamp;
      } else delete meta.deletionTimestamp;
      if (t.statusSubresource) {
        if (old.status !== undefined) next.status = old.status;
        else delete next.status;
      }
      if (t.hasGeneration) {
        const gen = Number(old.metadata.generation ?? 1);
        meta.generation =
          specPart(next, t) !== specPart(old, t) ? gen + 1 : gen;
      } else delete meta.generation;
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    // The apiserver does not write (nor bump resourceVersion) when nothing changed.
    if (canonical(next) === canonical(old))
      return { code: 200, body: existing };
    if (t.kind === 'CustomResourceDefinition' && subresource !== 'status') {
      validateCrd(next);
    }
    if (opts.dryRun) return { code: 200, body: next };
    const stored = this.state.put(t, next);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      this.state.delete(t, next.metadata.namespace, next.metadata.name!);
    }
    return { code: 200, body: stored };
  }

  patch(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    contentType: string,
    raw: string,
    subresource: string | undefined,
    opts: WriteOptions & { force?: boolean } = {},
  ): WriteResult {
    const type = contentType.split(';')[0].trim();
    const accepted = [
      'application/json-patch+json',
      'application/merge-patch+json',
      ...(t.custom ? [] : ['application/strategic-merge-patch+json']),
      'application/apply-patch+yaml',
    ];
    if (!accepted.includes(type)) throw errors.unsupportedMediaType(accepted);
    const body = parseBody(raw, type);
    const existing = this.state.get(t, ns, name);
    if (type === 'application/apply-patch+yaml') {
      if (!opts.fieldManager) {
        throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [
          {
            field: 'fieldManager',
            reason: 'FieldValueRequired',
            message: 'Required value: is required for apply patch',
          },
        ]);
      }
      const applied = asObject(body);
      if (!existing) {
        if (subresource) throw errors.notFound(gr(t), name);
        if (applied.metadata.name && applied.metadata.name !== name) {
          throw errors.badRequest(
            `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
          );
        }
        return this.create(
          t,
          ns,
          { ...applied, metadata: { ...applied.metadata, name } },
          opts,
        );
      }
    }
    if (!existing) throw errors.notFound(gr(t), name);
    const old = this.state.objectAt(existing, t);
    let patched: unknown;
    switch (type) {
      case 'application/json-patch+json':
        patched = jsonPatch(old, body);
        break;
      case 'application/strategic-merge-patch+json':
        patched = strategicMergePatch(old, body);
        break;
      default:
        // merge patch, and server-side apply approximated as a merge
        patched = mergePatch(old, body);
    }
    const o = asObject(patched);
    this.checkKind(t, o);
    if (o.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const rv = o.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) {
      throw errors.conflict(gr(t), name);
    }
    return this.commitUpdate(t, existing, o, subresource, opts);
  }

  delete(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions = {},
  ): WriteResult {
    const existing = this.state.get(t, ns, name);
    if (!existing) throw errors.notFound(gr(t), name);
    const pre = (
      body as
        | { preconditions?: { resourceVersion?: string; uid?: string } }
        | undefined
    )?.preconditions;
    const meta = existing.obj.metadata;
    if (pre?.uid && pre.uid !== meta.uid) {
      throw conflictWith(
        t,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflictWith(
        t,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
      );
    }
    if (opts.dryRun)
      return { code: 200, body: this.state.objectAt(existing, t) };
    if (meta.finalizers?.length) {
      // Finalizers keep the object until a controller removes them; deletion only marks it.
      if (meta.deletionTimestamp) return { code: 200, body: existing };
      const marked = this.state.objectAt(existing, t);
      marked.metadata.deletionTimestamp = timestamp(this.state.now());
      marked.metadata.deletionGracePeriodSeconds = 0;
      return { code: 200, body: this.state.put(t, marked) };
    }
    const gone = this.state.delete(t, ns, name)!;
    if (t.kind === 'Namespace') {
      const o = this.state.objectAt(gone, t);
      o.metadata.deletionTimestamp = timestamp(this.state.now());
      o.status = { phase: 'Terminating' };
      return { code: 200, body: o };
    }
    // Custom resources answer with the deleted object, built-ins with a Status.
    if (t.custom) return { code: 200, body: gone };
    return { code: 200, body: deleteSuccess(gr(t), name, meta.uid) };
  }

  /**
   * Controller-style write used by the simulator's own API and fixtures: keeps the given status, fills missing
   * metadata, creates the namespace when absent, and bumps generation on spec changes.
   */
  upsert(input: KubeObject): Stored {
    const t = this.state.typeOf(input.apiVersion, input.kind);
    const o = clone(input);
    if (!o.metadata?.name) throw new Error(`${o.kind} without metadata.name`);
    if (t.namespaced) {
      o.metadata.namespace = o.metadata.namespace || 'default';
      this.ensureNamespace(o.metadata.namespace);
    } else delete o.metadata.namespace;
    const existing = this.state.get(t, o.metadata.namespace, o.metadata.name);
    const meta = o.metadata;
    if (existing) {
      const old = existing.obj;
      meta.uid ??= old.metadata.uid;
      meta.creationTimestamp ??= old.metadata.creationTimestamp;
      if (t.hasGeneration && meta.generation === undefined) {
        const gen = Number(old.metadata.generation ?? 1);
        meta.generation = specPart(o, t) !== specPart(old, t) ? gen + 1 : gen;
      }
    } else {
      meta.uid ??= crypto.randomUUID();
      meta.creationTimestamp ??= timestamp(this.state.now());
      if (t.hasGeneration) meta.generation ??= 1;
      applyDefaults(t, o, this.state.now());
    }
    if (t.kind === 'CustomResourceDefinition') validateCrd(o);
    foldStringData(t, o);
    return this.state.put(t, o);
  }

  ensureNamespace(name: string): void {
    if (this.state.namespaceExists(name)) return;
    this.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

function conflictWith(t: ResourceType, name: string, reason: string): ApiError {
  const e = errors.conflict(gr(t), name);
  e.status.message = `Operation cannot be fulfilled on ${
    t.group ? `${t.plural}.${t.group}` : t.plural
  } "${name}": ${reason}`;
  return e;
}

/** Fields the apiserver (or its built-in controllers) fill on new objects of some kinds. */
function applyDefaults(t: ResourceType, o: KubeObject, now: Date): void {
  if (t.group === '' && t.kind === 'Namespace') {
    o.metadata.labels = {
      ...o.metadata.labels,
      'kubernetes.io/metadata.name': o.metadata.name!,
    };
    o.spec ??= { finalizers: ['kubernetes'] };
    o.status ??= { phase: 'Active' };
  }
  if (t.group === '' && t.kind === 'Secret') o.type ??= 'Opaque';
  const crdStatus = o.status as { conditions?: unknown[] } | undefined;
  if (t.kind === 'CustomResourceDefinition' && !crdStatus?.conditions?.length) {
    validateCrd(o);
    const spec = o.spec as {
      names: Record<string, unknown> & { kind: string; plural: string };
      versions: Array<{ name: string; storage: boolean }>;
    };
    const at = timestamp(now);
    o.status = {
      acceptedNames: {
        ...spec.names,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      },
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: at,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: at,
        },
      ],
      storedVersions: spec.versions.filter(v => v.storage).map(v => v.name),
    };
  }
}

/** Secret `stringData` is write-only: the apiserver folds it into `data` (base64), as here. */
function foldStringData(t: ResourceType, o: KubeObject): void {
  if (t.group !== '' || t.kind !== 'Secret' || !o.stringData) return;
  const data: Record<string, string> = {
    ...(o.data as Record<string, string> | undefined),
  };
  for (const [k, v] of Object.entries(o.stringData as Record<string, string>)) {
    data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  }
  o.data = data;
  delete o.stringData;
}

function validateCrd(o: KubeObject): void {
  const spec = o.spec as
    | {
        group?: string;
        names?: { plural?: string; kind?: string };
        versions?: unknown[];
      }
    | undefined;
  const name = o.metadata.name ?? '';
  const causes: Array<{ field: string; reason: string; message: string }> = [];
  if (!spec?.group)
    causes.push({
      field: 'spec.group',
      reason: 'FieldValueRequired',
      message: 'Required value',
    });
  if (!spec?.names?.plural || !spec.names.kind) {
    causes.push({
      field: 'spec.names',
      reason: 'FieldValueRequired',
      message: 'Required value',
    });
  }
  if (!Array.isArray(spec?.versions) || spec!.versions.length === 0) {
    causes.push({
      field: 'spec.versions',
      reason: 'FieldValueRequired',
      message:
        'Required value: must have exactly one version marked as storage version',
    });
  }
  if (
    spec?.group &&
    spec.names?.plural &&
    name !== `${spec.names.plural}.${spec.group}`
  ) {
    causes.push({
      field: 'metadata.name',
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
    });
  }
  if (causes.length) {
    throw errors.invalid(
      'CustomResourceDefinition',
      'apiextensions.k8s.io',
      name,
      causes,
    );
  }
}
