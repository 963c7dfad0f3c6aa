/*
 * A small GraphQL query parser and executor: enough of the language for the queries GitHub clients send (operations
 * with variables, nested fields with arguments, aliases, inline fragments, __typename, the `@include(if:)` and
 * `@skip(if:)` directives). No schema validation beyond "unknown field", no named fragments, no mutations.
 */

export type GqlValue =
  | { kind: 'variable'; name: string }
  | { kind: 'literal'; value: unknown }
  | { kind: 'list'; values: GqlValue[] }
  | { kind: 'object'; fields: Record<string, GqlValue> };

/** A directive on a field or inline fragment, e.g. `@include(if: $withHead)`. */
export interface GqlDirective {
  name: string;
  args: Record<string, GqlValue>;
}

export interface GqlField {
  kind: 'field';
  alias?: string;
  name: string;
  args: Record<string, GqlValue>;
  selections?: GqlSelection[];
  directives?: GqlDirective[];
}

export interface GqlInlineFragment {
  kind: 'inline';
  typeCondition?: string;
  selections: GqlSelection[];
  directives?: GqlDirective[];
}

export type GqlSelection = GqlField | GqlInlineFragment;

export interface GqlOperation {
  type: 'query' | 'mutation';
  variableDefaults: Record<string, unknown>;
  selections: GqlSelection[];
}

