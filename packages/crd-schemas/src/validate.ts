import Ajv, { ErrorObject, Format, ValidateFunction } from 'ajv';
import {
  CRD_SETS,
  CrdSet,
  CustomResourceDefinition,
  crdsDir,
  loadCrds,
} from './crds';

/** Outcome of validating one object: `errors` is empty exactly when `valid`. */
export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

/** Options for {@link validateObject} and {@link validateAny}. */
export interface ValidateOptions {
  /**
   * The CRD sets installed on the target cluster (all sets by default). An object whose kind is
   * defined only by another set fails, as it would on a cluster without those CRDs.
   */
  crdSets?: readonly CrdSet[];
}

/** A served CRD version resolved from an object's apiVersion and kind. */
export interface ResolvedKind {
  crd: CustomResourceDefinition;
  set: CrdSet;
  version: string;
  namespaced: boolean;
}

type Schema = Record<string, any>;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Qualified names as Kubernetes checks them for label and annotation keys: optional DNS
// subdomain prefix, then a name of at most 63 characters.
const QUALIFIED_NAME =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';
const RFC3339 =
  /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// Formats the validator checks; any other format is dropped from the schema, because the
// API server ignores formats it does not know rather than failing on them.
const FORMATS: Record<string, Format> = {
  // Only ranges: a non-integer already fails `type: integer`, reported once.
  int32: {
    type: 'number',
    validate: (n: number) =>
      !Number.isInteger(n) || (n >= -(2 ** 31) && n <= 2 ** 31 - 1),
  },
  int64: {
    type: 'number',
    validate: (n: number) => !Number.isInteger(n) || Math.abs(n) <= 2 ** 63,
  },
  'date-time': {
    type: 'string',
    validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)),
  },
  date: {
    type: 'string',
    validate: (s: string) =>
      /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  },
  byte: { type: 'string', validate: (s: string) => BASE64.test(s) },
};

// Value-validation keywords copied as they are from an OpenAPI v3 schema to JSON Schema.
const COPIED_KEYWORDS = [
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'required',
] as const;

let ajvInstance: Ajv | undefined;

function ajv(): Ajv {
  if (!ajvInstance) {
    ajvInstance = new Ajv({
      allErrors: true,
      verbose: true,
      // The schemas are generated below; strict mode would only warn about OpenAPI idioms
      // (keywords without a type in anyOf branches) that are valid in Kubernetes.
      strict: false,
      // Go regular expressions in CRDs use escapes that JavaScript's unicode mode rejects.
      unicodeRegExp: false,
      validateFormats: true,
    });
    for (const [name, format] of Object.entries(FORMATS)) {
      ajvInstance.addFormat(name, format);
    }
    ajvInstance.addKeyword({
      keyword: 'k8sListMapKeys',
      type: 'array',
      schemaType: 'array',
      errors: true,
      validate: function listMapKeys(
        this: unknown,
        keys: string[],
        data: unknown[],
      ) {
        const seen = new Set<string>();
        for (const item of data) {
          if (!item || typeof item !== 'object') continue;
          const id = JSON.stringify(
            keys.map(k => (item as Record<string, unknown>)[k]),
          );
          if (seen.has(id)) {
            (listMapKeys as any).errors = [
              {
                keyword: 'k8sListMapKeys',
                message: `has duplicate entries for map keys [${keys.join(
                  ', ',
                )}] = ${id}`,
                params: { keys },
              },
            ];
            return false;
          }
          seen.add(id);
        }
        return true;
      },
    });
  }
  return ajvInstance;
}

function objectMetaSchema(options: { requireName: boolean }): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    ...(options.requireName
      ? { anyOf: [{ required: ['name'] }, { required: ['generateName'] }] }
      : {}),
    properties: {
      name: { type: 'string' },
      generateName: { type: 'string' },
      namespace: { type: 'string' },
      labels: {
        type: 'object',
        propertyNames: { pattern: QUALIFIED_NAME, maxLength: 317 },
        additionalProperties: {
          type: 'string',
          maxLength: 63,
          pattern: LABEL_VALUE,
        },
      },
      annotations: {
        type: 'object',
        propertyNames: { pattern: QUALIFIED_NAME, maxLength: 317 },
        additionalProperties: { type: 'string' },
      },
      uid: { type: 'string' },
      resourceVersion: { type: 'string' },
      generation: { type: 'integer', format: 'int64' },
      creationTimestamp: { type: ['string', 'null'], format: 'date-time' },
      deletionTimestamp: { type: 'string', format: 'date-time' },
      deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
      finalizers: { type: 'array', items: { type: 'string' } },
      ownerReferences: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['apiVersion', 'kind', 'name', 'uid'],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            name: { type: 'string' },
            uid: { type: 'string' },
            controller: { type: 'boolean' },
            blockOwnerDeletion: { type: 'boolean' },
          },
        },
      },
      // Written by the API server; its shape is not something manifests author.
      managedFields: { type: 'array', items: { type: 'object' } },
    },
  };
}

