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

/**
 * Cuts the object members named in `keys` (at any depth) from JSON text as it arrives, chunk by chunk: `write`
 * answers the text kept so far, `end` the rest. Nothing of a cut member is held — a CRD's schema, hundreds of KB,
 * passes through without ever being one string — so reading a large document costs what is kept, not what is sent.
 * Text that is not JSON comes out cut somewhere; `broken` then says so.
 */
export class JsonMemberFilter {
  /** Per open container: true for an object. */
  private readonly stack: boolean[] = [];
  private inString = false;
  private escape = false;
  /**
   * A member's start, held back until its key is read: from the comma before it (or just after the object's `{`)
   * through the key. Small — whitespace and one key.
   */
  private holding = false;
  private held = '';
  private heldComma = false;
  private keyStart = -1;
  /** Inside a cut member's colon and value: containers open in it; -1 when not cutting. */
  private skipDepth = -1;
  /** The cut member had no comma before it (it was first): the comma after it goes instead. */
  private dropComma = false;
  broken = false;

  constructor(private readonly keys: ReadonlySet<string>) {}

  write(chunk: string): string {
    const out: string[] = [];
    /** Start of the current chunk's text still to copy out (normal) or to hold (holding). */
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === Ch.Backslash) this.escape = true;
        else if (c === Ch.Quote) {
          this.inString = false;
          if (this.holding) {
            // The key is complete: keep the member, or drop it with its comma.
            const text = this.held + chunk.slice(from, i + 1);
            const raw = text.slice(this.keyStart + 1, -1);
            let key = raw;
            if (raw.includes('\\')) {
              try {
                key = JSON.parse(`"${raw}"`);
              } catch {
                this.broken = true;
              }
            }
            this.holding = false;
            this.held = '';
            from = i + 1;
            if (this.keys.has(key)) {
              this.skipDepth = 0;
              this.dropComma = !this.heldComma;
            } else {
              out.push(text);
              this.dropComma = false;
            }
          }
        }
        continue;
      }
      if (this.skipDepth >= 0) {
        if (c === Ch.Quote) this.inString = true;
        else if (c === Ch.OpenBrace || c === Ch.OpenBracket) this.skipDepth++;
        else if (
          (c === Ch.CloseBrace || c === Ch.CloseBracket) &&
          this.skipDepth > 0
        )
          this.skipDepth--;
        else if (c === Ch.CloseBrace || c === Ch.CloseBracket) {
          // The object holding the cut member closes: back to copying, this `}` included.
          this.skipDepth = -1;
          from = i;
          i--;
        } else if (c === Ch.Comma && this.skipDepth === 0) {
          this.skipDepth = -1;
          if (this.dropComma) {
            // The cut member was first: the next one is first now, held without a comma.
            this.holding = true;
            this.heldComma = false;
            this.keyStart = -1;
            from = i + 1;
          } else {
            from = i;
            i--;
          }
        }
        continue;
      }
      if (this.holding) {
        if (c === Ch.Quote && this.keyStart < 0) {
          this.inString = true;
          this.keyStart = this.held.length + (i - from);
        } else if (!isSpace(c)) {
          // Not a key (an empty object's `}`, or text that is not JSON): copy what was held and go on as usual.
          out.push(this.held + chunk.slice(from, i));
          this.holding = false;
          this.held = '';
          from = i;
          i--;
        }
        continue;
      }
      if (c === Ch.Quote) this.inString = true;
      else if (c === Ch.OpenBrace) {
        this.stack.push(true);
        out.push(chunk.slice(from, i + 1));
        from = i + 1;
        this.holding = true;
        this.heldComma = false;
        this.keyStart = -1;
      } else if (c === Ch.OpenBracket) this.stack.push(false);
      else if (c === Ch.CloseBrace || c === Ch.CloseBracket) {
        if (this.stack.pop() !== (c === Ch.CloseBrace)) this.broken = true;
      } else if (c === Ch.Comma && this.stack[this.stack.length - 1] === true) {
        out.push(chunk.slice(from, i));
        from = i;
        this.holding = true;
        this.heldComma = true;
        this.keyStart = -1;
      }
    }
    if (this.holding) this.held += chunk.slice(from);
    else if (this.skipDepth < 0) out.push(chunk.slice(from));
    return out.join('');
  }

  /** What is left; marks the text `broken` if it ended inside a string, a container or a cut member. */
  end(): string {
    if (
      this.inString ||
      this.stack.length > 0 ||
      this.skipDepth >= 0 ||
      (this.holding && this.keyStart >= 0)
    )
      this.broken = true;
    const rest = this.held;
    this.held = '';
    return rest;
  }
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
    if (text.includes(`"${k}"`) || text.includes('\\u')) present = true;
  }
  if (!present) return text;
  const filter = new JsonMemberFilter(keys);
  const kept = filter.write(text) + filter.end();
  return filter.broken ? text : kept;
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
