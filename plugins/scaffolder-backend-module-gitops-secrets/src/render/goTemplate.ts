/*
 * The `templating` render type of WGE templates: Go text/template with `.params.X` and
 * `.template.meta.{name,namespace}`, the delimiters of the `templates.weave.works/delimiters`
 * annotation, and a subset of the sprig functions WGE registers.
 *
 * Rendering happens per scalar value of the parsed template, so only actions that produce a
 * value are meaningful: field references, literals, pipelines, parenthesised pipelines and
 * functions. Control structures (`if`, `range`, `with`, `define`, …) would shape YAML text,
 * which this renderer never produces, so they are rejected with a clear error rather than
 * half-supported.
 */

export class GoTemplateError extends Error {
  constructor(message: string, readonly source: string) {
    super(`${message} in ${JSON.stringify(source)}`);
    this.name = 'GoTemplateError';
  }
}

export interface GoTemplateData {
  params: Record<string, string>;
  template: { meta: { name: string; namespace: string } };
}

type Value = string | number | boolean | null | Record<string, unknown>;

type Operand =
  | { kind: 'field'; path: string[] }
  | { kind: 'literal'; value: Value }
  | { kind: 'ident'; name: string }
  | { kind: 'pipe'; pipe: Pipeline };
type Command = Operand[];
type Pipeline = Command[];

export type GoTemplateNode =
  | { type: 'text'; value: string }
  | { type: 'action'; pipe: Pipeline; source: string };

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);

function tokenize(src: string, whole: string) {
  const tokens: Array<
    | { t: 'field'; path: string[] }
    | { t: 'string'; value: string }
    | { t: 'number'; value: number }
    | { t: 'ident'; name: string }
    | { t: 'var'; name: string }
    | { t: '(' | ')' | '|' | ':=' | '=' | ',' }
  > = [];
  let i = 0;
  const fail = (m: string): never => {
    throw new GoTemplateError(m, whole);
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '|' || c === ',') {
      tokens.push({ t: c });
      i++;
    } else if (c === ':' && src[i + 1] === '=') {
      tokens.push({ t: ':=' });
      i += 2;
    } else if (c === '=') {
      tokens.push({ t: '=' });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let out = '';
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\') {
          const e = src[++j];
          const map: Record<string, string> = {
            n: '\n',
            t: '\t',
            r: '\r',
            '\\': '\\',
            '"': '"',
          };
          if (!(e in map)) fail(`unsupported escape \\${e ?? ''}`);
          out += map[e];
        } else out += src[j];
      }
      if (j >= src.length) fail('unterminated quoted string');
      tokens.push({ t: 'string', value: out });
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) fail('unterminated raw string');
      tokens.push({ t: 'string', value: src.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '.') {
      const m = /^(\.[A-Za-z_][A-Za-z0-9_]*)+|^\./.exec(src.slice(i))!;
      const path = m[0] === '.' ? [] : m[0].slice(1).split('.');
      tokens.push({ t: 'field', path });
      i += m[0].length;
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ t: 'var', name: m[0] });
      i += m[0].length;
    } else if (/[-+0-9]/.test(c)) {
      const m = /^[-+]?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) fail(`unexpected "${c}"`);
      tokens.push({ t: 'number', value: Number(m![0]) });
      i += m![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ t: 'ident', name: m[0] });
      i += m[0].length;
    } else {
      fail(`unexpected "${c}"`);
    }
  }
  return tokens;
}

