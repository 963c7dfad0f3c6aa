import { parseAllDocuments } from 'yaml';
import {
  EnvsubstNode,
  EnvsubstSyntaxError,
  envsubstVariables,
  evalEnvsubst,
  parseEnvsubst,
} from './envsubst';
import {
  GoTemplateError,
  GoTemplateNode,
  evalGoTemplate,
  goTemplateParams,
  parseGoTemplate,
} from './goTemplate';
import {
  Coercion,
  coerceToSchema,
  convertScalar,
  formatPath,
  scalarTypeOf,
  schemaAt,
  schemaFor,
  scopeOf,
} from './schemaTypes';

/*
 * WGE templates (CAPITemplate `capi.weave.works`, GitOpsTemplate `templates.weave.works`,
 * v1alpha1 and v1alpha2): parsing, parameter discovery and validation, and rendering.
 *
 * Rendering works on the parsed objects, one scalar at a time, so a parameter value is only
 * ever a string inside one field: it cannot add keys, objects or documents, whatever it
 * contains. WGE rendered the YAML text instead; the differences that follow are deliberate and
 * documented in docs/cluster-actions.md (types come from the CRD schema, not from YAML
 * re-parsing; control structures of the `templating` type are not supported).
 */

export const TEMPLATE_KINDS = ['CAPITemplate', 'GitOpsTemplate'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
export const TEMPLATE_GROUPS: Record<TemplateKind, string> = {
  CAPITemplate: 'capi.weave.works',
  GitOpsTemplate: 'templates.weave.works',
};
/** Annotation that changes the delimiters of the `templating` render type ("left,right"). */
export const DELIMITERS_ANNOTATION = 'templates.weave.works/delimiters';

export interface TemplateParam {
  name: string;
  description?: string;
  required?: boolean;
  options?: string[];
  default?: string;
}

export interface WgeTemplate {
  apiVersion: string;
  kind: TemplateKind;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec: {
    description?: string;
    renderType?: 'envsubst' | 'templating';
    params?: TemplateParam[];
    resourcetemplates?: unknown[];
    [k: string]: unknown;
  };
}

/** A template problem (syntax, shape): names where in the template it is. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** One problem with one parameter value. */
export interface ParamProblem {
  param: string;
  message: string;
}

/** Thrown when parameter values are rejected; `problems` names every parameter at fault. */
export class ParamValidationError extends Error {
  constructor(
    readonly templateName: string,
    readonly problems: ParamProblem[],
  ) {
    super(
      `Invalid parameters for template ${templateName}:\n${problems
        .map(p => `  - ${p.param}: ${p.message}`)
        .join('\n')}`,
    );
    this.name = 'ParamValidationError';
  }
}

/** Finds the WGE templates among the YAML documents of `text`; YAML errors throw TemplateError. */
export function parseTemplates(text: string, source: string): WgeTemplate[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const out: WgeTemplate[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) {
      throw new TemplateError(
        `${source} is not valid YAML: ${doc.errors[0].message}`,
      );
    }
    const obj = doc.toJS() as Record<string, any> | null;
    if (!obj || typeof obj !== 'object') continue;
    if (!TEMPLATE_KINDS.includes(obj.kind)) continue;
    const group = String(obj.apiVersion ?? '').split('/')[0];
    if (group !== TEMPLATE_GROUPS[obj.kind as TemplateKind]) continue;
    out.push(checkShape(obj, source));
  }
  return out;
}

