/*
 * The `envsubst` render type of WGE templates, with the semantics of the library WGE uses
 * (clusterctl's yamlprocessor over drone/envsubst v2): `${VAR}`, defaults (`${VAR:=d}`,
 * `${VAR:-d}`, `${VAR=d}`; `:?` and `:+` behave as defaults too), `${#VAR}`, casing
 * (`^ ^^ , ,,`), substrings (`${VAR:1:2}`), prefix/suffix trimming with globs (`# ## % %%`),
 * replacement (`/ // /# /%`), nested `${…}` inside arguments, `$$` as an escaped `$`, and
 * clusterctl's legacy `${ VAR }` spacing. `$VAR` without braces is left alone, as in WGE.
 *
 * It works on one string (a scalar value of a parsed YAML document), never on YAML text, so a
 * value can never become YAML structure.
 */

/** A parse failure; `message` explains it and `offset` points into the source string. */
export class EnvsubstSyntaxError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset} in ${JSON.stringify(source)}`);
    this.name = 'EnvsubstSyntaxError';
  }
}

export type EnvsubstNode =
  | { type: 'text'; value: string }
  | {
      type: 'func';
      /** The variable. */
      param: string;
      /** '' for a plain `${VAR}`, else the operator (`:=`, `#`, `//`, …). */
      op: string;
      args: EnvsubstNode[][];
    };

const isIdentChar = (c: string) => /[\p{L}\p{N}_-]/u.test(c);