export class GqlError extends Error {
  constructor(message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

type Token = { kind: 'punct' | 'name' | 'string' | 'number'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/[\s,\uFEFF]/.test(c)) {
      i += 1;
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i += 1;
    } else if (source.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...' });
      i += 3;
    } else if ('{}()[]:!$=@|&'.includes(c)) {
      tokens.push({ kind: 'punct', value: c });
      i += 1;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        if (end === -1) throw new GqlError('Unterminated block string');
        tokens.push({ kind: 'string', value: source.slice(i + 3, end) });
        i = end + 3;
      } else {
        let j = i + 1;
        while (j < source.length && source[j] !== '"')
          j += source[j] === '\\' ? 2 : 1;
        if (j >= source.length) throw new GqlError('Unterminated string');
        tokens.push({
          kind: 'string',
          value: JSON.parse(source.slice(i, j + 1)),
        });
        i = j + 1;
      }
    } else if (/[-\d]/.test(c)) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!match) throw new GqlError(`Unexpected character '${c}'`);
      tokens.push({ kind: 'number', value: match[0] });
      i += match[0].length;
    } else if (/[_A-Za-z]/.test(c)) {
      const match = /^[_A-Za-z][_0-9A-Za-z]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'name', value: match[0] });
      i += match[0].length;
    } else {
      throw new GqlError(`Parse error on "${c}"`);
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const token = this.tokens[this.pos++];
    if (!token) throw new GqlError('Parse error: unexpected end of document');
    return token;
  }

  private expect(value: string): void {
    const token = this.next();
    if (token.value !== value)
      throw new GqlError(
        `Parse error on "${token.value}": expected "${value}"`,
      );
  }

  private accept(value: string): boolean {
    if (this.peek()?.value === value && this.peek()?.kind === 'punct') {
      this.pos += 1;
      return true;
    }
    return false;
  }

  private name(): string {
    const token = this.next();
    if (token.kind !== 'name')
      throw new GqlError(`Parse error on "${token.value}": expected a name`);
    return token.value;
  }

  document(): GqlOperation {
    let operation: GqlOperation;
    if (this.peek()?.value === '{') {
      operation = {
        type: 'query',
        variableDefaults: {},
        selections: this.selectionSet(),
      };
    } else {
      const type = this.name();
      if (type !== 'query' && type !== 'mutation') {
        throw new GqlError(
          type === 'fragment'
            ? 'Named fragments are not supported by the simulator'
            : `Parse error on "${type}"`,
        );
      }
      if (this.peek()?.kind === 'name') this.name();
      const variableDefaults: Record<string, unknown> = {};
      if (this.accept('(')) {
        while (!this.accept(')')) {
          this.expect('$');
          const variable = this.name();
          this.expect(':');
          this.typeRef();
          if (this.accept('='))
            variableDefaults[variable] = resolveValue(this.value(), {});
        }
      }
      this.directives();
      operation = { type, variableDefaults, selections: this.selectionSet() };
    }
    if (this.peek()) {
      throw new GqlError(
        this.peek()!.value === 'fragment'
          ? 'Named fragments are not supported by the simulator'
          : 'Only one operation per document is supported',
      );
    }
    return operation;
  }

  private typeRef(): void {
    if (this.accept('[')) {
      this.typeRef();
      this.expect(']');
    } else {
      this.name();
    }
    this.accept('!');
  }

  private directives(): GqlDirective[] {
    const directives: GqlDirective[] = [];
    while (this.accept('@')) {
      const name = this.name();
      directives.push({
        name,
        args: this.peek()?.value === '(' ? this.args() : {},
      });
    }
    return directives;
  }

  private selectionSet(): GqlSelection[] {
    this.expect('{');
    const selections: GqlSelection[] = [];
    while (!this.accept('}')) {
      if (this.accept('...')) {
        let typeCondition: string | undefined;
        if (this.peek()?.value === 'on') {
          this.name();
          typeCondition = this.name();
        } else if (this.peek()?.kind === 'name') {
          throw new GqlError(
            'Named fragments are not supported by the simulator',
          );
        }
        const directives = this.directives();
        selections.push({
          kind: 'inline',
          typeCondition,
          selections: this.selectionSet(),
          ...(directives.length ? { directives } : {}),
        });
        continue;
      }
      let name = this.name();
      let alias: string | undefined;
      if (this.accept(':')) {
        alias = name;
        name = this.name();
      }
      const args = this.peek()?.value === '(' ? this.args() : {};
      const directives = this.directives();
      const selections2 =
        this.peek()?.value === '{' ? this.selectionSet() : undefined;
      selections.push({
        kind: 'field',
        alias,
        name,
        args,
        selections: selections2,
        ...(directives.length ? { directives } : {}),
      });
    }
    return selections;
  }

  private args(): Record<string, GqlValue> {
    this.expect('(');
    const args: Record<string, GqlValue> = {};
    while (!this.accept(')')) {
      const name = this.name();
      this.expect(':');
      args[name] = this.value();
    }
    return args;
  }

  private value(): GqlValue {
    if (this.accept('$')) return { kind: 'variable', name: this.name() };
    if (this.accept('[')) {
      const values: GqlValue[] = [];
      while (!this.accept(']')) values.push(this.value());
      return { kind: 'list', values };
    }
    if (this.accept('{')) {
      const fields: Record<string, GqlValue> = {};
      while (!this.accept('}')) {
        const name = this.name();
        this.expect(':');
        fields[name] = this.value();
      }
      return { kind: 'object', fields };
    }
    const token = this.next();
    if (token.kind === 'string') return { kind: 'literal', value: token.value };
    if (token.kind === 'number')
      return { kind: 'literal', value: Number(token.value) };
    if (token.kind === 'name') {
      if (token.value === 'true') return { kind: 'literal', value: true };
      if (token.value === 'false') return { kind: 'literal', value: false };
      if (token.value === 'null') return { kind: 'literal', value: null };
      return { kind: 'literal', value: token.value }; // enum value
    }
    throw new GqlError(`Parse error on "${token.value}"`);
  }
}

export function parseGraphql(source: string): GqlOperation {
  return new Parser(tokenize(source)).document();
}

export function resolveValue(
  value: GqlValue,
  variables: Record<string, unknown>,
): unknown {
  switch (value.kind) {
    case 'variable':
      return variables[value.name] ?? null;
    case 'literal':
      return value.value;
    case 'list':
      return value.values.map(v => resolveValue(v, variables));
    default:
      return Object.fromEntries(
        Object.entries(value.fields).map(([k, v]) => [
          k,
          resolveValue(v, variables),
        ]),
      );
  }
}

