/**
 * Reading Kubernetes JSON as it streams in: list items handed over one by one, and members nobody
 * reads (CRD schemas, managedFields) cut from the text before it is parsed.
 */
import type { ReadOptions } from './types';

const enum Ch {
  Quote = 34,
  Backslash = 92,
  Comma = 44,
  Colon = 58,
  OpenBrace = 123,
  CloseBrace = 125,
  OpenBracket = 91,
  CloseBracket = 93,
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Index just past the string starting at `i` (an opening quote), or -1. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === Ch.Backslash) j++;
    else if (c === Ch.Quote) return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === Ch.Quote) return skipString(text, i);
  if (c === Ch.OpenBrace || c === Ch.OpenBracket) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === Ch.Quote) {
        j = skipString(text, j) - 1;
        if (j < 0) return -1;
      } else if (d === Ch.OpenBrace || d === Ch.OpenBracket) depth++;
      else if (d === Ch.CloseBrace || d === Ch.CloseBracket) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null.
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === Ch.Comma || d === Ch.CloseBrace || d === Ch.CloseBracket) break;
    if (isSpace(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The JSON `text` without the object members named in `keys` (at any depth), still valid JSON.
 * Text that is not well-formed JSON is returned as is, for JSON.parse to reject.
 */
export function omitJsonMembers(
  text: string,
  keys: ReadonlySet<string>,
): string {
  let present = false;
  for (const k of keys) {
    if (text.includes(`"${k}"`)) present = true;
  }
  if (!present) return text;
  const out: string[] = [];
  let copyFrom = 0;
  /** Per open container: true for an object. */
  const stack: boolean[] = [];
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === Ch.Quote) {
      const end = skipString(text, i);
      if (end < 0) return text;
      if (expectKey) {
        expectKey = false;
        const raw = text.slice(i + 1, end - 1);
        let key = raw;
        if (raw.includes('\\')) {
          try {
            key = JSON.parse(text.slice(i, end));
          } catch {
            return text;
          }
        }
        if (keys.has(key)) {
          let j = skipSpace(text, end);
          if (text.charCodeAt(j) !== Ch.Colon) return text;
          j = skipValue(text, skipSpace(text, j + 1));
          if (j < 0) return text;
          out.push(text.slice(copyFrom, i));
          j = skipSpace(text, j);
          if (text.charCodeAt(j) === Ch.Comma) {
            // Not the last member: drop the comma after it, the next key follows.
            copyFrom = j + 1;
            expectKey = true;
          } else {
            // The last member: drop the comma before it, if any.
            copyFrom = j;
            for (let p = out.length - 1; p >= 0; p--) {
              const trimmed = out[p].trimEnd();
              if (!trimmed) {
                out[p] = '';
                continue;
              }
              out[p] = trimmed.endsWith(',') ? trimmed.slice(0, -1) : trimmed;
              break;
            }
          }
          i = j;
          continue;
        }
      }
      i = end;
      continue;
    }
    if (c === Ch.OpenBrace) {
      stack.push(true);
      expectKey = true;
    } else if (c === Ch.OpenBracket) {
      stack.push(false);
      expectKey = false;
    } else if (c === Ch.CloseBrace || c === Ch.CloseBracket) {
      stack.pop();
      expectKey = false;
    } else if (c === Ch.Comma) {
      expectKey = stack[stack.length - 1] === true;
    }
    i++;
  }
  out.push(text.slice(copyFrom));
  return out.join('');
}

/**
 * Reads a Kubernetes list as its text arrives: each element of the top-level `items` is parsed and
 * handed over on its own as soon as it is complete, so neither the whole body nor all its parsed
 * items are ever held at once. `finish` parses what is left (the list without its items).
 */
export class ListItemReader {
  private buf = '';
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private expectKey = false;
  private keyStart = -1;
  private lastKey = '';
  private readonly objects: boolean[] = [];
  private inItems = false;
  private sawItems = false;
  private itemStart = -1;
  private readonly outside: string[] = [];

  constructor(
    private readonly onItem: (item: unknown) => void,
    private readonly options?: ReadOptions,
  ) {}

  write(text: string): void {
    this.buf += text;
    let buf = this.buf;
    let i = this.pos;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === Ch.Backslash) this.escape = true;
        else if (c === Ch.Quote) {
          this.inString = false;
          if (this.keyStart >= 0) {
            this.lastKey = buf.slice(this.keyStart + 1, i);
            this.keyStart = -1;
          }
        }
        continue;
      }
      if (c === Ch.Quote) {
        this.inString = true;
        if (this.depth === 1 && this.expectKey) this.keyStart = i;
        this.expectKey = false;
      } else if (c === Ch.OpenBrace || c === Ch.OpenBracket) {
        const isObject = c === Ch.OpenBrace;
        if (this.inItems && this.depth === 2) {
          if (!isObject) throw new Error('a list item is not an object');
          this.itemStart = i;
        }
        this.depth++;
        this.objects.push(isObject);
        this.expectKey = isObject;
        if (
          !isObject &&
          this.depth === 2 &&
          this.lastKey === 'items' &&
          !this.inItems
        ) {
          this.inItems = true;
          this.sawItems = true;
          // Keep the list up to `[`; the items go one by one.
          this.outside.push(buf.slice(0, i + 1));
          this.restart(i + 1);
          buf = this.buf;
          i = -1;
          continue;
        }
      } else if (c === Ch.CloseBrace || c === Ch.CloseBracket) {
        this.depth--;
        this.objects.pop();
        this.expectKey = false;
        if (this.inItems && this.depth === 2 && c === Ch.CloseBrace) {
          const itemText = buf.slice(this.itemStart, i + 1);
          this.itemStart = -1;
          this.restart(i + 1);
          buf = this.buf;
          i = -1;
          this.onItem(parseJson(itemText, this.options));
          continue;
        }
        if (this.inItems && this.depth === 1) this.inItems = false;
      } else if (c === Ch.Comma) {
        this.expectKey = this.objects[this.objects.length - 1] === true;
      } else if (
        this.inItems &&
        this.depth === 2 &&
        !isSpace(c) &&
        c !== Ch.Colon
      ) {
        throw new Error('a list item is not an object');
      }
    }
    this.pos = i;
  }

  /** Drop the text before `from` (an item handed over, or the list's head kept aside). */
  private restart(from: number): void {
    this.buf = this.buf.slice(from);
    this.pos = 0;
  }

  /** The list without its items (`metadata`: continue token, resourceVersion). */
  finish(): unknown {
    if (this.inString || this.depth !== 0 || this.inItems) {
      throw new Error('the list ended early');
    }
    if (!this.sawItems) throw new Error('not a list: no items');
    return JSON.parse(this.outside.join('') + this.buf);
  }
}

/** Parse one JSON document, cutting `options.omitKeys` from its text first. */
export function parseJson(text: string, options?: ReadOptions): unknown {
  return JSON.parse(
    options?.omitKeys?.size ? omitJsonMembers(text, options.omitKeys) : text,
  );
}