function parsePipeline(src: string, whole: string): Pipeline {
  const tokens = tokenize(src, whole);
  let i = 0;
  const fail = (m: string): never => {
    throw new GoTemplateError(m, whole);
  };
  const pipeline = (inParens: boolean): Pipeline => {
    const cmds: Pipeline = [];
    let cmd: Command = [];
    while (i < tokens.length) {
      const tok = tokens[i];
      if (tok.t === ')') {
        if (!inParens) fail('unexpected ")"');
        break;
      }
      i++;
      switch (tok.t) {
        case '|':
          if (!cmd.length) fail('missing command before "|"');
          cmds.push(cmd);
          cmd = [];
          break;
        case '(':
          cmd.push({ kind: 'pipe', pipe: pipeline(true) });
          if (tokens[i]?.t !== ')') fail('unclosed "("');
          i++;
          break;
        case 'field':
          cmd.push({ kind: 'field', path: tok.path });
          break;
        case 'string':
        case 'number':
          cmd.push({ kind: 'literal', value: tok.value });
          break;
        case 'ident':
          if (KEYWORDS.has(tok.name)) {
            fail(
              `"${tok.name}" is not supported: templates are rendered value by value, so only expressions (fields, literals, functions, pipelines) are allowed`,
            );
          }
          if (tok.name === 'true' || tok.name === 'false')
            cmd.push({ kind: 'literal', value: tok.name === 'true' });
          else if (tok.name === 'nil')
            cmd.push({ kind: 'literal', value: null });
          else cmd.push({ kind: 'ident', name: tok.name });
          break;
        case 'var':
        case ':=':
        case '=':
          fail('template variables ($x) are not supported');
          break;
        default:
          fail(`unexpected "${tok.t}"`);
      }
    }
    if (!cmd.length) fail('missing value for command');
    cmds.push(cmd);
    return cmds;
  };
  const p = pipeline(false);
  if (i < tokens.length) fail('unexpected ")"');
  return p;
}

/** Splits `src` into text and actions; throws {@link GoTemplateError} on a syntax error. */
export function parseGoTemplate(
  src: string,
  delims: [string, string] = ['{{', '}}'],
): GoTemplateNode[] {
  const [left, right] = delims;
  const nodes: GoTemplateNode[] = [];
  let pos = 0;
  let text = '';
  while (pos < src.length) {
    const open = src.indexOf(left, pos);
    if (open < 0) {
      text += src.slice(pos);
      break;
    }
    text += src.slice(pos, open);
    let inner = open + left.length;
    // `{{- ` trims the whitespace before the action.
    if (src.startsWith('- ', inner) || src.startsWith('-\t', inner)) {
      text = text.replace(/\s+$/, '');
      inner += 1;
    }
    let close: number;
    const commentStart = src.slice(inner).match(/^\s*\/\*/);
    if (commentStart) {
      const end = src.indexOf('*/', inner + commentStart[0].length);
      if (end < 0) throw new GoTemplateError('unclosed comment', src);
      close = src.indexOf(right, end + 2);
      if (close < 0)
        throw new GoTemplateError(`unclosed action (missing "${right}")`, src);
      if (!/^\s*-?\s*$/.test(src.slice(end + 2, close)))
        throw new GoTemplateError('comment ends before the action', src);
    } else {
      close = src.indexOf(right, inner);
      if (close < 0)
        throw new GoTemplateError(`unclosed action (missing "${right}")`, src);
    }
    let body = src.slice(inner, close);
    let trimAfter = false;
    if (/\s-$/.test(body)) {
      trimAfter = true;
      body = body.slice(0, -1);
    }
    if (text) nodes.push({ type: 'text', value: text });
    text = '';
    if (!commentStart) {
      if (!body.trim())
        throw new GoTemplateError('missing value for command', src);
      nodes.push({
        type: 'action',
        pipe: parsePipeline(body, src),
        source: body.trim(),
      });
    }
    pos = close + right.length;
    if (trimAfter) {
      const rest = src.slice(pos);
      pos += rest.length - rest.replace(/^\s+/, '').length;
    }
  }
  if (text) nodes.push({ type: 'text', value: text });
  return nodes;
}

/** `.params.X` references (names), in order of first use, including inside pipelines. */
export function goTemplateParams(nodes: GoTemplateNode[]): string[] {
  const names = new Set<string>();
  const walk = (p: Pipeline) => {
    for (const cmd of p)
      for (const op of cmd) {
        if (op.kind === 'field' && op.path[0] === 'params' && op.path[1])
          names.add(op.path[1]);
        if (op.kind === 'pipe') walk(op.pipe);
      }
  };
  for (const n of nodes) if (n.type === 'action') walk(n.pipe);
  return [...names];
}

