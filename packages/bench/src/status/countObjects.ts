/*
 * How many objects the watched kinds hold across the fleet: for each path our plugin watches, the simulator's list
 * size (`limit=1` + `remainingItemCount`). CRDs and Deployments are narrowed as the plugin narrows them (ESO's CRDs,
 * the operator's Deployments), by listing them whole.
 */
import { simAdmin, SimClusterInfo } from '../util/simAdmin';

export async function countObjects(
  clusters: SimClusterInfo[],
  watchedPaths: string[],
): Promise<{ total: number; byKind: Record<string, number> }> {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const c of clusters) {
    for (const p of watchedPaths) {
      const kind = p.split('/').pop()!;
      let n: number;
      if (kind === 'customresourcedefinitions') {
        const list = await simAdmin.get(c, p);
        n = list.items.filter((o: any) =>
          o.metadata.name.endsWith('.external-secrets.io'),
        ).length;
      } else if (kind === 'deployments') {
        const list = await simAdmin.get(c, p);
        n = list.items.length;
      } else {
        const list = await simAdmin.get(c, `${p}?limit=1`);
        n = list.items.length + (list.metadata?.remainingItemCount ?? 0);
      }
      byKind[kind] = (byKind[kind] ?? 0) + n;
      total += n;
    }
  }
  return { total, byKind };
}
