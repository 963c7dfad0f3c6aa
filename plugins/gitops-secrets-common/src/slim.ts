/**
 * The cached shape of a watched object. A backend may keep tens of thousands of
 * these per cluster, so `slimObject` copies only what the status rules read —
 * and never `data`, `stringData`, or annotations such as
 * `kubectl.kubernetes.io/last-applied-configuration` that can embed them.
 */

import {
  ANNOTATION_CAPI_BOOTSTRAPPED,
  ANNOTATION_KUSTOMIZE_PRUNE,
  LABEL_APP_NAME,
  LABEL_APP_VERSION,
  LABEL_HELM_CHART,
  LABEL_HELM_NAME,
  LABEL_HELM_NAMESPACE,
  LABEL_KUBERNETES_ID,
  LABEL_KUSTOMIZE_NAME,
  LABEL_KUSTOMIZE_NAMESPACE,
  LABEL_SECRET_MANAGER,
} from './annotations';
import type { Condition, ConditionStatus } from './conditions';

/** @public */
export type WatchedKindFamily = 'flux' | 'eso' | 'capi' | 'core';

/** A kind the backend lists and watches on every cluster. @public */
export interface WatchedKind {
  /** `<plural>.<group>`, the CRD name; keys `servedVersions`. */
  key: string;
  group: string;
  kind: string;
  plural: string;
  /** Versions this package reads, preferred first. */
  versions: string[];
  /** Versions that older installs serve and current upstream no longer does. */
  removedVersions?: string[];
  namespaced: boolean;
  family: WatchedKindFamily;
  /** Narrow the watch: only this namespace. */
  namespace?: string;
  /** Narrow the watch: Kubernetes label selector. */
  labelSelector?: string;
  /** Narrow the watch: keep only objects whose metadata.name ends with this (applied by the backend after listing). */
  nameSuffix?: string;
}

function watched(
  group: string,
  kind: string,
  plural: string,
  family: WatchedKindFamily,
  versions: string[],
  opts: Partial<
    Pick<
      WatchedKind,
      'removedVersions' | 'namespace' | 'labelSelector' | 'nameSuffix'
    >
  > & { namespaced?: boolean } = {},
): WatchedKind {
  const { namespaced = true, ...rest } = opts;
  return {
    key: group ? `${plural}.${group}` : plural,
    group,
    kind,
    plural,
    versions,
    namespaced,
    family,
    ...rest,
  };
}

const FLUX_SOURCE = 'source.toolkit.fluxcd.io';
const ESO = 'external-secrets.io';
const CAPI = 'cluster.x-k8s.io';
const CAPI_ADDONS = 'addons.cluster.x-k8s.io';

/**
 * Every kind the backend watches. Secrets are deliberately absent: status is
 * read from the objects that produce Secrets, never from Secrets.
 *
 * @public
 */