/**
 * A resolved GraphQL object: `__typename` plus fields that are values or (possibly async) functions of the field's
 * arguments. Nested objects are resolved lazily, so only requested fields cost anything.
 */
export interface GqlObject {
  __typename: string;
  [field: string]: unknown;
}

export async function execute(
  operation: GqlOperation,
  root: GqlObject,
  variables: Record<string, unknown>,
): Promise<{
  data: Record<string, unknown> | null;
  errors?: Array<Record<string, unknown>>;
}> {
  const errors: Array<Record<string, unknown>> = [];
  const vars = { ...operation.variableDefaults, ...variables };

  // As the spec says: a selection is left out when any `@skip(if:)` is true or any `@include(if:)` is false.
  function included(selection: GqlSelection): boolean {
    for (const directive of selection.directives ?? []) {
      if (directive.name !== 'skip' && directive.name !== 'include') continue;
      if (!('if' in directive.args)) {
        throw new GqlError(
          `Directive '${directive.name}' is missing required arguments: if`,
          {
            extensions: {
              code: 'missingRequiredArguments',
              className: 'Directive',
              name: directive.name,
              arguments: 'if',
            },
          },
        );
      }
      const condition = resolveValue(directive.args.if, vars);
      if (typeof condition !== 'boolean') {
        throw new GqlError(
          `Argument 'if' on Directive '${
            directive.name
          }' has an invalid value (${JSON.stringify(
            condition,
          )}). Expected type 'Boolean!'.`,
          {
            extensions: {
              code: 'argumentLiteralsIncompatible',
              typeName: 'Directive',
              argumentName: 'if',
            },
          },
        );
      }
      if (directive.name === 'skip' ? condition : !condition) return false;
    }
    return true;
  }

  async function resolveSelections(
    object: GqlObject,
    selections: GqlSelection[],
    path: Array<string | number>,
  ) {
    const result: Record<string, unknown> = {};
    for (const selection of selections) {
      if (!included(selection)) continue;
      if (selection.kind === 'inline') {
        if (
          !selection.typeCondition ||
          selection.typeCondition === object.__typename
        ) {
          Object.assign(
            result,
            await resolveSelections(object, selection.selections, path),
          );
        }
        continue;
      }
      const key = selection.alias ?? selection.name;
      if (selection.name === '__typename') {
        result[key] = object.__typename;
        continue;
      }
      if (!(selection.name in object)) {
        throw new GqlError(
          `Field '${selection.name}' doesn't exist on type '${object.__typename}'`,
          {
            extensions: {
              code: 'undefinedField',
              typeName: object.__typename,
              fieldName: selection.name,
            },
          },
        );
      }
      const args = Object.fromEntries(
        Object.entries(selection.args).map(([name, value]) => [
          name,
          resolveValue(value, vars),
        ]),
      );
      const field = object[selection.name];
      try {
        const value = typeof field === 'function' ? await field(args) : field;
        result[key] = await complete(value, selection, [...path, key]);
      } catch (error) {
        if (!(error instanceof GqlError) || error.extra.extensions) throw error;
        errors.push({
          message: error.message,
          path: [...path, key],
          locations: [],
          ...error.extra,
        });
        result[key] = null;
      }
    }
    return result;
  }

  async function complete(
    value: unknown,
    field: GqlField,
    path: Array<string | number>,
  ): Promise<unknown> {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value))
      return Promise.all(value.map((v, i) => complete(v, field, [...path, i])));
    if (typeof value === 'object' && '__typename' in (value as object)) {
      if (!field.selections) {
        throw new GqlError(
          `Field must have selections (field '${field.name}' returns ${
            (value as GqlObject).__typename
          } but has no selections.`,
          {
            extensions: { code: 'selectionMismatch' },
          },
        );
      }
      return resolveSelections(value as GqlObject, field.selections, path);
    }
    return value;
  }

  try {
    const data = await resolveSelections(root, operation.selections, []);
    return errors.length ? { data, errors } : { data };
  } catch (error) {
    if (error instanceof GqlError)
      return {
        data: null,
        errors: [{ message: error.message, ...error.extra }],
      };
    throw error;
  }
}
