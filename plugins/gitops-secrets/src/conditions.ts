import {
  Entity,
  RELATION_DEPENDS_ON,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_NAMESPACES,
} from '@golden-gitops/plugin-gitops-secrets-common';

/** Annotation on a `kubernetes-cluster` Resource: its folder in the GitOps repository (the bootstrap template's `clusterPath`). @public */
export const ANNOTATION_CLUSTER_PATH = 'gitops-secrets.io/cluster-path';

/** Where the ESO bootstrap template lives in the scaffolder. @public */
export const BOOTSTRAP_TEMPLATE_PATH =
  '/create/templates/default/eso-flux-bootstrap';

/** Resources the entity depends on, from its relations or, before processing, its spec. */
function dependsOnResources(entity: Entity): string[] {
  const refs = new Set<string>();
  for (const r of entity.relations ?? []) {
    if (
      r.type === RELATION_DEPENDS_ON &&
      parseEntityRef(r.targetRef).kind.toLocaleLowerCase('en-US') === 'resource'
    ) {
      refs.add(r.targetRef);
    }
  }
  const specDeps = (entity.spec as { dependsOn?: unknown } | undefined)
    ?.dependsOn;
  if (Array.isArray(specDeps)) {
    for (const d of specDeps) {
      if (typeof d !== 'string') continue;
      try {
        const ref = parseEntityRef(d, {
          defaultNamespace: entity.metadata.namespace ?? 'default',
        });
        if (ref.kind.toLocaleLowerCase('en-US') === 'resource')
          refs.add(stringifyEntityRef(ref));
      } catch {
        // A ref without a kind is not a Resource; the catalog reports it.
      }
    }
  }
  return [...refs];
}

/**
 * Whether the entity has clusters to show: a Resource (or any entity) naming
 * its cluster with `gitops-secrets.io/cluster-name`, or a Component that
 * depends on a Resource and says which of the clusters' objects are its own
 * (`gitops-secrets.io/namespaces` or `backstage.io/kubernetes-id`).
 *
 * @public
 */
export function isGitopsSecretsAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  if (annotations[ANNOTATION_CLUSTER_NAME]?.trim()) return true;
  if (entity.kind.toLocaleLowerCase('en-US') !== 'component') return false;
  const scoped = Boolean(
    annotations[ANNOTATION_NAMESPACES]?.trim() ||
      annotations[ANNOTATION_KUBERNETES_ID]?.trim(),
  );
  return scoped && dependsOnResources(entity).length > 0;
}

/**
 * Link to the ESO bootstrap template, prefilled for a cluster: `clusterPath`
 * from the cluster Resource's `gitops-secrets.io/cluster-path`, `cluster` its
 * entity ref. On a Component, the cluster Resource is the dependency with the
 * cluster's name (its path is then left for the user to fill in).
 *
 * @public
 */
export function bootstrapTemplateLink(entity: Entity, cluster: string): string {
  const formData: { clusterPath?: string; cluster?: string } = {};
  const annotations = entity.metadata.annotations ?? {};
  if (annotations[ANNOTATION_CLUSTER_NAME] === cluster) {
    const path = annotations[ANNOTATION_CLUSTER_PATH]?.trim();
    if (path) formData.clusterPath = path;
    formData.cluster = stringifyEntityRef(entity);
  } else {
    const dep = dependsOnResources(entity).find(
      r => parseEntityRef(r).name === cluster,
    );
    if (dep) formData.cluster = dep;
  }
  return `${BOOTSTRAP_TEMPLATE_PATH}?formData=${encodeURIComponent(
    JSON.stringify(formData),
  )}`;
}