export const WATCHED_KINDS: readonly WatchedKind[] = [
  watched(
    'kustomize.toolkit.fluxcd.io',
    'Kustomization',
    'kustomizations',
    'flux',
    ['v1'],
    {
      removedVersions: ['v1beta2', 'v1beta1'],
    },
  ),
  watched(
    'helm.toolkit.fluxcd.io',
    'HelmRelease',
    'helmreleases',
    'flux',
    ['v2'],
    {
      removedVersions: ['v2beta2', 'v2beta1'],
    },
  ),
  watched(FLUX_SOURCE, 'GitRepository', 'gitrepositories', 'flux', ['v1'], {
    removedVersions: ['v1beta2', 'v1beta1'],
  }),
  watched(FLUX_SOURCE, 'HelmRepository', 'helmrepositories', 'flux', ['v1'], {
    removedVersions: ['v1beta2', 'v1beta1'],
  }),
  watched(FLUX_SOURCE, 'OCIRepository', 'ocirepositories', 'flux', ['v1'], {
    removedVersions: ['v1beta2'],
  }),
  watched(ESO, 'ExternalSecret', 'externalsecrets', 'eso', ['v1'], {
    removedVersions: ['v1beta1', 'v1alpha1'],
  }),
  watched(ESO, 'SecretStore', 'secretstores', 'eso', ['v1'], {
    removedVersions: ['v1beta1', 'v1alpha1'],
  }),
  watched(ESO, 'ClusterSecretStore', 'clustersecretstores', 'eso', ['v1'], {
    removedVersions: ['v1beta1', 'v1alpha1'],
    namespaced: false,
  }),
  watched(
    ESO,
    'ClusterExternalSecret',
    'clusterexternalsecrets',
    'eso',
    ['v1'],
    {
      removedVersions: ['v1beta1'],
      namespaced: false,
    },
  ),
  // Only ESO's CRDs: their presence and version labels tell whether and which ESO is installed.
  watched(
    'apiextensions.k8s.io',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    'core',
    ['v1'],
    {
      namespaced: false,
      nameSuffix: `.${ESO}`,
    },
  ),
  // Only the operator's Deployments (the ESO chart labels them by component), in whatever namespace ESO runs.
  watched('apps', 'Deployment', 'deployments', 'core', ['v1'], {
    labelSelector:
      'app.kubernetes.io/name in (external-secrets,external-secrets-webhook,external-secrets-cert-controller)',
  }),
  watched('gitops.weave.works', 'GitopsCluster', 'gitopsclusters', 'capi', [
    'v1alpha1',
  ]),
  watched(CAPI, 'Cluster', 'clusters', 'capi', ['v1beta2', 'v1beta1']),
  watched(CAPI_ADDONS, 'ClusterResourceSet', 'clusterresourcesets', 'capi', [
    'v1beta2',
    'v1beta1',
  ]),
  watched(
    CAPI_ADDONS,
    'ClusterResourceSetBinding',
    'clusterresourcesetbindings',
    'capi',
    ['v1beta2', 'v1beta1'],
  ),
  watched(
    'capi.weave.works',
    'ClusterBootstrapConfig',
    'clusterbootstrapconfigs',
    'capi',
    ['v1alpha1'],
  ),
  // WGE's cluster and application templates, for the template picker (description and params only).
  // Both versions are served by current templates-controller releases; v1alpha1-only installs are read too.
  watched('capi.weave.works', 'CAPITemplate', 'capitemplates', 'capi', [
    'v1alpha2',
    'v1alpha1',
  ]),
  watched(
    'templates.weave.works',
    'GitOpsTemplate',
    'gitopstemplates',
    'capi',
    ['v1alpha2', 'v1alpha1'],
  ),
];

/** Group of an apiVersion (`''` for the core group). @public */
export function apiGroup(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Version part of an apiVersion. @public */
export function apiVersionOnly(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

/** The watched kind of an object or `(apiVersion, kind)` pair, by group and kind. @public */
export function findWatchedKind(
  apiVersion: string | undefined,
  kind: string | undefined,
): WatchedKind | undefined {
  const group = apiGroup(apiVersion);
  return WATCHED_KINDS.find(k => k.kind === kind && k.group === group);
}

/** The watched kind with this key. @public */
export function watchedKindByKey(key: string): WatchedKind | undefined {
  return WATCHED_KINDS.find(k => k.key === key);
}

/** @public */
export interface SlimRef {
  kind?: string;
  apiVersion?: string;
  name: string;
  namespace?: string;
}

/** A label selector as written in Kubernetes objects. @public */
export interface SlimLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: string;
    values?: string[];
  }>;
}

/** @public */
export interface SlimMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  /** All labels on CAPI/WGE clusters (selectors match them); elsewhere only {@link KEPT_LABELS}. */
  labels?: Record<string, string>;
  /** Only {@link KEPT_ANNOTATIONS}. */
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

/**
 * The spec fields the rules read, across all watched kinds. Each field is named
 * after its source; where the source is nested the comment says where.
 *
 * @public
 */