function checkShape(obj: Record<string, any>, source: string): WgeTemplate {
  const where = `${obj.kind} ${obj.metadata?.name ?? '(unnamed)'} in ${source}`;
  const version = String(obj.apiVersion).split('/')[1];
  if (version !== 'v1alpha1' && version !== 'v1alpha2')
    throw new TemplateError(
      `${where}: apiVersion ${obj.apiVersion} is not supported (v1alpha1, v1alpha2)`,
    );
  if (typeof obj.metadata?.name !== 'string')
    throw new TemplateError(`${where}: metadata.name is missing`);
  const spec = obj.spec ?? {};
  if (typeof spec !== 'object' || Array.isArray(spec))
    throw new TemplateError(`${where}: spec must be a mapping`);
  const renderType = spec.renderType ?? 'envsubst';
  if (renderType !== 'envsubst' && renderType !== 'templating')
    throw new TemplateError(
      `${where}: spec.renderType "${renderType}" is not supported (envsubst, templating)`,
    );
  const params = spec.params ?? [];
  if (!Array.isArray(params))
    throw new TemplateError(`${where}: spec.params must be a list`);
  params.forEach((p: any, i: number) => {
    if (!p || typeof p.name !== 'string' || !p.name)
      throw new TemplateError(`${where}: spec.params[${i}].name is missing`);
    if (p.options !== undefined && !Array.isArray(p.options))
      throw new TemplateError(
        `${where}: spec.params[${i}].options must be a list`,
      );
  });
  if (
    spec.resourcetemplates !== undefined &&
    !Array.isArray(spec.resourcetemplates)
  )
    throw new TemplateError(`${where}: spec.resourcetemplates must be a list`);
  return obj as WgeTemplate;
}

const describe = (o: Record<string, any> | undefined) =>
  `${o?.kind ?? '(no kind)'}/${o?.metadata?.name ?? '(no name)'}`;

type Compiled =
  | { engine: 'envsubst'; nodes: EnvsubstNode[] }
  | { engine: 'templating'; nodes: GoTemplateNode[] };

/** Where a parameter is used. */
export interface ParamUse {
  /** `resourcetemplates[i]` index, or -1 for nothing. */
  template: number;
  /** Index of the object in that resourcetemplate; -1 for the `path`. */
  object: number;
  apiVersion?: string;
  kind?: string;
  path: Array<string | number>;
  /** The whole scalar is exactly this parameter (`${X}` / `{{ .params.X }}`). */
  lone: boolean;
}

interface ResourceTemplate {
  path?: string;
  content: unknown[];
}

/** A template parsed once, ready to validate parameters and render. */
export class CompiledTemplate {
  readonly renderType: 'envsubst' | 'templating';
  readonly resourceTemplates: ResourceTemplate[];
  /** Declared params first (in order), then params only found in resource templates (sorted). */
  readonly params: TemplateParam[];
  readonly uses = new Map<string, ParamUse[]>();
  private readonly delims: [string, string];
  private readonly cache = new Map<string, Compiled>();

  constructor(readonly template: WgeTemplate) {
    this.renderType = template.spec.renderType ?? 'envsubst';
    this.delims = delimitersOf(template);
    this.resourceTemplates = normaliseResourceTemplates(template);
    this.resourceTemplates.forEach((rt, i) => {
      if (rt.path !== undefined)
        this.scan(
          rt.path,
          { template: i, object: -1, path: ['path'] },
          `resourcetemplates[${i}].path`,
        );
      rt.content.forEach((obj, j) => {
        const o = obj as Record<string, unknown>;
        const meta = {
          apiVersion:
            typeof o?.apiVersion === 'string' ? o.apiVersion : undefined,
          kind: typeof o?.kind === 'string' ? o.kind : undefined,
        };
        this.walk(obj, [], (s, path) =>
          this.scan(
            s,
            { template: i, object: j, ...meta, path },
            `resourcetemplates[${i}] ${describe(o)} at ${
              formatPath(path) || '(root)'
            }`,
          ),
        );
      });
    });
    const declared = template.spec.params ?? [];
    const declaredNames = new Set(declared.map(p => p.name));
    const discovered = [...this.uses.keys()]
      .filter(n => !declaredNames.has(n))
      .sort()
      .map(name => ({ name }));
    this.params = [...declared, ...discovered];
  }