// clusterctl rewrites `${ VAR }`, `${ VAR}` and `${VAR }` to `${VAR}` before parsing.
const LEGACY_SPACING =
  /(\$\{(\s+([A-Za-z0-9_$]+)\s+)\})|(\$\{(\s+([A-Za-z0-9_$]+))\})|(\$\{(([A-Za-z0-9_$]+)\s+)\})/g;

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  private fail(msg = 'bad substitution'): never {
    throw new EnvsubstSyntaxError(msg, this.src, this.pos);
  }
  private peek(off = 0) {
    return this.src[this.pos + off];
  }
  private startsFunc() {
    return this.src[this.pos] === '$' && this.src[this.pos + 1] === '{';
  }

  /** Top level: text (with `$$` and `\\` `\/` escapes) and `${…}`. */
  parseAll(): EnvsubstNode[] {
    const nodes: EnvsubstNode[] = [];
    let text = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === '$' && this.peek(1) === '$') {
        // drone skips the first `$`; the second is then plain text, so `$${X}` stays `${X}`.
        text += '$';
        this.pos += 2;
        if (this.src[this.pos] === '{') {
          text += '{';
          this.pos += 1;
        }
        continue;
      }
      if (c === '\\' && (this.peek(1) === '\\' || this.peek(1) === '/')) {
        text += this.peek(1);
        this.pos += 2;
        continue;
      }
      if (this.startsFunc()) {
        if (text) nodes.push({ type: 'text', value: text });
        text = '';
        this.pos += 2;
        nodes.push(this.parseFunc());
        continue;
      }
      text += c;
      this.pos += 1;
    }
    if (text) nodes.push({ type: 'text', value: text });
    return nodes;
  }

  private ident(): string {
    const start = this.pos;
    while (this.pos < this.src.length && isIdentChar(this.src[this.pos]))
      this.pos++;
    return this.src.slice(start, this.pos);
  }

  private closeBrace() {
    if (this.src[this.pos] !== '}') this.fail();
    this.pos++;
  }

  /** After `${`. */
  private parseFunc(): EnvsubstNode {
    if (this.peek() === '#') {
      this.pos++;
      const param = this.ident();
      if (!param) this.fail();
      this.closeBrace();
      return { type: 'func', param, op: '#len', args: [] };
    }
    const param = this.ident();
    if (!param) this.fail();
    const c = this.peek();
    if (c === ':') {
      const n = this.peek(1);
      if (n === '=' || n === '-' || n === '?' || n === '+') {
        this.pos += 2;
        return this.defaultArgs(param, `:${n}`);
      }
      return this.substr(param);
    }
    if (c === '=') {
      this.pos++;
      return this.defaultArgs(param, '=');
    }
    if (c === ',' || c === '^') {
      let op = c;
      this.pos++;
      if (this.peek() === ',' || this.peek() === '^') {
        op += this.peek();
        this.pos++;
      }
      this.closeBrace();
      return { type: 'func', param, op, args: [] };
    }
    if (c === '/') return this.replace(param);
    if (c === '#' || c === '%') {
      let op = c;
      this.pos++;
      if (this.peek() === c) {
        op += c;
        this.pos++;
      }
      const arg = this.paramArg(ch => ch !== '}', false);
      this.closeBrace();
      return { type: 'func', param, op, args: [arg] };
    }
    this.closeBrace();
    return { type: 'func', param, op: '', args: [] };
  }

  /**
   * One argument: nested `${…}` or a run of accepted characters. drone reads exactly one
   * token here (a text run or one nested function); callers loop where drone loops.
   */
  private paramArg(
    accept: (c: string) => boolean,
    escapes: boolean,
  ): EnvsubstNode[] {
    if (this.startsFunc()) {
      this.pos += 2;
      return [this.parseFunc()];
    }
    let text = '';
    while (this.pos < this.src.length) {
      if (this.startsFunc()) break;
      const c = this.src[this.pos];
      if (
        escapes &&
        ((c === '$' && this.peek(1) === '$') ||
          (c === '\\' && (this.peek(1) === '\\' || this.peek(1) === '/')))
      ) {
        text += this.peek(1);
        this.pos += 2;
        continue;
      }
      if (!accept(c)) break;
      text += c;
      this.pos++;
    }
    if (!text) this.fail();
    return [{ type: 'text', value: text }];
  }

  private defaultArgs(param: string, op: string): EnvsubstNode {
    const parts: EnvsubstNode[] = [];
    for (;;) {
      if (this.pos >= this.src.length) this.fail('unterminated ${');
      if (this.peek() === '}') {
        this.pos++;
        return { type: 'func', param, op, args: parts.length ? [parts] : [] };
      }
      parts.push(...this.paramArg(ch => ch !== '}', false));
    }
  }

  private substr(param: string): EnvsubstNode {
    this.pos++; // ':'
    const offset = this.paramArg(ch => ch !== ':' && ch !== '}', false);
    if (this.peek() === '}') {
      this.pos++;
      return { type: 'func', param, op: ':', args: [offset] };
    }
    if (this.peek() !== ':') this.fail();
    while (this.peek() === ':') this.pos++;
    const length = this.paramArg(ch => ch !== '}', false);
    this.closeBrace();
    return { type: 'func', param, op: ':', args: [offset, length] };
  }

  private replace(param: string): EnvsubstNode {
    this.pos++; // '/'
    let op = '/';
    const n = this.peek();
    if (n === '/' || n === '#' || n === '%') {
      op += n;
      this.pos++;
    }
    const pattern = this.paramArg(ch => ch !== '/', true);
    if (this.peek() !== '/') this.fail();
    while (this.peek() === '/') this.pos++;
    if (this.peek() === '}') {
      this.pos++;
      return { type: 'func', param, op, args: [pattern] };
    }
    const replacement = this.paramArg(ch => ch !== '}', true);
    this.closeBrace();
    return { type: 'func', param, op, args: [pattern, replacement] };
  }
}

/** Parses `src` into envsubst nodes; throws {@link EnvsubstSyntaxError} ("bad substitution"). */
export function parseEnvsubst(src: string): EnvsubstNode[] {
  const normalised = src.replace(LEGACY_SPACING, m => m.replace(/\s/g, ''));
  return new Parser(normalised).parseAll();
}

/** A reference to a variable found at the top level of a string, with its default text. */
export interface EnvsubstVariable {
  name: string;
  /** The default written in the template (`${X:=a}` → `a`), or '' when there is none. */
  defaultText: string;
}

/**
 * The variables referenced at the top level, first occurrence first — as clusterctl's
 * `GetVariables`, which does not look inside default arguments.
 */