/**
 * Turns a Kubernetes structural OpenAPI v3 schema into JSON Schema with the API server's
 * semantics. `structural` is false inside anyOf/allOf/oneOf/not, whose sub-schemas only add
 * value validation and never declare (or close) fields.
 */
function toJsonSchema(node: Schema, structural: boolean): Schema {
  const out: Schema = {};
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = node['x-kubernetes-embedded-resource'] === true;
  const nullable = node.nullable === true;

  let types: string[] | undefined;
  if (intOrString) types = ['integer', 'string'];
  else if (typeof node.type === 'string') types = [node.type];
  else if (embedded) types = ['object'];
  if (types && nullable) types.push('null');
  if (types) out.type = types.length === 1 ? types[0] : types;

  for (const keyword of COPIED_KEYWORDS) {
    if (node[keyword] !== undefined) out[keyword] = node[keyword];
  }
  if (nullable && Array.isArray(out.enum) && !out.enum.includes(null)) {
    out.enum = [...out.enum, null];
  }
  // OpenAPI 3.0 spells exclusive bounds as booleans next to minimum/maximum.
  if (node.exclusiveMinimum === true && node.minimum !== undefined) {
    delete out.minimum;
    out.exclusiveMinimum = node.minimum;
  }
  if (node.exclusiveMaximum === true && node.maximum !== undefined) {
    delete out.maximum;
    out.exclusiveMaximum = node.maximum;
  }
  if (typeof node.format === 'string' && node.format in FORMATS) {
    out.format = node.format;
  }
  // kubebuilder emits anyOf [integer, string] next to x-kubernetes-int-or-string; the union
  // type above says the same with clearer errors.
  if (Array.isArray(node.anyOf) && !intOrString) {
    out.anyOf = node.anyOf.map((s: Schema) => toJsonSchema(s, false));
  }
  for (const junctor of ['allOf', 'oneOf'] as const) {
    if (Array.isArray(node[junctor])) {
      out[junctor] = node[junctor].map((s: Schema) => toJsonSchema(s, false));
    }
  }
  if (node.not && typeof node.not === 'object') {
    out.not = toJsonSchema(node.not, false);
  }

  if (node.properties && typeof node.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, Schema>).map(
        ([name, child]) => [name, toJsonSchema(child, structural)],
      ),
    );
  }
  if (node.items && typeof node.items === 'object') {
    out.items = toJsonSchema(node.items, structural);
  }
  if (typeof node.additionalProperties === 'object') {
    out.additionalProperties = toJsonSchema(
      node.additionalProperties,
      structural,
    );
  } else if (typeof node.additionalProperties === 'boolean') {
    out.additionalProperties = node.additionalProperties;
  }

  if (embedded) {
    // Embedded resources implicitly declare apiVersion, kind and metadata (an ObjectMeta).
    out.properties = {
      ...out.properties,
      apiVersion: { type: 'string', minLength: 1 },
      kind: { type: 'string', minLength: 1 },
      metadata: objectMetaSchema({ requireName: false }),
    };
    out.required = [
      ...new Set([...(out.required ?? []), 'apiVersion', 'kind']),
    ];
  }

  // The API server prunes fields a schema neither declares nor preserves; an author who wrote
  // them made a mistake (a typo, a field of another version), so they are errors here.
  const isObject = types?.includes('object') ?? false;
  if (
    structural &&
    isObject &&
    !preserveUnknown &&
    node.additionalProperties === undefined
  ) {
    out.additionalProperties = false;
  }

  const listType = node['x-kubernetes-list-type'];
  if (listType === 'set') out.uniqueItems = true;
  if (
    listType === 'map' &&
    Array.isArray(node['x-kubernetes-list-map-keys']) &&
    node['x-kubernetes-list-map-keys'].length > 0
  ) {
    out.k8sListMapKeys = node['x-kubernetes-list-map-keys'];
  }
  return out;
}

