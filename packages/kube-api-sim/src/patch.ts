import { errors } from './status';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. Returns a new value; `target` is not modified. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

/**
 * Strategic merge patch, approximated as a merge patch: the directives kubectl sends
 * (`$setElementOrder/…`, `$retainKeys`, `$deleteFromPrimitiveList/…`, `$patch`) are dropped,
 * and lists are replaced whole instead of merged by key.
 */
export function strategicMergePatch(target: Json, patch: Json): Json {
  return mergePatch(target, stripDirectives(patch));
}

function stripDirectives(patch: Json): Json {
  if (Array.isArray(patch)) {
    return patch
      .filter(item => !(isObject(item) && item.$patch === 'delete'))
      .map(stripDirectives);
  }
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw errors.invalidPatch(`invalid JSON pointer "${pointer}"`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function getAt(doc: Json, tokens: string[]): Json {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

/** RFC 6902 JSON patch. Returns a new document. */
export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) {
    throw errors.badRequest(
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  }
  let result = clone(doc);
  for (const raw of ops as JsonPatchOp[]) {
    const tokens = parsePointer(raw.path);
    switch (raw.op) {
      case 'add':
        result = put(result, tokens, clone(raw.value), 'add', raw.path);
        break;
      case 'replace':
        if (getAt(result, tokens) === undefined) {
          throw errors.invalidPatch(
            `replace operation does not apply: doc is missing key: ${raw.path}`,
          );
        }
        result = put(result, tokens, clone(raw.value), 'replace', raw.path);
        break;
      case 'remove':
        result = removeAt(result, tokens, raw.path);
        break;
      case 'move': {
        const from = parsePointer(raw.from ?? '');
        const v = getAt(result, from);
        if (v === undefined) {
          throw errors.invalidPatch(
            `move operation does not apply: doc is missing from path: ${raw.from}`,
          );
        }
        result = removeAt(result, from, raw.from ?? '');
        result = put(result, tokens, v, 'add', raw.path);
        break;
      }
      case 'copy': {
        const v = getAt(result, parsePointer(raw.from ?? ''));
        if (v === undefined) {
          throw errors.invalidPatch(
            `copy operation does not apply: doc is missing from path: ${raw.from}`,
          );
        }
        result = put(result, tokens, clone(v), 'add', raw.path);
        break;
      }
      case 'test':
        if (
          JSON.stringify(getAt(result, tokens)) !== JSON.stringify(raw.value)
        ) {
          throw errors.invalidPatch(
            `testing value ${raw.path} failed: test failed`,
          );
        }
        break;
      default:
        throw errors.invalidPatch(`Unexpected kind: ${raw.op}`);
    }
  }
  return result;
}

function put(
  doc: Json,
  tokens: string[],
  value: Json,
  op: 'add' | 'replace',
  path: string,
): Json {
  if (tokens.length === 0) return value;
  const parent = getAt(doc, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) {
      throw errors.invalidPatch(
        `${op} operation does not apply: index out of bounds: ${path}`,
      );
    }
    if (op === 'add') parent.splice(idx, 0, value);
    else parent[idx] = value;
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw errors.invalidPatch(
      `${op} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  }
  return doc;
}

function removeAt(doc: Json, tokens: string[], path: string): Json {
  const parent = getAt(doc, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent) && Number(last) < parent.length) {
    parent.splice(Number(last), 1);
  } else if (isObject(parent) && last in parent) {
    delete parent[last];
  } else {
    throw errors.invalidPatch(
      `remove operation does not apply: doc is missing path: "${path}": missing value`,
    );
  }
  return doc;
}
