/** Which entries of a list to keep when it is cut (not exported from the package). */

import { HEALTH_PRIORITY } from './conditions';
import type { Health } from './model';

/** Order in which entries are kept when a list is cut: worst health first, stale secrets before healthy ones. */
function keepRank(item: { health: Health; stale?: boolean }): number {
  const h = HEALTH_PRIORITY.indexOf(item.health);
  // Between Unknown (2) and Healthy (3): a stale secret is Healthy but worth showing.
  return item.stale && item.health === 'Healthy' ? 2.5 : h;
}

/**
 * The `limit` most important entries of a list, in their original order.
 * The list is returned as is when it is short enough.
 */
export function keepMostImportant<
  T extends { health: Health; stale?: boolean },
>(list: T[], limit: number): T[] {
  if (list.length <= limit) return list;
  const ranked = list
    .map((item, i) => ({ i, rank: keepRank(item) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .slice(0, limit)
    .map(x => x.i)
    .sort((a, b) => a - b);
  return ranked.map(i => list[i]);
}