function rootSchema(openAPIV3Schema: Schema, apiVersion: string, kind: string) {
  const root = toJsonSchema(openAPIV3Schema, true);
  root.type = 'object';
  root.properties = {
    ...root.properties,
    apiVersion: { const: apiVersion },
    kind: { const: kind },
    // The API server validates ObjectMeta itself; CRD schemas only say `type: object` here.
    metadata: objectMetaSchema({ requireName: true }),
  };
  root.required = [
    ...new Set([...(root.required ?? []), 'apiVersion', 'kind', 'metadata']),
  ];
  return root;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function versionOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
}

function setOf(crd: CustomResourceDefinition): CrdSet {
  for (const set of CRD_SETS) {
    if (loadCrds([set]).includes(crd)) return set;
  }
  throw new Error(`CRD ${crd.metadata.name} is not in any set of ${crdsDir}`);
}

/**
 * Finds the served CRD version for `apiVersion`/`kind`, or explains why there is none: no
 * CRD for the kind (in the given sets), a version the CRD does not define, or one it defines
 * with `served: false`.
 */
export function resolveServedVersion(
  apiVersion: string,
  kind: string,
  options: ValidateOptions = {},
): ResolvedKind | { error: string } {
  const group = groupOf(apiVersion);
  const version = versionOf(apiVersion);
  const sets = options.crdSets ?? CRD_SETS;
  const crd = loadCrds(CRD_SETS).find(
    c => c.spec.group === group && c.spec.names.kind === kind,
  );
  if (!crd) {
    return {
      error: `no CustomResourceDefinition defines kind "${kind}" in group "${group}" (CRD sets: ${CRD_SETS.join(
        ', ',
      )})`,
    };
  }
  const set = setOf(crd);
  if (!sets.includes(set)) {
    return {
      error: `kind "${kind}" in group "${group}" is defined by CRD set "${set}", which is not installed (installed: ${
        sets.join(', ') || 'none'
      })`,
    };
  }
  const served = crd.spec.versions.filter(v => v.served).map(v => v.name);
  const defined = crd.spec.versions.find(v => v.name === version);
  if (!defined) {
    return {
      error: `unknown version "${version}" of ${kind}: CRD ${
        crd.metadata.name
      } does not define it (served versions: ${served.join(', ')})`,
    };
  }
  if (!defined.served) {
    return {
      error: `version "${version}" of ${kind} is not served by CRD ${
        crd.metadata.name
      } (served: false; served versions: ${served.join(', ')})`,
    };
  }
  return {
    crd,
    set,
    version,
    namespaced: crd.spec.scope === 'Namespaced',
  };
}

const compiled = new Map<string, ValidateFunction>();

function validatorFor(resolved: ResolvedKind): ValidateFunction {
  const { crd, version } = resolved;
  const key = `${crd.spec.group}/${version}/${crd.spec.names.kind}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = crd.spec.versions.find(v => v.name === version)?.schema
      ?.openAPIV3Schema;
    if (!schema) {
      throw new Error(`CRD ${crd.metadata.name} has no schema for ${version}`);
    }
    const apiVersion = crd.spec.group
      ? `${crd.spec.group}/${version}`
      : version;
    validate = ajv().compile(
      rootSchema(schema, apiVersion, crd.spec.names.kind),
    );
    compiled.set(key, validate);
  }
  return validate;
}

/** `spec.containers[0].image` from a JSON pointer such as `/spec/containers/0/image`. */
function jsonPath(pointer: string, child?: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) segments.push(child);
  let out = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) {
      out += out ? `.${segment}` : segment;
    } else out += `[${JSON.stringify(segment)}]`;
  }
  return out || '(root)';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  const text = JSON.stringify(value);
  return `${typeof value} ${
    text.length > 60 ? `${text.slice(0, 57)}...` : text
  }`;
}

function formatAjvError(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, any>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${jsonPath(
        error.instancePath,
        params.additionalProperty,
      )}: unknown field (the schema neither declares nor preserves it)`;
    case 'required':
      return `${jsonPath(
        error.instancePath,
        params.missingProperty,
      )}: required field is missing`;
    case 'type':
      return `${jsonPath(error.instancePath)}: must be ${
        Array.isArray(params.type) ? params.type.join(' or ') : params.type
      }, got ${describe(error.data)}`;
    case 'enum':
      return `${jsonPath(error.instancePath)}: must be one of ${(
        params.allowedValues as unknown[]
      )
        .map(v => JSON.stringify(v))
        .join(', ')}, got ${describe(error.data)}`;
    case 'const':
      return `${jsonPath(error.instancePath)}: must be ${JSON.stringify(
        params.allowedValue,
      )}, got ${describe(error.data)}`;
    case 'propertyNames':
      return `${jsonPath(
        error.instancePath,
        params.propertyName,
      )}: invalid key`;
    case 'anyOf':
      // Each failing branch already reported why; the summary adds nothing.
      return error.instancePath === '/metadata'
        ? 'metadata.name: required field is missing (or metadata.generateName)'
        : `${jsonPath(error.instancePath)}: ${error.message}`;
    default:
      return `${jsonPath(error.instancePath)}: ${error.message}${
        error.keyword === 'format' ||
        error.keyword === 'pattern' ||
        error.keyword.endsWith('Length')
          ? `, got ${describe(error.data)}`
          : ''
      }`;
  }
}