export function envsubstVariables(nodes: EnvsubstNode[]): EnvsubstVariable[] {
  const seen = new Map<string, string>();
  for (const n of nodes) {
    if (n.type !== 'func' || seen.has(n.param)) continue;
    const defaultText = n.args
      .flat()
      .map(a => (a.type === 'text' ? a.value : `\${${a.param}}`))
      .join('');
    seen.set(n.param, defaultText);
  }
  return [...seen].map(([name, defaultText]) => ({ name, defaultText }));
}

// Go's path.Match: `*` any run of non-'/' characters, `?` one non-'/' character, `[…]` a
// class (`^` or `!` negates), `\` escapes.
function globToRegExp(pattern: string): RegExp | undefined {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) return undefined;
      re += pattern[i].replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return undefined;
      let body = pattern.slice(i + 1, end);
      let negate = false;
      if (body[0] === '^' || body[0] === '!') {
        negate = true;
        body = body.slice(1);
      }
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function trimPrefix(s: string, pattern: string, longest: boolean): string {
  const re = globToRegExp(pattern);
  if (!re) return s;
  let match = '';
  // drone tries prefixes from the longest down to length 1.
  for (let i = 0; i < s.length; i++) {
    const candidate = s.slice(0, s.length - i);
    if (re.test(candidate)) {
      match = candidate;
      if (longest) break;
    }
  }
  return match ? s.slice(match.length) : s;
}

const reverse = (s: string) => [...s].reverse().join('');

function substr(s: string, args: string[]): string {
  // Go's strconv.Atoi: no surrounding spaces; bash returns the value when it does not parse.
  if (!/^[+-]?\d+$/.test(args[0])) return s;
  let pos = Number.parseInt(args[0], 10);
  if (pos < 0) pos = Math.max(0, s.length + pos);
  if (args.length === 1) return pos < s.length ? s.slice(pos) : '';
  if (!/^[+-]?\d+$/.test(args[1])) return s;
  const len = Number.parseInt(args[1], 10);
  if (pos + len >= s.length) return s.slice(pos);
  return s.slice(pos, pos + len);
}

function apply(op: string, v: string, args: string[]): string {
  switch (op) {
    case '':
      return v;
    case '#len':
      return String(Buffer.byteLength(v, 'utf8'));
    case ',':
      return v ? v[0].toLowerCase() + v.slice(1) : v;
    case ',,':
      return v.toLowerCase();
    case '^':
      return v ? v[0].toUpperCase() + v.slice(1) : v;
    case '^^':
      return v.toUpperCase();
    case '#':
      return trimPrefix(v, args[0], false);
    case '##':
      return trimPrefix(v, args[0], true);
    case '%':
      return reverse(trimPrefix(reverse(v), reverse(args[0]), false));
    case '%%':
      return reverse(trimPrefix(reverse(v), reverse(args[0]), true));
    case ':':
      return substr(v, args);
    case '/':
      return args.length === 1
        ? v.replace(args[0], '')
        : v.replace(args[0], () => args[1]);
    case '//':
      return v.split(args[0]).join(args[1] ?? '');
    case '/#':
      return args.length === 2 && v.startsWith(args[0])
        ? args[1] + v.slice(args[0].length)
        : v;
    case '/%':
      return args.length === 2 && v.endsWith(args[0])
        ? v.slice(0, v.length - args[0].length) + args[1]
        : v;
    default:
      // Every default form (`=`, `:=`, `:-`, `:?`, `:+`): the value, or the default when empty.
      return v === '' ? args.join('') : v;
  }
}

/** Evaluates parsed nodes; `lookup` returns '' for unknown variables, as WGE's mapper does. */
export function evalEnvsubst(
  nodes: EnvsubstNode[],
  lookup: (name: string) => string,
): string {
  return nodes
    .map(n => {
      if (n.type === 'text') return n.value;
      const args = n.args.map(a => evalEnvsubst(a, lookup));
      return apply(n.op, lookup(n.param), args);
    })
    .join('');
}