const toStr = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};
const empty = (v: unknown) =>
  v === null ||
  v === undefined ||
  v === '' ||
  v === 0 ||
  v === false ||
  (typeof v === 'object' && Object.keys(v as object).length === 0);

// The sprig functions WGE registers that make sense on one value.
const FUNCS: Record<string, (...args: unknown[]) => Value> = {
  default: (d, v) => (empty(v) ? (d as Value) : (v as Value)),
  lower: v => toStr(v).toLowerCase(),
  upper: v => toStr(v).toUpperCase(),
  title: v => toStr(v).replace(/\b\w/g, c => c.toUpperCase()),
  trim: v => toStr(v).trim(),
  trimPrefix: (p, v) =>
    toStr(v).startsWith(toStr(p)) ? toStr(v).slice(toStr(p).length) : toStr(v),
  trimSuffix: (p, v) =>
    toStr(v).endsWith(toStr(p))
      ? toStr(v).slice(0, toStr(v).length - toStr(p).length)
      : toStr(v),
  replace: (o, n, v) => toStr(v).split(toStr(o)).join(toStr(n)),
  trunc: (n, v) => {
    const s = toStr(v);
    const k = Number(n);
    return k >= 0 ? s.slice(0, k) : s.slice(Math.max(0, s.length + k));
  },
  quote: (...vs) => vs.map(v => JSON.stringify(toStr(v))).join(' '),
  squote: (...vs) => vs.map(v => `'${toStr(v)}'`).join(' '),
  toString: (v: unknown) => toStr(v),
  print: (...vs) => vs.map(toStr).join(''),
  index: (m, ...keys) => {
    let cur: unknown = m;
    for (const k of keys)
      cur =
        cur && typeof cur === 'object'
          ? (cur as Record<string, unknown>)[toStr(k)]
          : undefined;
    return (cur ?? '') as Value;
  },
};

/** The function names the `templating` render type supports. */
export const GO_TEMPLATE_FUNCTIONS = Object.keys(FUNCS);

function evalPipeline(p: Pipeline, data: GoTemplateData, src: string): Value {
  let prev: Value | undefined;
  for (const cmd of p) {
    const operand = (op: Operand): Value => {
      switch (op.kind) {
        case 'literal':
          return op.value;
        case 'pipe':
          return evalPipeline(op.pipe, data, src);
        case 'field': {
          let cur: unknown = data;
          for (const k of op.path)
            cur =
              cur && typeof cur === 'object'
                ? (cur as Record<string, unknown>)[k]
                : undefined;
          // Unknown params are '' (WGE gives every discovered param a value before rendering).
          return (cur ?? '') as Value;
        }
        default:
          throw new GoTemplateError(
            `function "${op.name}" not defined here`,
            src,
          );
      }
    };
    const [head, ...rest] = cmd;
    let value: Value;
    if (head.kind === 'ident') {
      const fn = FUNCS[head.name];
      if (!fn)
        throw new GoTemplateError(
          `function "${
            head.name
          }" not defined (supported: ${GO_TEMPLATE_FUNCTIONS.join(', ')})`,
          src,
        );
      const args = rest.map(operand);
      if (prev !== undefined) args.push(prev);
      value = fn(...args);
    } else {
      if (rest.length)
        throw new GoTemplateError(`can't give argument to non-function`, src);
      if (prev !== undefined)
        throw new GoTemplateError(`can't give argument to non-function`, src);
      value = operand(head);
    }
    prev = value;
  }
  return prev as Value;
}

/** Renders parsed nodes to a string. */
export function evalGoTemplate(
  nodes: GoTemplateNode[],
  data: GoTemplateData,
): string {
  return nodes
    .map(n =>
      n.type === 'text' ? n.value : toStr(evalPipeline(n.pipe, data, n.source)),
    )
    .join('');
}