function formatAjvErrors(errors: ErrorObject[] | null | undefined): string[] {
  const lines: string[] = [];
  for (const error of errors ?? []) {
    // The metadata name/generateName alternative reports each branch's `required` too.
    if (
      error.keyword === 'required' &&
      error.instancePath === '/metadata' &&
      error.schemaPath.includes('/anyOf/')
    ) {
      continue;
    }
    const line = formatAjvError(error);
    if (line && !lines.includes(line)) lines.push(line);
  }
  return lines;
}

function checkMetadata(
  obj: Record<string, any>,
  namespaced: boolean,
  kind: string,
): string[] {
  const errors: string[] = [];
  const metadata = obj.metadata;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) {
    return errors; // reported by the schema as a missing or mistyped field
  }
  const { name, namespace } = metadata;
  if (typeof name === 'string') {
    if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
      errors.push(
        `metadata.name: ${JSON.stringify(
          name,
        )} is not a DNS-1123 subdomain (lowercase alphanumerics, '-' and '.', starting and ending with an alphanumeric, at most 253 characters)`,
      );
    }
  }
  if (typeof namespace === 'string') {
    if (!namespaced) {
      errors.push(
        `metadata.namespace: not allowed on cluster-scoped kind ${kind}`,
      );
    } else if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) {
      errors.push(
        `metadata.namespace: ${JSON.stringify(
          namespace,
        )} is not a DNS-1123 label`,
      );
    }
  }
  return errors;
}

function preflight(
  obj: unknown,
): { object: Record<string, any> } | { errors: string[] } {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    return { errors: [`(root): must be an object, got ${describe(obj)}`] };
  }
  const object = obj as Record<string, any>;
  const errors: string[] = [];
  if (typeof object.apiVersion !== 'string' || !object.apiVersion) {
    errors.push('apiVersion: required field is missing');
  }
  if (typeof object.kind !== 'string' || !object.kind) {
    errors.push('kind: required field is missing');
  }
  return errors.length ? { errors } : { object };
}

/**
 * Validates a custom resource against the served version of its upstream CRD, with the API
 * server's structural-schema semantics (unknown fields are errors where the schema does not
 * preserve them). CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
export function validateObject(
  obj: unknown,
  options: ValidateOptions = {},
): ValidationResult {
  const pre = preflight(obj);
  if ('errors' in pre) return { valid: false, errors: pre.errors };
  const { object } = pre;
  const resolved = resolveServedVersion(
    object.apiVersion,
    object.kind,
    options,
  );
  if ('error' in resolved) {
    return {
      valid: false,
      errors: [`${object.apiVersion}, Kind=${object.kind}: ${resolved.error}`],
    };
  }
  const validate = validatorFor(resolved);
  const errors = validate(object) ? [] : formatAjvErrors(validate.errors);
  errors.push(...checkMetadata(object, resolved.namespaced, object.kind));
  return { valid: errors.length === 0, errors };
}

/**
 * Validates `obj` against a CRD version's `openAPIV3Schema` given directly, with the same
 * semantics as {@link validateObject}; compiled on every call, for CRDs outside `crds/`.
 */
