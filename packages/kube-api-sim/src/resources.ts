import type { CustomResourceDefinition } from '@golden-gitops/crd-schemas';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

/** One resource served at one group/version. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** The resource has a `/status` subresource: writes to the main resource keep the old status and vice versa. */
  statusSubresource: boolean;
  /** Custom resources (from a CRD) differ from built-ins: no strategic merge patch, deletes return the object. */
  custom: boolean;
  /** Objects carry metadata.generation, bumped on spec changes. */
  hasGeneration: boolean;
  /** Updates must name a resourceVersion (custom resources disallow unconditional updates). */
  requiresResourceVersionOnUpdate: boolean;
  printerColumns: PrinterColumn[];
  /** The version objects are stored in, for multi-version CRDs. */
  storageVersion: string;
  /** The OpenAPI v3 schema of this version, when known. */
  schema?: Record<string, unknown>;
}

export const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export function storageKey(group: string, plural: string): string {
  return `${group}/${plural}`;
}

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function parseApiVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

function builtin(
  t: Omit<
    ResourceType,
    | 'listKind'
    | 'custom'
    | 'storageVersion'
    | 'requiresResourceVersionOnUpdate'
    | 'verbs'
    | 'categories'
  > &
    Partial<Pick<ResourceType, 'categories' | 'verbs'>>,
): ResourceType {
  return {
    ...t,
    listKind: `${t.kind}List`,
    custom: false,
    storageVersion: t.version,
    requiresResourceVersionOnUpdate: false,
    verbs: t.verbs ?? ALL_VERBS,
    categories: t.categories ?? [],
  };
}

/** The built-in kinds the simulator serves besides the CRDs. */
export const BUILTIN_TYPES: ResourceType[] = [
  builtin({
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    statusSubresource: true,
    hasGeneration: false,
    printerColumns: [
      { name: 'Status', type: 'string', jsonPath: '.status.phase' },
      age,
    ],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    statusSubresource: false,
    hasGeneration: false,
    printerColumns: [{ name: 'Data', type: 'integer', jsonPath: '.data' }, age],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    statusSubresource: false,
    hasGeneration: false,
    printerColumns: [age],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    shortNames: [],
    statusSubresource: false,
    hasGeneration: false,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.type' },
      { name: 'Data', type: 'integer', jsonPath: '.data' },
      age,
    ],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    statusSubresource: false,
    hasGeneration: false,
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.type' },
      { name: 'Reason', type: 'string', jsonPath: '.reason' },
      { name: 'Object', type: 'string', jsonPath: '.involvedObject.name' },
      { name: 'Message', type: 'string', jsonPath: '.message' },
    ],
  }),
  builtin({
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    statusSubresource: true,
    hasGeneration: true,
    printerColumns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.readyReplicas' },
      {
        name: 'Up-to-date',
        type: 'integer',
        jsonPath: '.status.updatedReplicas',
      },
      {
        name: 'Available',
        type: 'integer',
        jsonPath: '.status.availableReplicas',
      },
      age,
    ],
  }),
  builtin({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    statusSubresource: true,
    hasGeneration: true,
    printerColumns: [
      {
        name: 'Created At',
        type: 'date',
        jsonPath: '.metadata.creationTimestamp',
      },
    ],
  }),
];

/** The resource types a CRD serves, one per `served: true` version. */
export function typesFromCrd(crd: CustomResourceDefinition): ResourceType[] {
  const { group, names, scope, versions } = crd.spec;
  const storage =
    versions.find(v => v.storage)?.name ?? versions[0]?.name ?? 'v1';
  return versions
    .filter(v => v.served)
    .map(v => {
      const extra = v as typeof v & {
        additionalPrinterColumns?: PrinterColumn[];
      };
      return {
        group,
        version: v.name,
        plural: names.plural,
        singular: names.singular ?? names.kind.toLowerCase(),
        kind: names.kind,
        listKind: names.listKind ?? `${names.kind}List`,
        namespaced: scope === 'Namespaced',
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        verbs: ALL_VERBS,
        statusSubresource: !!v.subresources?.status,
        custom: true,
        hasGeneration: true,
        requiresResourceVersionOnUpdate: true,
        printerColumns: [
          ...(extra.additionalPrinterColumns ?? []),
          // The apiserver adds Age when a CRD defines no columns of its own.
          ...(extra.additionalPrinterColumns?.length ? [] : [age]),
        ],
        storageVersion: storage,
        schema: v.schema?.openAPIV3Schema,
      };
    });
}

