/**
 * Lookups over one cluster's slim objects: an index, references, label
 * selectors, and recognising the ESO bootstrap chain. Pure.
 */

import {
  BOOTSTRAP_NAMES,
  ESO_GROUP,
  ESO_OPERATOR_APP_NAMES,
  LABEL_APP_NAME,
  LABEL_KUSTOMIZE_NAME,
  LABEL_KUSTOMIZE_NAMESPACE,
} from './annotations';
import type { ObjectRef } from './model';
import { WATCHED_KINDS, apiGroup } from './slim';
import type { SlimLabelSelector, SlimObject, SlimRef } from './slim';

/** @public */
export function refOf(obj: SlimObject): ObjectRef {
  const ref: ObjectRef = {
    kind: obj.kind,
    apiVersion: obj.apiVersion,
    name: obj.metadata.name,
  };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

/** `namespace/name`, or `name` for cluster-scoped objects. @public */
export function displayName(ref: { namespace?: string; name: string }): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

/** `Kind namespace/name`. @public */
export function describeRef(ref: {
  kind: string;
  namespace?: string;
  name: string;
}): string {
  return `${ref.kind} ${displayName(ref)}`;
}

/** Group of the kinds a reference may name, for kinds shared by name across groups. */
const SOURCE_GROUP = 'source.toolkit.fluxcd.io';

function key(
  group: string,
  kind: string,
  namespace: string | undefined,
  name: string,
): string {
  return `${group}|${kind}|${namespace ?? ''}|${name}`;
}

/** Every object of one cluster, indexed by group/kind/namespace/name. @public */
export class ObjectIndex {
  private readonly byKey = new Map<string, SlimObject>();
  private readonly byKind = new Map<string, SlimObject[]>();

  constructor(readonly objects: readonly SlimObject[]) {
    for (const obj of objects) {
      const group = apiGroup(obj.apiVersion);
      this.byKey.set(
        key(group, obj.kind, obj.metadata.namespace, obj.metadata.name),
        obj,
      );
      const kindKey = `${group}|${obj.kind}`;
      const list = this.byKind.get(kindKey);
      if (list) list.push(obj);
      else this.byKind.set(kindKey, [obj]);
    }
  }

  /** All objects of a kind in a group. */
  list(group: string, kind: string): SlimObject[] {
    return this.byKind.get(`${group}|${kind}`) ?? [];
  }

  get(
    group: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): SlimObject | undefined {
    return this.byKey.get(key(group, kind, namespace, name));
  }

  /**
   * Resolve a reference made from `from` (a sourceRef, dependsOn entry,
   * chartRef…): a missing namespace means the referrer's; a missing kind means
   * the referrer's kind; Flux source kinds live in the source group.
   */
  resolve(from: SlimObject, ref: SlimRef): SlimObject | undefined {
    const kind = ref.kind ?? from.kind;
    const namespace = ref.namespace ?? from.metadata.namespace;
    let group = apiGroup(from.apiVersion);
    if (ref.apiVersion) group = apiGroup(ref.apiVersion);
    else if (ref.kind && ref.kind !== from.kind) {
      group = groupForReferencedKind(ref.kind, group);
    }
    return this.get(group, kind, namespace, ref.name);
  }
}

function groupForReferencedKind(kind: string, fallback: string): string {
  if (
    [
      'GitRepository',
      'HelmRepository',
      'OCIRepository',
      'Bucket',
      'HelmChart',
      'ExternalArtifact',
    ].includes(kind)
  ) {
    return SOURCE_GROUP;
  }
  if (kind === 'SecretStore' || kind === 'ClusterSecretStore') return ESO_GROUP;
  if (kind === 'Kustomization') return 'kustomize.toolkit.fluxcd.io';
  if (kind === 'HelmRelease') return 'helm.toolkit.fluxcd.io';
  return fallback;
}

/** A reference to an object that may not exist, for findings and dependsOn lists. @public */
export function refFromSlimRef(from: SlimObject, ref: SlimRef): ObjectRef {
  const kind = ref.kind ?? from.kind;
  let apiVersion = ref.apiVersion;
  if (!apiVersion) {
    if (kind === from.kind) {
      apiVersion = from.apiVersion;
    } else {
      const group = groupForReferencedKind(kind, apiGroup(from.apiVersion));
      const watched = WATCHED_KINDS.find(
        k => k.kind === kind && k.group === group,
      );
      apiVersion = `${group}/${watched?.versions[0] ?? 'v1'}`;
    }
  }
  const out: ObjectRef = { kind, apiVersion, name: ref.name };
  const ns = ref.namespace ?? from.metadata.namespace;
  if (ns) out.namespace = ns;
  return out;
}

/**
 * Kubernetes label selector semantics. `emptyMatches` decides what `{}` means:
 * Kubernetes says "everything", ClusterResourceSet forbids it (treated as nothing).
 *
 * @public
 */
export function matchesSelector(
  selector: SlimLabelSelector | undefined,
  labels: Record<string, string> | undefined,
  emptyMatches = true,
): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (!matchLabels.length && !expressions.length) return emptyMatches;
  for (const [k, v] of matchLabels) {
    if (l[k] !== v) return false;
  }
  for (const e of expressions) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator Kubernetes would reject: match nothing rather than guess.
        return false;
    }
  }
  return true;
}