export interface SlimSpec {
  /** Flux objects. */
  suspend?: boolean;
  /** CAPI Cluster / ClusterResourceSet. */
  paused?: boolean;
  /** Kustomization, HelmRelease. */
  dependsOn?: Array<{ name: string; namespace?: string }>;
  interval?: string;
  retryInterval?: string;
  timeout?: string;
  /** ExternalSecret (for a ClusterExternalSecret: from spec.externalSecretSpec). */
  refreshInterval?: string;
  /** ExternalSecret: Periodic (default), OnChange, CreatedOnce. */
  refreshPolicy?: string;
  secretStoreRef?: { kind?: string; name: string };
  /** Only target.name. */
  target?: { name?: string };
  /** ClusterExternalSecret. */
  externalSecretName?: string;
  /** Kustomization, HelmRelease (spec.chart.spec.sourceRef is in chart.sourceRef). */
  sourceRef?: SlimRef;
  targetNamespace?: string;
  /** HelmRelease spec.chart.spec. */
  chart?: { chart?: string; version?: string; sourceRef?: SlimRef };
  /** HelmRelease spec.chartRef (an OCIRepository or HelmChart). */
  chartRef?: SlimRef;
  releaseName?: string;
  /** HelmRelease: only values.installCRDs. */
  values?: { installCRDs?: boolean };
  /** Kustomization. */
  path?: string;
  prune?: boolean;
  wait?: boolean;
  healthChecks?: SlimRef[];
  /** GitRepository / OCIRepository. */
  ref?: {
    tag?: string;
    branch?: string;
    semver?: string;
    commit?: string;
    digest?: string;
    name?: string;
  };
  url?: string;
  /** HelmRepository (`oci` is in maintenance mode). */
  type?: string;
  /** ClusterResourceSet, ClusterBootstrapConfig. */
  clusterSelector?: SlimLabelSelector;
  /** ClusterResourceSet spec.resources. */
  resources?: Array<{ kind: string; name: string }>;
  /** ClusterResourceSetBinding (names only, never the manifests). */
  clusterName?: string;
  bindings?: Array<{
    clusterResourceSetName: string;
    resources: Array<{ kind: string; name: string; applied?: boolean }>;
  }>;
  /** ClusterBootstrapConfig. */
  requireClusterReady?: boolean;
  requireClusterProvisioned?: boolean;
  /** GitopsCluster. */
  capiClusterRef?: { name: string };
  secretRef?: { name: string };
  /** CAPITemplate, GitOpsTemplate: what the template is for. */
  description?: string;
  /** CAPITemplate, GitOpsTemplate: the declared parameters (never spec.resourcetemplates). */
  params?: SlimTemplateParam[];
  /** SecretStore/ClusterSecretStore: which key of spec.provider is set. */
  provider?: string;
  /** Deployment, KubeadmControlPlane-like objects. */
  replicas?: number;
  /** CustomResourceDefinition spec.group / names.kind / versions (schemas dropped). */
  group?: string;
  names?: { kind?: string; plural?: string };
  versions?: Array<{
    name: string;
    served: boolean;
    storage: boolean;
    deprecated?: boolean;
  }>;
}

/**
 * One `spec.params` entry of a WGE CAPITemplate or GitOpsTemplate. `required` is as written: the CRD
 * defaults it to true, so an absent value means required.
 *
 * @public
 */
export interface SlimTemplateParam {
  name: string;
  description?: string;
  required?: boolean;
  options?: string[];
  default?: string;
}

/** @public */
export interface SlimStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  artifact?: { revision?: string };
  /** ExternalSecret. */
  refreshTime?: string;
  /** Deployment. */
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  replicas?: number;
  /** CAPI Cluster. */
  phase?: string;
  /** CAPI v1beta1 Cluster. */
  infrastructureReady?: boolean;
  controlPlaneReady?: boolean;
  failureReason?: string;
  failureMessage?: string;
  /** CAPI v1beta2 Cluster. */
  initialization?: {
    infrastructureProvisioned?: boolean;
    controlPlaneInitialized?: boolean;
  };
  /** HelmRelease: the latest entry, and the newest `deployed` one when that is older (what runs after a failed upgrade). */
  history?: Array<{
    chartName?: string;
    chartVersion?: string;
    appVersion?: string;
    status?: string;
  }>;
  /** ClusterExternalSecret. */
  provisionedNamespaces?: string[];
  failedNamespaces?: Array<{ namespace: string; reason?: string }>;
  /** CustomResourceDefinition. */
  storedVersions?: string[];
}

/** @public */
export interface SlimObject {
  apiVersion: string;
  kind: string;
  metadata: SlimMetadata;
  spec?: SlimSpec;
  status?: SlimStatus;
}

/** Labels kept on every object. @public */
export const KEPT_LABELS: readonly string[] = [
  LABEL_KUBERNETES_ID,
  LABEL_APP_NAME,
  LABEL_APP_VERSION,
  LABEL_HELM_CHART,
  LABEL_KUSTOMIZE_NAME,
  LABEL_KUSTOMIZE_NAMESPACE,
  LABEL_HELM_NAME,
  LABEL_HELM_NAMESPACE,
  LABEL_SECRET_MANAGER,
];

/** Annotations kept on every object. @public */
export const KEPT_ANNOTATIONS: readonly string[] = [
  ANNOTATION_CAPI_BOOTSTRAPPED,
  ANNOTATION_KUSTOMIZE_PRUNE,
];

/** Kinds whose labels are matched by selectors, so all their labels are kept. */
const ALL_LABEL_KINDS = new Set(['Cluster', 'GitopsCluster']);