/**
 * Orders versions as Kubernetes does (GA > beta > alpha, higher numbers first, others last alphabetically):
 * v1 > v1beta2 > v1beta1 > v1alpha1 > foo.
 */
export function compareKubeVersions(a: string, b: string): number {
  const re = /^v(\d+)(?:(alpha|beta)(\d+))?$/;
  const ma = re.exec(a);
  const mb = re.exec(b);
  if (!ma || !mb) {
    if (ma) return -1;
    if (mb) return 1;
    return a.localeCompare(b);
  }
  const stability: Record<string, number> = { alpha: 0, beta: 1 };
  const rank = (m: RegExpExecArray) =>
    m[2] === undefined ? 2 : stability[m[2]];
  if (rank(ma) !== rank(mb)) return rank(mb) - rank(ma);
  if (ma[1] !== mb[1]) return Number(mb[1]) - Number(ma[1]);
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

/** All types currently served, indexed for the router and for upsert(). */
export class ResourceRegistry {
  private byGv = new Map<string, ResourceType[]>();
  private byGvk = new Map<string, ResourceType>();
  private byGvr = new Map<string, ResourceType>();
  private byGroupKind = new Map<string, ResourceType[]>();

  constructor(types: ResourceType[]) {
    for (const t of types) {
      const gv = groupVersion(t.group, t.version);
      const list = this.byGv.get(gv) ?? [];
      list.push(t);
      this.byGv.set(gv, list);
      this.byGvk.set(`${gv}/${t.kind}`, t);
      this.byGvr.set(`${gv}/${t.plural}`, t);
      const gk = `${t.group}/${t.kind}`;
      this.byGroupKind.set(gk, [...(this.byGroupKind.get(gk) ?? []), t]);
    }
  }

  static build(crds: CustomResourceDefinition[]): ResourceRegistry {
    return new ResourceRegistry([
      ...BUILTIN_TYPES,
      ...crds.flatMap(c => typesFromCrd(c)),
    ]);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byGvk.get(`${apiVersion}/${kind}`);
  }

  byResource(
    group: string,
    version: string,
    plural: string,
  ): ResourceType | undefined {
    return this.byGvr.get(`${groupVersion(group, version)}/${plural}`);
  }

  /** The types served at a group/version, or undefined when it is not served. */
  groupVersionTypes(
    group: string,
    version: string,
  ): ResourceType[] | undefined {
    return this.byGv.get(groupVersion(group, version));
  }

  /** Every served version of a group/kind, preferred first. */
  versionsOfKind(group: string, kind: string): ResourceType[] {
    return [...(this.byGroupKind.get(`${group}/${kind}`) ?? [])].sort((a, b) =>
      compareKubeVersions(a.version, b.version),
    );
  }

  /** Served groups (core excluded) with their versions, preferred version first. */
  groups(): Array<{ name: string; versions: string[] }> {
    const groups = new Map<string, Set<string>>();
    for (const gv of this.byGv.keys()) {
      const { group, version } = parseApiVersion(gv);
      if (!group) continue;
      const set = groups.get(group) ?? new Set<string>();
      set.add(version);
      groups.set(group, set);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => groupOrder(a) - groupOrder(b) || a.localeCompare(b))
      .map(([name, versions]) => ({
        name,
        versions: [...versions].sort(compareKubeVersions),
      }));
  }

  all(): ResourceType[] {
    return [...this.byGvr.values()];
  }
}

// Built-in groups come first in the apiserver's group list, CRD groups after them.
function groupOrder(group: string): number {
  const builtins = ['apps', 'apiextensions.k8s.io'];
  return builtins.includes(group) ? builtins.indexOf(group) : builtins.length;
}

export function apiResource(t: ResourceType): Record<string, unknown> {
  return {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
    ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length ? { categories: t.categories } : {}),
  };
}

/** The APIResourceList for one group/version, with the `/status` subresources. */
export function apiResourceList(
  group: string,
  version: string,
  types: ResourceType[],
): Record<string, unknown> {
  const resources: Array<Record<string, unknown>> = [];
  for (const t of [...types].sort((a, b) => a.plural.localeCompare(b.plural))) {
    resources.push(apiResource(t));
    if (t.statusSubresource) {
      resources.push({
        name: `${t.plural}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources,
  };
}

export function apiGroup(g: {
  name: string;
  versions: string[];
}): Record<string, unknown> {
  const versions = g.versions.map(v => ({
    groupVersion: `${g.name}/${v}`,
    version: v,
  }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}
