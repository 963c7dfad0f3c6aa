/**
 * The one contract for which clusters and namespaces a catalog entity maps to. The backend's entity
 * mapping, its permission filter and the card's `isGitopsSecretsAvailable` all call these functions,
 * so they cannot disagree. Typed structurally (this package does not depend on the catalog model):
 * a catalog `Entity` fits.
 */

import {
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_NAMESPACES,
  BOOTSTRAP_NAMES,
  KUBERNETES_CLUSTER_RESOURCE_TYPE,
  parseNamespacesAnnotation,
} from './annotations';
import type { SummaryScope } from './view';

/** What the mapping reads of a catalog entity (a catalog-model `Entity` is one). @public */
export interface MappableEntity {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
  };
  spec?: { [key: string]: unknown };
  relations?: Array<{ type: string; targetRef: string }>;
}

/**
 * Namespaces a Component's namespace annotations never grant: the cluster's own machinery (Kubernetes,
 * Flux, the ESO operator). What in them explains a Component's failures (the ESO bootstrap chain, the
 * sources and dependencies of its Flux objects) is still shown with the Component's status; the rest is
 * visible only through the cluster's `kubernetes-cluster` Resource. @public
 */
export const PROTECTED_NAMESPACES: readonly string[] = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  BOOTSTRAP_NAMES.namespace,
  BOOTSTRAP_NAMES.operatorNamespace,
];

/** @public */
export function isProtectedNamespace(namespace: string): boolean {
  return PROTECTED_NAMESPACES.includes(namespace);
}

/**
 * What an entity maps to:
 * - `cluster`: a `kubernetes-cluster` Resource: that whole cluster;
 * - `scoped`: a Component naming its namespaces and/or kubernetes-id: that part of every cluster
 *   Resource among `clusterRefs` (its `dependsOn` Resources; which of them are clusters only the
 *   catalog can say);
 * - `none`: nothing, with why.
 *
 * @public
 */
export type EntityClusterMapping =
  | { type: 'cluster'; cluster: string }
  | {
      type: 'scoped';
      scope: SummaryScope;
      /** Refs (`resource:<namespace>/<name>`) of the Resources the entity depends on. */
      clusterRefs: string[];
      /** Namespaces the annotations named that the scope leaves out ({@link PROTECTED_NAMESPACES}). */
      ignoredNamespaces: string[];
    }
  | { type: 'none'; reason: string };

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/** A `Resource` with `spec.type: kubernetes-cluster`: the only kind of entity that stands for a whole cluster. @public */
export function isClusterEntity(entity: MappableEntity): boolean {
  return (
    lower(entity.kind) === 'resource' &&
    entity.spec?.type === KUBERNETES_CLUSTER_RESOURCE_TYPE
  );
}

/**
 * The cluster a cluster entity stands for: its `gitops-secrets.io/cluster-name`, else its name.
 * On any other entity the annotation means nothing (undefined).
 *
 * @public
 */
export function clusterNameOf(entity: MappableEntity): string | undefined {
  if (!isClusterEntity(entity)) return undefined;
  return (
    entity.metadata.annotations?.[ANNOTATION_CLUSTER_NAME]?.trim() ||
    entity.metadata.name
  );
}

/** `kind:namespace/name` or `kind:name` (namespace from the entity) → a full ref; undefined when not a ref with a kind. */
function fullRef(ref: string, defaultNamespace: string): string | undefined {
  const m = /^([^:/]+):(?:([^:/]+)\/)?([^:/]+)$/.exec(ref.trim());
  if (!m) return undefined;
  return `${lower(m[1])}:${lower(m[2] ?? defaultNamespace)}/${lower(m[3])}`;
}

/** The Resources an entity depends on: its `dependsOn` relations, or before the catalog processed it, `spec.dependsOn`. */
function dependsOnResources(entity: MappableEntity): string[] {
  const ns = entity.metadata.namespace ?? 'default';
  const refs = new Set<string>();
  const add = (ref: string) => {
    const full = fullRef(ref, ns);
    if (full?.startsWith('resource:')) refs.add(full);
  };
  for (const r of entity.relations ?? []) {
    if (r.type === 'dependsOn') add(r.targetRef);
  }
  const spec = entity.spec?.dependsOn;
  if (Array.isArray(spec)) {
    for (const d of spec) if (typeof d === 'string') add(d);
  }
  return [...refs];
}

/** The entity's part of a cluster, from its annotations, leaving out protected namespaces. */
function scopeOf(entity: MappableEntity): {
  scope?: SummaryScope;
  ignoredNamespaces: string[];
} {
  const a = entity.metadata.annotations ?? {};
  const named = parseNamespacesAnnotation(
    [a[ANNOTATION_NAMESPACES], a[ANNOTATION_KUBERNETES_NAMESPACE]]
      .filter(Boolean)
      .join(','),
  );
  const namespaces = named.filter(ns => !isProtectedNamespace(ns));
  const ignoredNamespaces = named.filter(isProtectedNamespace);
  const kubernetesId = a[ANNOTATION_KUBERNETES_ID]?.trim() || undefined;
  if (!namespaces.length && !kubernetesId) return { ignoredNamespaces };
  const scope: SummaryScope = {};
  if (namespaces.length) scope.namespaces = namespaces;
  if (kubernetesId) scope.kubernetesId = kubernetesId;
  return { scope, ignoredNamespaces };
}

/**
 * Which clusters, and which part of them, an entity maps to. See {@link EntityClusterMapping}.
 *
 * @public
 */
export function mapEntity(entity: MappableEntity): EntityClusterMapping {
  const cluster = clusterNameOf(entity);
  if (cluster) return { type: 'cluster', cluster };
  if (lower(entity.kind) !== 'component') {
    return {
      type: 'none',
      reason:
        'only kubernetes-cluster Resources and Components map to clusters',
    };
  }
  const { scope, ignoredNamespaces } = scopeOf(entity);
  if (!scope) {
    return {
      type: 'none',
      reason: ignoredNamespaces.length
        ? `the namespaces it names (${ignoredNamespaces.join(
            ', ',
          )}) are the cluster's own and are shown only on the cluster's Resource`
        : `it names no namespaces (${ANNOTATION_NAMESPACES}, ${ANNOTATION_KUBERNETES_NAMESPACE}) and no ${ANNOTATION_KUBERNETES_ID}`,
    };
  }
  const clusterRefs = dependsOnResources(entity);
  if (!clusterRefs.length) {
    return { type: 'none', reason: 'it depends on no Resource' };
  }
  return { type: 'scoped', scope, clusterRefs, ignoredNamespaces };
}
