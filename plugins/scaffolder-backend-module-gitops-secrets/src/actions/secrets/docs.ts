/*
 * Markdown tables of an action's inputs and outputs, generated from the JSON
 * Schema the scaffolder derives from the zod schemas. README.md holds the
 * result between markers; readme.test.ts fails when it drifts (run it with
 * UPDATE_README=1 to rewrite it).
 */

type Schema = Record<string, any>;

function resolve(root: Schema, schema: Schema): Schema {
  let current = schema;
  const seen = new Set<string>();
  while (
    current &&
    typeof current.$ref === 'string' &&
    !seen.has(current.$ref)
  ) {
    seen.add(current.$ref);
    const parts = current.$ref.replace(/^#\/?/, '').split('/').filter(Boolean);
    current = parts.reduce(
      (node: any, key: string) =>
        node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
      root,
    );
  }
  return current ?? {};
}

function typeOf(root: Schema, s: Schema): string {
  const schema = resolve(root, s);
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum)
    return schema.enum.map((e: unknown) => `\`${String(e)}\``).join(' | ');
  if (schema.type === 'array') return `${typeOf(root, schema.items ?? {})}[]`;
  if (schema.anyOf) return 'one of (below)';
  return schema.type ?? 'any';
}

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

interface Row {
  field: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

function discriminator(root: Schema, variant: Schema): string | undefined {
  const type = resolve(root, variant.properties?.type ?? {});
  return type.const !== undefined ? String(type.const) : type.enum?.[0];
}

function walk(
  root: Schema,
  schema: Schema,
  prefix: string,
  required: boolean,
  rows: Row[],
  when?: string,
) {
  const s = resolve(root, schema);
  const label = (name: string) => (when ? `${name} _(${when})_` : name);
  if (s.type === 'object' && s.properties) {
    const req = new Set<string>(s.required ?? []);
    for (const [key, prop] of Object.entries<Schema>(s.properties)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const p = resolve(root, prop);
      const isRequired = req.has(key) && p.default === undefined;
      rows.push({
        field: label(`\`${path}\``),
        type: typeOf(root, p),
        required: isRequired,
        default: p.default,
        description: p.description ?? '',
      });
      if ((p.type === 'object' && p.properties) || p.anyOf)
        walk(root, p, path, isRequired, rows, when);
      const items =
        p.type === 'array' ? resolve(root, p.items ?? {}) : undefined;
      if (items?.type === 'object' && items.properties)
        walk(root, items, `${path}[]`, false, rows, when);
    }
    return;
  }
  if (s.anyOf) {
    for (const variant of s.anyOf as Schema[]) {
      const v = resolve(root, variant);
      const d = discriminator(root, v);
      const inner = d ? `${prefix.split('.').pop()}.type = ${d}` : undefined;
      walk(
        root,
        v,
        prefix,
        required,
        rows,
        [when, inner].filter(Boolean).join(', ') || undefined,
      );
    }
  }
}

/** A markdown table of every input field (nested fields dotted, union variants marked). */
export function inputsTable(schema: Schema): string {
  const rows: Row[] = [];
  walk(schema, schema, '', true, rows);
  const seen = new Set<string>();
  const lines = [
    '| Field | Type | Required | Default | Description |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const line = `| ${r.field} | ${cell(r.type)} | ${
      r.required ? 'yes' : ''
    } | ${
      r.default === undefined ? '' : `\`${cell(JSON.stringify(r.default))}\``
    } | ${cell(r.description)} |`;
    // A field shared by variants with the same text is listed once.
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
  }
  return lines.join('\n');
}

/** The README block for one action: description, inputs, outputs. */
export function actionDocs(action: {
  id: string;
  description?: string;
  schema?: { input?: Schema; output?: Schema };
}): string {
  return [
    `### \`${action.id}\``,
    '',
    action.description ?? '',
    '',
    '#### Inputs',
    '',
    inputsTable(action.schema?.input ?? {}),
    '',
    '#### Outputs',
    '',
    inputsTable(action.schema?.output ?? {}).replace(
      / \| Required \| Default /,
      ' | Always | Default ',
    ),
  ].join('\n');
}
