import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { RELATION_DEPENDS_ON, parseEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { SummaryScope } from '@golden-gitops/plugin-gitops-secrets-common';
import {
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_NAMESPACES,
  KUBERNETES_CLUSTER_RESOURCE_TYPE,
  parseNamespacesAnnotation,
} from '@golden-gitops/plugin-gitops-secrets-common';

/** One cluster an entity maps to, and what part of it (no scope: the whole cluster). */
export interface EntityTarget {
  cluster: string;
  scope?: SummaryScope;
}

/** A cluster entity: a `kubernetes-cluster` Resource, or any entity naming a cluster by annotation. */
export function clusterNameOf(entity: Entity): string | undefined {
  const annotated =
    entity.metadata.annotations?.[ANNOTATION_CLUSTER_NAME]?.trim();
  if (annotated) return annotated;
  if (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    entity.spec?.type === KUBERNETES_CLUSTER_RESOURCE_TYPE
  ) {
    // Without the annotation the Resource's name is the cluster's name.
    return entity.metadata.name;
  }
  return undefined;
}

/** The part of a cluster a Component owns: its namespaces and/or its kubernetes-id label. */
export function scopeOf(entity: Entity): SummaryScope | undefined {
  const a = entity.metadata.annotations ?? {};
  const namespaces = parseNamespacesAnnotation(
    [a[ANNOTATION_NAMESPACES], a[ANNOTATION_KUBERNETES_NAMESPACE]]
      .filter(Boolean)
      .join(','),
  );
  const kubernetesId = a[ANNOTATION_KUBERNETES_ID]?.trim() || undefined;
  if (!namespaces.length && !kubernetesId) return undefined;
  const scope: SummaryScope = {};
  if (namespaces.length) scope.namespaces = namespaces;
  if (kubernetesId) scope.kubernetesId = kubernetesId;
  return scope;
}

/**
 * The clusters (and scopes) an entity maps to:
 * - a cluster entity → that whole cluster;
 * - an entity with a scope (namespaces / kubernetes-id) → that scope on every
 *   cluster entity it `dependsOn`, looked up with the caller's credentials;
 * - anything else → nothing.
 */
export async function resolveEntityTargets(
  entity: Entity,
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<EntityTarget[]> {
  const own = clusterNameOf(entity);
  if (own) return [{ cluster: own }];
  const scope = scopeOf(entity);
  if (!scope) return [];
  const refs = [
    ...new Set(
      (entity.relations ?? [])
        .filter(r => r.type === RELATION_DEPENDS_ON)
        .map(r => r.targetRef)
        .filter(ref => {
          try {
            return (
              parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'resource'
            );
          } catch {
            return false;
          }
        }),
    ),
  ];
  if (!refs.length) return [];
  const { items } = await catalog.getEntitiesByRefs(
    { entityRefs: refs },
    { credentials },
  );
  const clusters: string[] = [];
  for (const dep of items) {
    if (!dep) continue;
    const name = clusterNameOf(dep);
    if (name && !clusters.includes(name)) clusters.push(name);
  }
  return clusters.map(cluster => ({ cluster, scope }));
}