/** WGE template kinds, whose description and params are kept. */
const TEMPLATE_KINDS = new Set(['CAPITemplate', 'GitOpsTemplate']);

/** Longest template or parameter description kept (they are free text written by people). */
const MAX_DESCRIPTION_LENGTH = 2048;

/** Condition messages can list every object of a Kustomization; the rules only need the start. */
const MAX_MESSAGE_LENGTH = 4096;

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Rec)
    : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}
function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}
function strArr(v: unknown): string[] | undefined {
  const a = arr(v);
  return a ? a.filter((x): x is string => typeof x === 'string') : undefined;
}

/** Drop keys whose value is undefined, and return undefined for an empty object. */
function compact<T extends object>(o: T): T | undefined {
  const out: Rec = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined) out[k] = v;
  }
  return Object.keys(out).length ? (out as T) : undefined;
}

function pickStrings(
  source: unknown,
  keep: (key: string) => boolean,
): Record<string, string> | undefined {
  const r = rec(source);
  if (!r) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'string' && keep(k)) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

function slimRef(v: unknown): SlimRef | undefined {
  const r = rec(v);
  const name = str(r?.name);
  if (!r || name === undefined) return undefined;
  return compact({
    kind: str(r.kind),
    apiVersion: str(r.apiVersion),
    name,
    namespace: str(r.namespace),
  }) as SlimRef;
}

function slimSelector(v: unknown): SlimLabelSelector | undefined {
  const r = rec(v);
  if (!r) return undefined;
  const expressions = arr(r.matchExpressions)
    ?.map(e => {
      const er = rec(e);
      const key = str(er?.key);
      const operator = str(er?.operator);
      if (!er || key === undefined || operator === undefined) return undefined;
      return compact({ key, operator, values: strArr(er.values) }) as {
        key: string;
        operator: string;
        values?: string[];
      };
    })
    .filter(<T>(x: T | undefined): x is T => x !== undefined);
  // An empty selector is meaningful (match all / none depending on the kind), so keep `{}`.
  return {
    ...(rec(r.matchLabels)
      ? { matchLabels: pickStrings(r.matchLabels, () => true) ?? {} }
      : {}),
    ...(expressions?.length ? { matchExpressions: expressions } : {}),
  };
}

function slimParams(v: unknown): SlimTemplateParam[] | undefined {
  return arr(v)
    ?.map(p => {
      const pr = rec(p);
      const name = str(pr?.name);
      if (!pr || !name) return undefined;
      return compact({
        name,
        description: cut(str(pr.description), MAX_DESCRIPTION_LENGTH),
        required: bool(pr.required),
        options: strArr(pr.options),
        default: str(pr.default),
      }) as SlimTemplateParam;
    })
    .filter(<T>(x: T | undefined): x is T => x !== undefined);
}

const CONDITION_STATUSES = new Set(['True', 'False', 'Unknown']);

function cut(v: string | undefined, max: number): string | undefined {
  return v && v.length > max ? `${v.slice(0, max)}…` : v;
}

