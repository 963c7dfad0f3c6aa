/**
 * Keeping responses small: cut a ClusterStatus's lists to a limit (problems
 * first), and serve any list page by page. Pure, like the rest of the model.
 */

import type {
  ClusterStatus,
  Health,
  ObjectListItems,
  ObjectListKind,
  ObjectPage,
  ObjectRef,
} from './model';
import { keepMostImportant } from './keep';
import { clusterTallies } from './tallies';

/**
 * Cut each list of a status (Flux objects, stores, ExternalSecrets, leaf
 * clusters) to `limit` entries, keeping failing ones first, and say so in
 * `truncated`, with the totals and the chain's tallies of the whole lists. Counts (`eso.counts`) and findings are
 * untouched. Returns the
 * same object when nothing needs cutting.
 *
 * @public
 */
export function limitClusterStatus(
  status: ClusterStatus,
  limit: number,
): ClusterStatus {
  const n = Math.max(0, Math.floor(limit));
  const totals = {
    fluxObjects: status.flux.objects.length,
    externalSecrets: status.eso?.externalSecrets.length ?? 0,
    stores: status.eso?.stores.length ?? 0,
    leafClusters: status.leafClusters.length,
  };
  if (Object.values(totals).every(t => t <= n)) return status;
  const out: ClusterStatus = {
    ...status,
    flux: { objects: keepMostImportant(status.flux.objects, n) },
    leafClusters: keepMostImportant(status.leafClusters, n),
    truncated: { limit: n, totals, tallies: clusterTallies(status) },
  };
  if (status.eso) {
    out.eso = {
      ...status.eso,
      stores: keepMostImportant(status.eso.stores, n),
      externalSecrets: keepMostImportant(status.eso.externalSecrets, n),
    };
  }
  return out;
}

/** @public */
export interface ObjectPageQuery {
  offset?: number;
  limit?: number;
  /** Case-insensitive text matched against `namespace/name` (and an ExternalSecret's store and target Secret). */
  q?: string;
  /** Keep only entries with one of these healths. */
  health?: Health[];
}

function listOf<K extends ObjectListKind>(
  status: ClusterStatus,
  kind: K,
): Array<ObjectListItems[K]> {
  const lists: { [P in ObjectListKind]: Array<ObjectListItems[P]> } = {
    externalsecrets: status.eso?.externalSecrets ?? [],
    flux: status.flux.objects,
    stores: status.eso?.stores ?? [],
    leafclusters: status.leafClusters,
  };
  return lists[kind];
}

function searchText(item: ObjectListItems[ObjectListKind]): string {
  if ('ref' in item) {
    const ref: ObjectRef = item.ref;
    const parts = [ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name];
    parts.push(ref.kind);
    if ('store' in item) parts.push(item.store.name, item.targetSecret);
    return parts.join(' ').toLowerCase();
  }
  return `${item.namespace}/${item.name}`.toLowerCase();
}

/**
 * One page of a list of a (full, not truncated) status, filtered by `q` and
 * `health`. `limit` defaults to 50; the caller bounds it.
 *
 * @public
 */
export function pageObjects<K extends ObjectListKind>(
  status: ClusterStatus,
  kind: K,
  query: ObjectPageQuery = {},
): ObjectPage<K> {
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  const limit = Math.max(0, Math.floor(query.limit ?? 50));
  const q = query.q?.trim().toLowerCase();
  const healths = query.health?.length ? new Set(query.health) : undefined;
  let items = listOf(status, kind);
  if (q || healths) {
    items = items.filter(
      item =>
        (!healths || healths.has(item.health)) &&
        (!q || searchText(item).includes(q)),
    );
  }
  const page: ObjectPage<K> = {
    cluster: status.cluster,
    kind,
    total: items.length,
    offset,
    limit,
    items: items.slice(offset, offset + limit),
  };
  if (status.error) page.error = status.error;
  return page;
}