  get name() {
    return this.template.metadata.name;
  }

  private walk(
    value: unknown,
    path: Array<string | number>,
    visit: (s: string, path: Array<string | number>) => void,
  ) {
    if (typeof value === 'string') visit(value, path);
    else if (Array.isArray(value))
      value.forEach((v, i) => this.walk(v, [...path, i], visit));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        visit(k, [...path, k]);
        this.walk(v, [...path, k], visit);
      }
  }

  private compile(s: string, where: string): Compiled {
    let c = this.cache.get(s);
    if (c) return c;
    try {
      c =
        this.renderType === 'envsubst'
          ? { engine: 'envsubst', nodes: parseEnvsubst(s) }
          : { engine: 'templating', nodes: parseGoTemplate(s, this.delims) };
    } catch (e) {
      if (e instanceof EnvsubstSyntaxError || e instanceof GoTemplateError)
        throw new TemplateError(
          `template ${this.template.metadata.name}: syntax error in ${where}: ${e.message}`,
        );
      throw e;
    }
    this.cache.set(s, c);
    return c;
  }

  private scan(s: string, use: Omit<ParamUse, 'lone'>, where: string) {
    const c = this.compile(s, where);
    let names: string[];
    let lone = false;
    if (c.engine === 'envsubst') {
      names = envsubstVariables(c.nodes).map(v => v.name);
      lone =
        c.nodes.length === 1 &&
        c.nodes[0].type === 'func' &&
        c.nodes[0].op === '';
    } else {
      names = goTemplateParams(c.nodes);
      const n = c.nodes[0];
      lone =
        c.nodes.length === 1 &&
        n.type === 'action' &&
        n.pipe.length === 1 &&
        n.pipe[0].length === 1 &&
        n.pipe[0][0].kind === 'field' &&
        n.pipe[0][0].path.length === 2 &&
        n.pipe[0][0].path[0] === 'params';
    }
    for (const name of names) {
      const list = this.uses.get(name) ?? [];
      list.push({ ...use, lone: lone && names.length === 1 });
      this.uses.set(name, list);
    }
  }

  /**
   * Checks `given` against the template's parameters and returns the values to render with
   * (defaults applied, as WGE does: an empty value takes the declared default). Throws
   * {@link ParamValidationError} naming every parameter at fault.
   */
  resolveParams(given: Record<string, unknown>): Record<string, string> {
    const problems: ParamProblem[] = [];
    const known = new Map(this.params.map(p => [p.name, p]));
    for (const key of Object.keys(given)) {
      if (!known.has(key))
        problems.push({
          param: key,
          message: `is not a parameter of template ${this.name} (parameters: ${
            [...known.keys()].join(', ') || 'none'
          })`,
        });
    }
    const values: Record<string, string> = {};
    for (const p of this.params) {
      const raw = given[p.name];
      let value: string;
      if (raw === undefined || raw === null) value = '';
      else if (
        typeof raw === 'string' ||
        typeof raw === 'number' ||
        typeof raw === 'boolean'
      )
        value = String(raw);
      else {
        problems.push({
          param: p.name,
          message: `must be a string, number or boolean, got ${
            Array.isArray(raw) ? 'a list' : 'a mapping'
          }`,
        });
        continue;
      }
      if (value === '' && p.default !== undefined && p.default !== '')
        value = String(p.default);
      if (value === '') {
        if (p.required) {
          problems.push({
            param: p.name,
            message: `is required${p.description ? ` (${p.description})` : ''}`,
          });
          continue;
        }
        values[p.name] = '';
        continue;
      }
      // One line, printable: a value is data for one field, never structure or a second line.
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(value)) {
        problems.push({
          param: p.name,
          message:
            'must be a single line without control characters (newlines, tabs) — a parameter fills one field',
        });
        continue;
      }
      if (value.length > 1024) {
        problems.push({
          param: p.name,
          message: `is ${value.length} characters long; at most 1024 are allowed`,
        });
        continue;
      }
      const options = (p.options ?? []).map(String);
      if (options.length && !options.includes(value)) {
        problems.push({
          param: p.name,
          message: `"${value}" is not one of the allowed values: ${options.join(
            ', ',
          )}`,
        });
        continue;
      }
      const typeProblem = this.typeProblem(p.name, value);
      if (typeProblem) {
        problems.push({ param: p.name, message: typeProblem });
        continue;
      }
      values[p.name] = value;
    }
    if (problems.length) throw new ParamValidationError(this.name, problems);
    return values;
  }

  /** A lone use of the parameter in an integer/number/boolean field fixes its type. */
  private typeProblem(name: string, value: string): string | undefined {
    for (const use of this.uses.get(name) ?? []) {
      if (!use.lone || use.object < 0) continue;
      const type = scalarTypeOf(
        schemaAt(schemaFor(use.apiVersion, use.kind), use.path),
      );
      if (type && convertScalar(value, type) === undefined) {
        const what = {
          integer: 'a whole number',
          number: 'a number',
          boolean: 'true or false',
        }[type];
        return `must be ${what}: it sets ${formatPath(use.path)} of ${
          use.kind
        }, got "${value}"`;
      }
    }
    return undefined;
  }

  private renderString(
    s: string,
    values: Record<string, string>,
    where: string,
  ): string {
    const c = this.compile(s, where);
    if (c.engine === 'envsubst') {
      // Variables nested in defaults are not parameters (as in clusterctl); they render as ''.
      return evalEnvsubst(c.nodes, n => values[n] ?? '');
    }
    try {
      return evalGoTemplate(c.nodes, {
        params: values,
        template: {
          meta: {
            name: this.template.metadata.name,
            namespace: this.template.metadata.namespace ?? '',
          },
        },
      });
    } catch (e) {
      if (e instanceof GoTemplateError)
        throw new TemplateError(
          `template ${this.name}: cannot render ${where}: ${e.message}`,
        );
      throw e;
    }
  }

  private renderValue(
    value: unknown,
    values: Record<string, string>,
    path: Array<string | number>,
    where: string,
    provenance: Map<string, Set<string>>,
  ): unknown {
    if (typeof value === 'string') {
      const out = this.renderString(
        value,
        values,
        `${where} at ${formatPath(path)}`,
      );
      const used = this.paramsIn(value);
      if (used.length) provenance.set(formatPath(path), new Set(used));
      return out;
    }
    if (Array.isArray(value))
      return value.map((v, i) =>
        this.renderValue(v, values, [...path, i], where, provenance),
      );
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const key = this.renderString(k, values, `${where} key ${k}`);
        const used = this.paramsIn(k);
        if (used.length)
          provenance.set(formatPath([...path, key]), new Set(used));
        out[key] = this.renderValue(
          v,
          values,
          [...path, key],
          where,
          provenance,
        );
      }
      return out;
    }
    return value;
  }

  private paramsIn(s: string): string[] {
    const c = this.cache.get(s);
    if (!c) return [];
    return c.engine === 'envsubst'
      ? envsubstVariables(c.nodes).map(v => v.name)
      : goTemplateParams(c.nodes);
  }

  /** Renders every resource template with already resolved values. */
  render(
    values: Record<string, string>,
    options: RenderOptions = {},
  ): RenderResult {
    const files: RenderedFile[] = [];
    const warnings: string[] = [];
    this.resourceTemplates.forEach((rt, i) => {
      const path =
        rt.path !== undefined
          ? this.renderString(rt.path, values, `resourcetemplates[${i}].path`)
          : undefined;
      const objects: RenderedObject[] = rt.content.map((obj, j) => {
        const provenance = new Map<string, Set<string>>();
        const where = `resourcetemplates[${i}] ${describe(obj as any)}`;
        const rendered = this.renderValue(obj, values, [], where, provenance);
        if (
          !rendered ||
          typeof rendered !== 'object' ||
          Array.isArray(rendered)
        )
          throw new TemplateError(
            `template ${this.name}: resourcetemplates[${i}].content[${j}] is not an object`,
          );
        const o = rendered as Record<string, any>;
        if (options.namespace && !o.metadata?.namespace && isNamespaced(o)) {
          o.metadata = { ...(o.metadata ?? {}), namespace: options.namespace };
        }
        if (
          options.injectPruneAnnotation &&
          o.kind !== 'Cluster' &&
          o.kind !== 'GitopsCluster'
        ) {
          o.metadata = {
            ...(o.metadata ?? {}),
            annotations: {
              ...(o.metadata?.annotations ?? {}),
              'kustomize.toolkit.fluxcd.io/prune': 'disabled',
            },
          };
        }
        const coercions = coerceToSchema(o);
        for (const c of coercions) {
          const lone = this.isLonePlaceholderAt(i, j, c.path);
          if (!lone)
            warnings.push(
              c.action === 'dropped-null'
                ? `${describe(o)}: dropped ${
                    c.path
                  }: null (the schema does not allow null; the API server would prune it)`
                : `${describe(o)}: ${
                    c.path
                  } rendered as the string ${JSON.stringify(
                    c.from,
                  )}; converted to ${typeof c.to} ${JSON.stringify(
                    c.to,
                  )} as the ${o.kind} schema requires`,
            );
        }
        return { object: o, provenance, coercions };
      });
      files.push({ path, objects });
    });
    return { files, warnings };
  }

  // A plain `replicas: ${N}` is typed by the schema silently (WGE's YAML re-typing gave the
  // same result); anything else that needed converting — a quoted literal, a composite
  // string — is reported.
  private isLonePlaceholderAt(rt: number, obj: number, path: string): boolean {
    for (const uses of this.uses.values())
      for (const u of uses)
        if (
          u.template === rt &&
          u.object === obj &&
          u.lone &&
          formatPath(u.path) === path
        )
          return !this.quoted.has(`${rt}/${obj}/${path}`);
    return false;
  }

  /** Paths (`rt/obj/path`) whose scalar was quoted in the template's YAML source. */
  readonly quoted = new Set<string>();
}