function slimConditions(v: unknown): Condition[] | undefined {
  const list = arr(v);
  if (!list) return undefined;
  const out: Condition[] = [];
  for (const item of list) {
    const c = rec(item);
    const type = str(c?.type);
    const status = str(c?.status);
    if (!c || !type || !status || !CONDITION_STATUSES.has(status)) continue;
    const message = str(c.message);
    out.push(
      compact({
        type,
        status: status as ConditionStatus,
        reason: str(c.reason),
        message:
          message && message.length > MAX_MESSAGE_LENGTH
            ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…`
            : message,
        lastTransitionTime: str(c.lastTransitionTime),
        observedGeneration: num(c.observedGeneration),
      }) as Condition,
    );
  }
  return out;
}

function slimMetadata(kind: string, v: unknown): SlimMetadata {
  const m = rec(v) ?? {};
  const keepAllLabels = ALL_LABEL_KINDS.has(kind);
  return compact({
    name: str(m.name) ?? '',
    namespace: str(m.namespace),
    uid: str(m.uid),
    generation: num(m.generation),
    labels: pickStrings(
      m.labels,
      k => keepAllLabels || KEPT_LABELS.includes(k),
    ),
    annotations: pickStrings(m.annotations, k => KEPT_ANNOTATIONS.includes(k)),
    creationTimestamp: str(m.creationTimestamp),
    deletionTimestamp: str(m.deletionTimestamp),
  }) as SlimMetadata;
}

function slimSpec(kind: string, v: unknown): SlimSpec | undefined {
  const s = rec(v);
  if (!s) return undefined;
  // ClusterExternalSecret nests an ExternalSecret spec; lift the few fields we read.
  const es =
    kind === 'ClusterExternalSecret' ? rec(s.externalSecretSpec) ?? {} : s;
  const chartSpec = rec(rec(s.chart)?.spec);
  const ref = rec(s.ref);
  const provider = rec(s.provider);
  const isCrd = kind === 'CustomResourceDefinition';
  const names = isCrd ? rec(s.names) : undefined;
  return compact<SlimSpec>({
    suspend: bool(s.suspend),
    paused: bool(s.paused),
    dependsOn: arr(s.dependsOn)
      ?.map(d => {
        const dr = rec(d);
        const name = str(dr?.name);
        return name === undefined
          ? undefined
          : (compact({ name, namespace: str(dr?.namespace) }) as {
              name: string;
              namespace?: string;
            });
      })
      .filter(<T>(x: T | undefined): x is T => x !== undefined),
    interval: str(s.interval),
    retryInterval: str(s.retryInterval),
    timeout: str(s.timeout),
    refreshInterval: str(es.refreshInterval),
    refreshPolicy: str(es.refreshPolicy),
    secretStoreRef: slimRef(es.secretStoreRef) as SlimSpec['secretStoreRef'],
    target: (() => {
      const t = rec(es.target);
      if (!t) return undefined;
      return { ...(str(t.name) !== undefined ? { name: str(t.name) } : {}) };
    })(),
    externalSecretName: str(s.externalSecretName),
    sourceRef: slimRef(s.sourceRef),
    targetNamespace: str(s.targetNamespace),
    chart: chartSpec
      ? compact({
          chart: str(chartSpec.chart),
          version: str(chartSpec.version),
          sourceRef: slimRef(chartSpec.sourceRef),
        }) ?? {}
      : undefined,
    chartRef: slimRef(s.chartRef),
    releaseName: str(s.releaseName),
    values: (() => {
      const installCRDs = bool(rec(s.values)?.installCRDs);
      return installCRDs === undefined ? undefined : { installCRDs };
    })(),
    path: str(s.path),
    prune: bool(s.prune),
    wait: bool(s.wait),
    healthChecks: arr(s.healthChecks)
      ?.map(slimRef)
      .filter((x): x is SlimRef => x !== undefined),
    ref: ref
      ? compact({
          tag: str(ref.tag),
          branch: str(ref.branch),
          semver: str(ref.semver),
          commit: str(ref.commit),
          digest: str(ref.digest),
          name: str(ref.name),
        }) ?? {}
      : undefined,
    url: str(s.url),
    type: str(s.type),
    clusterSelector: slimSelector(s.clusterSelector),
    // Only ClusterResourceSet has spec.resources among the watched kinds that we read it from.
    resources:
      kind === 'ClusterResourceSet'
        ? arr(s.resources)
            ?.map(r => {
              const rr = rec(r);
              const k = str(rr?.kind);
              const n = str(rr?.name);
              return k && n ? { kind: k, name: n } : undefined;
            })
            .filter(<T>(x: T | undefined): x is T => x !== undefined)
        : undefined,
    clusterName: str(s.clusterName),
    bindings: arr(s.bindings)
      ?.map(b => {
        const br = rec(b);
        const crs = str(br?.clusterResourceSetName);
        if (!br || !crs) return undefined;
        return {
          clusterResourceSetName: crs,
          resources: (arr(br.resources) ?? [])
            .map(r => {
              const rr = rec(r);
              const k = str(rr?.kind);
              const n = str(rr?.name);
              if (!k || !n) return undefined;
              return compact({
                kind: k,
                name: n,
                applied: bool(rr?.applied),
              }) as {
                kind: string;
                name: string;
                applied?: boolean;
              };
            })
            .filter(<T>(x: T | undefined): x is T => x !== undefined),
        };
      })
      .filter(<T>(x: T | undefined): x is T => x !== undefined),
    requireClusterReady: bool(s.requireClusterReady),
    requireClusterProvisioned: bool(s.requireClusterProvisioned),
    capiClusterRef: (() => {
      const name = str(rec(s.capiClusterRef)?.name);
      return name === undefined ? undefined : { name };
    })(),
    secretRef:
      kind === 'GitopsCluster'
        ? (() => {
            const name = str(rec(s.secretRef)?.name);
            return name === undefined ? undefined : { name };
          })()
        : undefined,
    description: TEMPLATE_KINDS.has(kind)
      ? cut(str(s.description), MAX_DESCRIPTION_LENGTH)
      : undefined,
    params: TEMPLATE_KINDS.has(kind) ? slimParams(s.params) : undefined,
    provider: provider
      ? Object.keys(provider).find(k => rec(provider[k]))
      : undefined,
    replicas: num(s.replicas),
    group: isCrd ? str(s.group) : undefined,
    names: names
      ? compact({ kind: str(names.kind), plural: str(names.plural) })
      : undefined,
    versions: isCrd
      ? arr(s.versions)
          ?.map(v2 => {
            const vr = rec(v2);
            const name = str(vr?.name);
            if (!vr || !name) return undefined;
            return compact({
              name,
              served: bool(vr.served) ?? false,
              storage: bool(vr.storage) ?? false,
              deprecated: bool(vr.deprecated),
            }) as {
              name: string;
              served: boolean;
              storage: boolean;
              deprecated?: boolean;
            };
          })
          .filter(<T>(x: T | undefined): x is T => x !== undefined)
      : undefined,
  });
}

function slimStatus(v: unknown): SlimStatus | undefined {
  const s = rec(v);
  if (!s) return undefined;
  const history = arr(s.history);
  const latest = rec(history?.[0]);
  const deployed =
    latest && str(latest.status) !== 'deployed'
      ? history!.map(rec).find(h => str(h?.status) === 'deployed')
      : undefined;
  const init = rec(s.initialization);
  return compact<SlimStatus>({
    conditions: slimConditions(s.conditions),
    observedGeneration: num(s.observedGeneration),
    lastAppliedRevision: str(s.lastAppliedRevision),
    lastAttemptedRevision: str(s.lastAttemptedRevision),
    artifact: (() => {
      const revision = str(rec(s.artifact)?.revision);
      return revision === undefined ? undefined : { revision };
    })(),
    refreshTime: str(s.refreshTime),
    readyReplicas: num(s.readyReplicas),
    availableReplicas: num(s.availableReplicas),
    updatedReplicas: num(s.updatedReplicas),
    replicas: num(s.replicas),
    phase: str(s.phase),
    infrastructureReady: bool(s.infrastructureReady),
    controlPlaneReady: bool(s.controlPlaneReady),
    failureReason: str(s.failureReason),
    failureMessage: str(s.failureMessage),
    initialization: init
      ? compact({
          infrastructureProvisioned: bool(init.infrastructureProvisioned),
          controlPlaneInitialized: bool(init.controlPlaneInitialized),
        }) ?? {}
      : undefined,
    history: latest
      ? [latest, ...(deployed ? [deployed] : [])].map(
          h =>
            compact({
              chartName: str(h.chartName),
              chartVersion: str(h.chartVersion),
              appVersion: str(h.appVersion),
              status: str(h.status),
            }) ?? {},
        )
      : undefined,
    provisionedNamespaces: strArr(s.provisionedNamespaces),
    failedNamespaces: arr(s.failedNamespaces)
      ?.map(f => {
        const fr = rec(f);
        const namespace = str(fr?.namespace);
        return namespace === undefined
          ? undefined
          : (compact({ namespace, reason: str(fr?.reason) }) as {
              namespace: string;
              reason?: string;
            });
      })
      .filter(<T>(x: T | undefined): x is T => x !== undefined),
    storedVersions: strArr(s.storedVersions),
  });
}

/**
 * Copy from a raw Kubernetes object only the fields the status rules read.
 * Total: anything that is not an object yields an object with empty names.
 *
 * @public
 */
export function slimObject(raw: unknown): SlimObject {
  const r = rec(raw) ?? {};
  const kind = str(r.kind) ?? '';
  const out: SlimObject = {
    apiVersion: str(r.apiVersion) ?? '',
    kind,
    metadata: slimMetadata(kind, r.metadata) ?? { name: '' },
  };
  const spec = slimSpec(kind, r.spec);
  // ESO writes an ExternalSecret's Secret under the ExternalSecret's own name unless target.name says otherwise:
  // kept only when it does (readers default to metadata.name), which spares an object and a string on most of them.
  if (
    kind === 'ExternalSecret' &&
    spec?.target &&
    (spec.target.name === undefined || spec.target.name === out.metadata.name)
  ) {
    delete spec.target;
  }
  if (spec) out.spec = spec;
  const status = slimStatus(r.status);
  if (status) out.status = status;
  return out;
}
