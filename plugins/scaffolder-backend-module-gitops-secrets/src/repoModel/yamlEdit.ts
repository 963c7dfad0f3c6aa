/*
 * Edits of a person's manifest that keep every line they wrote: a value is
 * set by inserting lines (or replacing one scalar), never by re-serialising
 * the document, so comments, quoting, sequence indentation and key order
 * stay as they were. Used where an action changes objects it did not write
 * (adopting an existing installation).
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  YAMLMap,
  YAMLSeq,
} from 'yaml';

/** Which document of a multi-document file: by kind and metadata.name. */
export interface DocSelector {
  kind: string;
  name: string;
}

function findDoc(text: string, sel: DocSelector) {
  const docs = parseAllDocuments(text).filter(d => !d.errors.length);
  const ofKind = docs.filter(d => d.toJS()?.kind === sel.kind);
  // By name; else the only one of its kind (its name may be a postBuild variable, e.g. \${APP}).
  const doc =
    ofKind.find(d => d.toJS()?.metadata?.name === sel.name) ??
    (ofKind.length === 1 ? ofKind[0] : undefined);
  if (!doc || !isMap(doc.contents))
    throw new Error(`no ${sel.kind} ${sel.name} in the file`);
  return doc.contents as YAMLMap;
}

const lineStart = (text: string, offset: number) =>
  text.lastIndexOf('\n', offset - 1) + 1;
const columnOf = (text: string, offset: number) =>
  offset - lineStart(text, offset);

function getPair(map: YAMLMap, key: string) {
  return map.items.find(
    p => isPair(p) && isScalar(p.key) && p.key.value === key,
  );
}

/** `value` as YAML lines under a key at `indent` (plain scalars, maps and sequences of maps/scalars). */
function blockLines(key: string, value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const k = /^[\w.-]+$/.test(key) && !key.includes('/') ? key : `"${key}"`;
  if (Array.isArray(value)) {
    return [
      `${pad}${k}:`,
      ...value.flatMap(item => seqItemLines(item, indent + 2)),
    ];
  }
  if (value && typeof value === 'object') {
    return [
      `${pad}${k}:`,
      ...Object.entries(value).flatMap(([ck, cv]) =>
        blockLines(ck, cv, indent + 2),
      ),
    ];
  }
  return [`${pad}${k}: ${scalar(value)}`];
}

function seqItemLines(item: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const lines = Object.entries(item).flatMap(([ck, cv]) =>
      blockLines(ck, cv, indent + 2),
    );
    return [`${pad}- ${lines[0].trimStart()}`, ...lines.slice(1)];
  }
  return [`${pad}- ${scalar(item)}`];
}

function scalar(v: unknown): string {
  if (typeof v === 'string')
    return /^[A-Za-z][\w.-]*$/.test(v) &&
      !/^(true|false|yes|no|on|off|null)$/i.test(v)
      ? v
      : JSON.stringify(v);
  return JSON.stringify(v);
}

/** Inserts `lines` before the line holding `offset`. */
function insertBefore(text: string, offset: number, lines: string[]): string {
  const at = lineStart(text, offset);
  return `${text.slice(0, at)}${lines.join('\n')}\n${text.slice(at)}`;
}

/**
 * Sets `path` (keys from the document root) to `value` in the selected
 * document. Missing maps on the way are created; an existing scalar is
 * replaced in place. Existing lines are kept, apart from a replaced scalar or
 * an inline (flow) collection, which is rewritten as one flow value.
 */
export function setIn(
  text: string,
  sel: DocSelector,
  path: string[],
  value: unknown,
): string {
  let map = findDoc(text, sel);
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const pair = getPair(map, key);
    const rest = path.slice(i + 1);
    const nested =
      rest.length === 0
        ? value
        : rest.reduceRight<unknown>((acc, k) => ({ [k]: acc }), value);
    if (!pair) {
      if (map.flow || !map.range)
        return replaceFlow(text, map, { ...map.toJSON(), [key]: nested });
      const first = map.items[0];
      const offset = (first?.key as any)?.range?.[0] ?? map.range[0];
      return insertBefore(
        text,
        offset,
        blockLines(key, nested, columnOf(text, offset)),
      );
    }
    if (rest.length === 0) {
      const node = pair.value as any;
      if (isScalar(node) && node.range) {
        if (node.value === value) return text;
        return `${text.slice(0, node.range[0])}${scalar(value)}${text.slice(
          node.range[1],
        )}`;
      }
      throw new Error(`${path.join('.')} is not a scalar`);
    }
    if (!isMap(pair.value)) {
      if (
        isScalar(pair.value) &&
        pair.value.value === null &&
        pair.value.range
      ) {
        // `key:` with nothing under it.
        const keyOffset = (pair.key as any).range[0];
        const col = columnOf(text, keyOffset);
        const after = text.indexOf('\n', keyOffset);
        const lines = Object.entries(nested as object).flatMap(([k, v]) =>
          blockLines(k, v, col + 2),
        );
        return `${text.slice(0, after + 1)}${lines.join('\n')}\n${text.slice(
          after + 1,
        )}`;
      }
      throw new Error(`${path.slice(0, i + 1).join('.')} is not a map`);
    }
    map = pair.value;
    if (map.flow) {
      const js = map.toJSON() ?? {};
      return replaceFlow(text, map, mergeIn(js, rest, value));
    }
  }
  return text;
}

function mergeIn(obj: any, path: string[], value: unknown): any {
  if (!path.length) return value;
  const [k, ...rest] = path;
  return { ...obj, [k]: mergeIn(obj?.[k] ?? {}, rest, value) };
}

function replaceFlow(text: string, node: YAMLMap | YAMLSeq, js: unknown) {
  const [start, end] = node.range!;
  return `${text.slice(0, start)}${JSON.stringify(js)}${text.slice(end)}`;
}

/**
 * Appends `item` to the sequence at `path` (created when missing) unless an
 * equal item is there. A block sequence gains one line (per key of the item)
 * at its own indentation.
 */
export function addToSeq(
  text: string,
  sel: DocSelector,
  path: string[],
  item: Record<string, string>,
  same: (existing: any) => boolean,
): string {
  let map = findDoc(text, sel);
  for (let i = 0; i < path.length - 1; i++) {
    const pair = getPair(map, path[i]);
    if (!pair || !isMap(pair.value)) return setIn(text, sel, path, [item]);
    map = pair.value;
  }
  const pair = getPair(map, path[path.length - 1]);
  if (!pair || (isScalar(pair.value) && pair.value.value === null))
    return setIn(text, sel, path, [item]);
  const seq = pair.value;
  if (!isSeq(seq)) throw new Error(`${path.join('.')} is not a sequence`);
  const items = seq.toJSON() as any[];
  if (items.some(same)) return text;
  if (seq.flow || !seq.items.length)
    return replaceFlow(text, seq, [...items, item]);
  const last = seq.items[seq.items.length - 1] as any;
  const firstOffset = (seq.items[0] as any).range[0];
  // The dash of the first item sits two columns before its content.
  const dashCol = columnOf(text, firstOffset) - 2;
  const end = last.range[1];
  const lineEnd = text.indexOf('\n', end - 1);
  const lines = seqItemLines(item, dashCol);
  const at = lineEnd < 0 ? text.length : lineEnd + 1;
  const sep = lineEnd < 0 ? '\n' : '';
  return `${text.slice(0, at)}${sep}${lines.join('\n')}\n${text.slice(at)}`;
}
