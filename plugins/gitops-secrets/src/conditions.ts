import {
  Entity,
  RELATION_DEPENDS_ON,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ANNOTATION_CLUSTER_NAME,
  mapEntity,
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
 * Whether the entity has clusters to show, by the contract the backend maps entities with (`mapEntity` of
 * `-common`): a `kubernetes-cluster` Resource, or a Component that names its namespaces (other than the
 * cluster's own, such as `flux-system`) or its `backstage.io/kubernetes-id` and depends on a Resource.
 * Whether that Resource is a cluster only the catalog knows: the card then shows that no cluster was found.
 *
 * @public
 */
export function isGitopsSecretsAvailable(entity: Entity): boolean {
  return mapEntity(entity).type !== 'none';
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