export function validateAgainstSchema(
  obj: unknown,
  openAPIV3Schema: Record<string, unknown>,
  options: { namespaced?: boolean } = {},
): ValidationResult {
  const pre = preflight(obj);
  if ('errors' in pre) return { valid: false, errors: pre.errors };
  const { object } = pre;
  const validate = ajv().compile(
    rootSchema(openAPIV3Schema, object.apiVersion, object.kind),
  );
  const errors = validate(object) ? [] : formatAjvErrors(validate.errors);
  errors.push(
    ...checkMetadata(object, options.namespaced ?? true, object.kind),
  );
  return { valid: errors.length === 0, errors };
}

// --- Core kinds: only what the API server requires, enough to check fixtures. ---

const stringMap = (keyPattern?: string, valueFormat?: string): Schema => ({
  type: 'object',
  ...(keyPattern ? { propertyNames: { pattern: keyPattern } } : {}),
  additionalProperties: {
    type: 'string',
    ...(valueFormat ? { format: valueFormat } : {}),
  },
});
const DATA_KEY = '^[-._a-zA-Z0-9]+$';
const localObjectRefs: Schema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string' } },
  },
};

interface CoreKind {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  /** Top-level fields besides apiVersion, kind and metadata. */
  fields: Record<string, Schema>;
  required?: string[];
}