export interface RenderOptions {
  /** Namespace for namespaced objects that have none (WGE's InNamespace). */
  namespace?: string;
  /** Adds `kustomize.toolkit.fluxcd.io/prune: disabled` to all but Cluster and GitopsCluster. */
  injectPruneAnnotation?: boolean;
}

export interface RenderedObject {
  object: Record<string, any>;
  /** Rendered path (Kubernetes style) → parameters used there. */
  provenance: Map<string, Set<string>>;
  coercions: Coercion[];
}

export interface RenderedFile {
  /** The rendered `path` of the resource template; undefined → the cluster's default file. */
  path?: string;
  objects: RenderedObject[];
}

export interface RenderResult {
  files: RenderedFile[];
  warnings: string[];
}

function delimitersOf(t: WgeTemplate): [string, string] {
  const ann = t.metadata.annotations?.[DELIMITERS_ANNOTATION];
  if (ann) {
    const parts = ann.split(',');
    if (parts.length === 2 && parts[0] && parts[1]) return [parts[0], parts[1]];
  }
  return ['{{', '}}'];
}

function normaliseResourceTemplates(t: WgeTemplate): ResourceTemplate[] {
  const list = t.spec.resourcetemplates ?? [];
  const v1alpha1 = t.apiVersion.endsWith('/v1alpha1');
  return list.map((rt: any, i) => {
    // v1alpha1: each entry is an object; v1alpha2: { path?, content?: [objects], raw? }.
    if (v1alpha1) return { content: [rt] };
    if (!rt || typeof rt !== 'object')
      throw new TemplateError(
        `template ${t.metadata.name}: resourcetemplates[${i}] must be a mapping`,
      );
    const content: unknown[] = [];
    if (rt.content !== undefined) {
      if (!Array.isArray(rt.content))
        throw new TemplateError(
          `template ${t.metadata.name}: resourcetemplates[${i}].content must be a list`,
        );
      content.push(...rt.content);
    }
    if (typeof rt.raw === 'string') {
      // Parsed before rendering so that values stay values; a raw template that is only YAML
      // after text substitution cannot be rendered this way, and says so.
      for (const doc of parseAllDocuments(rt.raw)) {
        if (doc.errors.length)
          throw new TemplateError(
            `template ${t.metadata.name}: resourcetemplates[${i}].raw is not valid YAML before rendering (${doc.errors[0].message}); quote placeholders that stand for whole values`,
          );
        const js = doc.toJS();
        if (js !== null && js !== undefined) content.push(js);
      }
    }
    return {
      path: typeof rt.path === 'string' && rt.path !== '' ? rt.path : undefined,
      content,
    };
  });
}

