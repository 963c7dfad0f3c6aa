import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { SummaryScope } from '@golden-gitops/plugin-gitops-secrets-common';
import {
  clusterNameOf,
  mapEntity,
} from '@golden-gitops/plugin-gitops-secrets-common';

/** One cluster an entity maps to, and what part of it (no scope: the whole cluster). */
export interface EntityTarget {
  cluster: string;
  scope?: SummaryScope;
}

/**
 * The clusters (and scopes) an entity maps to, by the one contract of `-common` (`mapEntity`):
 * - a `kubernetes-cluster` Resource → that whole cluster;
 * - a Component with a scope → that scope on every `kubernetes-cluster` Resource it `dependsOn`,
 *   looked up with the caller's credentials (a Resource the caller may not see in the catalog is no
 *   target);
 * - anything else → nothing.
 */
export async function resolveEntityTargets(
  entity: Entity,
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<EntityTarget[]> {
  const mapping = mapEntity(entity);
  if (mapping.type === 'cluster') return [{ cluster: mapping.cluster }];
  if (mapping.type === 'none') return [];
  const { items } = await catalog.getEntitiesByRefs(
    { entityRefs: mapping.clusterRefs },
    { credentials },
  );
  const clusters: string[] = [];
  for (const dep of items) {
    const name = dep ? clusterNameOf(dep) : undefined;
    if (name && !clusters.includes(name)) clusters.push(name);
  }
  return clusters.map(cluster => ({ cluster, scope: mapping.scope }));
}