const CORE_KINDS: CoreKind[] = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    namespaced: false,
    fields: {
      spec: {
        type: 'object',
        additionalProperties: false,
        properties: {
          finalizers: { type: 'array', items: { type: 'string' } },
        },
      },
      status: {
        type: 'object',
        properties: {
          phase: { enum: ['Active', 'Terminating'] },
          conditions: { type: 'array' },
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespaced: true,
    fields: {
      data: stringMap(DATA_KEY),
      binaryData: stringMap(DATA_KEY, 'byte'),
      immutable: { type: 'boolean' },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    namespaced: true,
    fields: {
      type: { type: 'string', minLength: 1 },
      data: stringMap(DATA_KEY, 'byte'),
      stringData: stringMap(DATA_KEY),
      immutable: { type: 'boolean' },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    namespaced: true,
    fields: {
      secrets: localObjectRefs,
      imagePullSecrets: localObjectRefs,
      automountServiceAccountToken: { type: 'boolean' },
    },
  },
  {
    // core/v1 Event (what `kubectl describe` shows): the fields the API server requires and their types.
    apiVersion: 'v1',
    kind: 'Event',
    namespaced: true,
    required: ['involvedObject'],
    fields: {
      involvedObject: {
        type: 'object',
        required: ['kind', 'name'],
        additionalProperties: false,
        properties: Object.fromEntries(
          [
            'apiVersion',
            'kind',
            'name',
            'namespace',
            'uid',
            'resourceVersion',
            'fieldPath',
          ].map(f => [f, { type: 'string' }]),
        ),
      },
      reason: { type: 'string' },
      message: { type: 'string' },
      type: { enum: ['Normal', 'Warning'] },
      count: { type: 'integer', minimum: 1 },
      firstTimestamp: { type: 'string', format: 'date-time' },
      lastTimestamp: { type: 'string', format: 'date-time' },
      eventTime: { type: ['string', 'null'] },
      source: {
        type: 'object',
        additionalProperties: false,
        properties: { component: { type: 'string' }, host: { type: 'string' } },
      },
      reportingComponent: { type: 'string' },
      reportingInstance: { type: 'string' },
      action: { type: 'string' },
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespaced: true,
    required: ['spec'],
    fields: {
      spec: {
        type: 'object',
        required: ['selector', 'template'],
        properties: {
          replicas: { type: 'integer', format: 'int32', minimum: 0 },
          selector: {
            type: 'object',
            minProperties: 1,
            properties: {
              matchLabels: stringMap(QUALIFIED_NAME),
              matchExpressions: { type: 'array' },
            },
          },
          template: {
            type: 'object',
            required: ['spec'],
            properties: {
              metadata: objectMetaSchema({ requireName: false }),
              spec: {
                type: 'object',
                required: ['containers'],
                properties: {
                  containers: {
                    type: 'array',
                    minItems: 1,
                    items: {
                      type: 'object',
                      required: ['name', 'image'],
                      properties: {
                        name: { type: 'string', pattern: DNS1123_LABEL.source },
                        image: { type: 'string', minLength: 1 },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      status: {
        type: 'object',
        properties: Object.fromEntries(
          [
            'observedGeneration',
            'replicas',
            'updatedReplicas',
            'readyReplicas',
            'availableReplicas',
            'unavailableReplicas',
            'terminatingReplicas',
            'collisionCount',
          ].map(f => [f, { type: 'integer', minimum: 0 }]),
        ),
      },
    },
  },
];

const coreValidators = new Map<string, ValidateFunction>();

function coreValidator(core: CoreKind): ValidateFunction {
  const key = `${core.apiVersion}/${core.kind}`;
  let validate = coreValidators.get(key);
  if (!validate) {
    validate = ajv().compile({
      type: 'object',
      additionalProperties: false,
      required: ['apiVersion', 'kind', 'metadata', ...(core.required ?? [])],
      properties: {
        apiVersion: { const: core.apiVersion },
        kind: { const: core.kind },
        metadata: objectMetaSchema({ requireName: true }),
        ...core.fields,
      },
    });
    coreValidators.set(key, validate);
  }
  return validate;
}

/** The core kinds {@link validateCoreObject} knows, as `apiVersion, Kind`. */
export const CORE_KIND_NAMES = CORE_KINDS.map(
  k => `${k.apiVersion}, Kind=${k.kind}`,
);

/** Whether `apiVersion` belongs to a built-in API group rather than a CRD. */
export function isCoreApiVersion(apiVersion: string): boolean {
  const group = groupOf(apiVersion);
  return group === '' || group === 'apps';
}

/**
 * Validates the built-in kinds fixtures use (Namespace, ConfigMap, Secret, ServiceAccount, Event,
 * Deployment): required fields, field types and metadata, not the full built-in schemas.
 */
export function validateCoreObject(obj: unknown): ValidationResult {
  const pre = preflight(obj);
  if ('errors' in pre) return { valid: false, errors: pre.errors };
  const { object } = pre;
  const core = CORE_KINDS.find(
    k => k.apiVersion === object.apiVersion && k.kind === object.kind,
  );
  if (!core) {
    return {
      valid: false,
      errors: [
        `${object.apiVersion}, Kind=${
          object.kind
        }: not a core kind this validator knows (${CORE_KIND_NAMES.join(
          '; ',
        )})`,
      ],
    };
  }
  const validate = coreValidator(core);
  const errors = validate(object) ? [] : formatAjvErrors(validate.errors);
  errors.push(...checkMetadata(object, core.namespaced, core.kind));
  if (core.kind === 'Namespace' && typeof object.metadata?.name === 'string') {
    if (!DNS1123_LABEL.test(object.metadata.name)) {
      errors.push(
        `metadata.name: ${JSON.stringify(
          object.metadata.name,
        )} is not a DNS-1123 label`,
      );
    }
  }
  if (core.kind === 'Deployment') {
    // The API server rejects a Deployment whose selector does not select its own pods.
    const selector = object.spec?.selector?.matchLabels ?? {};
    const labels = object.spec?.template?.metadata?.labels ?? {};
    if (
      typeof selector === 'object' &&
      Object.entries(selector).some(([k, v]) => labels[k] !== v)
    ) {
      errors.push(
        'spec.template.metadata.labels: `selector` does not match template `labels`',
      );
    }
  }
  return { valid: errors.length === 0, errors };
}

/** Validates any object: built-in kinds with {@link validateCoreObject}, others against CRDs. */
export function validateAny(
  obj: unknown,
  options: ValidateOptions = {},
): ValidationResult {
  const pre = preflight(obj);
  if ('errors' in pre) return { valid: false, errors: pre.errors };
  return isCoreApiVersion(pre.object.apiVersion)
    ? validateCoreObject(pre.object)
    : validateObject(pre.object, options);
}

function describeObject(obj: unknown): string {
  const o = (obj && typeof obj === 'object' ? obj : {}) as Record<string, any>;
  const name = o.metadata?.name ?? o.metadata?.generateName ?? '<unnamed>';
  const namespace = o.metadata?.namespace;
  return `${o.apiVersion ?? '<no apiVersion>'} ${o.kind ?? '<no kind>'} ${
    namespace ? `${namespace}/` : ''
  }${name}`;
}

/** Throws an Error listing every problem when {@link validateAny} finds any. */
export function assertValidObject(
  obj: unknown,
  options: ValidateOptions = {},
): void {
  const { valid, errors } = validateAny(obj, options);
  if (!valid) {
    throw new Error(
      `Invalid ${describeObject(obj)}:\n${errors
        .map(e => `  - ${e}`)
        .join('\n')}`,
    );
  }
}