const CLUSTER_SCOPED_CORE = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
]);

function isNamespaced(o: Record<string, any>): boolean {
  if (CLUSTER_SCOPED_CORE.has(o.kind)) return false;
  // Known CRDs say; unknown kinds are assumed namespaced, as WGE's InNamespace assumes.
  return scopeOf(o.apiVersion, o.kind) !== 'Cluster';
}

/** Parses and compiles a template document set, returning the one named `name` (or the only one). */
export function loadTemplate(
  text: string,
  source: string,
  name?: string,
): CompiledTemplate {
  const templates = parseTemplates(text, source);
  const match = name
    ? templates.filter(t => t.metadata.name === name)
    : templates;
  if (!match.length)
    throw new TemplateError(
      name
        ? `${source} holds no CAPITemplate or GitOpsTemplate named ${name}${
            templates.length
              ? ` (found: ${templates.map(t => t.metadata.name).join(', ')})`
              : ''
          }`
        : `${source} holds no CAPITemplate or GitOpsTemplate`,
    );
  if (match.length > 1)
    throw new TemplateError(
      `${source} holds several templates${
        name ? ` named ${name}` : ''
      }; name one`,
    );
  const compiled = new CompiledTemplate(match[0]);
  markQuoted(text, compiled);
  return compiled;
}