/** A CustomResourceDefinition of ESO (external-secrets.io or one of its sub-groups). @public */
export function isEsoCrd(obj: SlimObject): boolean {
  if (obj.kind !== 'CustomResourceDefinition') return false;
  const group =
    obj.spec?.group ??
    obj.metadata.name.slice(obj.metadata.name.indexOf('.') + 1);
  return group === ESO_GROUP || group.endsWith(`.${ESO_GROUP}`);
}

/** One of the ESO chart's Deployments (controller, webhook, cert-controller). @public */
export function isEsoOperatorDeployment(obj: SlimObject): boolean {
  if (obj.kind !== 'Deployment' || apiGroup(obj.apiVersion) !== 'apps')
    return false;
  const app = obj.metadata.labels?.[LABEL_APP_NAME];
  if (app) return (ESO_OPERATOR_APP_NAMES as readonly string[]).includes(app);
  return (
    obj.metadata.namespace === BOOTSTRAP_NAMES.operatorNamespace &&
    obj.metadata.name.startsWith('external-secrets')
  );
}

/** A HelmRelease installing ESO's chart. @public */
export function isEsoHelmRelease(obj: SlimObject): boolean {
  if (obj.kind !== 'HelmRelease') return false;
  return (
    obj.spec?.chart?.chart === BOOTSTRAP_NAMES.helmRelease ||
    obj.spec?.chartRef?.name === BOOTSTRAP_NAMES.helmRelease ||
    obj.metadata.name === BOOTSTRAP_NAMES.helmRelease
  );
}

/** The Flux Kustomization that applied an object, from kustomize-controller's labels. @public */
export function owningKustomization(
  index: ObjectIndex,
  obj: SlimObject,
): SlimObject | undefined {
  const name = obj.metadata.labels?.[LABEL_KUSTOMIZE_NAME];
  if (!name) return undefined;
  const ns =
    obj.metadata.labels?.[LABEL_KUSTOMIZE_NAMESPACE] ??
    BOOTSTRAP_NAMES.namespace;
  return index.get('kustomize.toolkit.fluxcd.io', 'Kustomization', ns, name);
}

/** The bootstrap Kustomization of this role, when present. @public */
export function bootstrapKustomization(
  index: ObjectIndex,
  role: 'crds' | 'operator' | 'crs',
): SlimObject | undefined {
  return index.get(
    'kustomize.toolkit.fluxcd.io',
    'Kustomization',
    BOOTSTRAP_NAMES.namespace,
    BOOTSTRAP_NAMES[role],
  );
}

/** Resolved dependsOn of a Kustomization/HelmRelease, each with its object when it exists. @public */
export function dependencies(
  index: ObjectIndex,
  obj: SlimObject,
): Array<{ ref: ObjectRef; obj?: SlimObject }> {
  return (obj.spec?.dependsOn ?? []).map(d => {
    const slimRef: SlimRef = { name: d.name, namespace: d.namespace };
    return {
      ref: refFromSlimRef(obj, slimRef),
      obj: index.resolve(obj, slimRef),
    };
  });
}

/** Flux Kustomizations and HelmReleases: the objects that apply things and may depend on each other. @public */
export function isFluxApplier(obj: SlimObject): boolean {
  const group = apiGroup(obj.apiVersion);
  return (
    (group === 'kustomize.toolkit.fluxcd.io' && obj.kind === 'Kustomization') ||
    (group === 'helm.toolkit.fluxcd.io' && obj.kind === 'HelmRelease')
  );
}