// Records which resource-template scalars were quoted in the YAML source (`"${N}"`), so that
// converting them is reported (the seed's quoted replicas) while `replicas: ${N}` is not.
function markQuoted(text: string, compiled: CompiledTemplate) {
  for (const doc of parseAllDocuments(text)) {
    const js = doc.toJS() as any;
    if (
      !js ||
      js.metadata?.name !== compiled.name ||
      js.kind !== compiled.template.kind
    )
      continue;
    const rts = doc.getIn(['spec', 'resourcetemplates'], true) as any;
    if (!rts?.items) return;
    const v1alpha1 = compiled.template.apiVersion.endsWith('/v1alpha1');
    rts.items.forEach((rt: any, i: number) => {
      const contents = v1alpha1 ? [rt] : rt.get?.('content', true)?.items ?? [];
      contents.forEach((node: any, j: number) =>
        visitQuoted(node, [], p =>
          compiled.quoted.add(`${i}/${j}/${formatPath(p)}`),
        ),
      );
    });
  }
}

function visitQuoted(
  node: any,
  path: Array<string | number>,
  mark: (p: Array<string | number>) => void,
) {
  if (!node) return;
  if (node.items && Array.isArray(node.items)) {
    node.items.forEach((item: any, i: number) => {
      if (item && 'key' in item) {
        const key = String(item.key?.value ?? item.key);
        visitQuoted(item.value, [...path, key], mark);
      } else visitQuoted(item, [...path, i], mark);
    });
    return;
  }
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') mark(path);
}
