import { ObjectIndex, matchesSelector } from '../objects';
import type { SlimObject } from '../slim';

/** ClusterResourceSets selecting a CAPI Cluster, and whether each applied all its resources to it. @public */
export function clusterResourceSetsFor(
  index: ObjectIndex,
  cluster: SlimObject,
): Array<{ crs: SlimObject; applied: boolean }> {
  const ns = cluster.metadata.namespace;
  const sets = index
    .list('addons.cluster.x-k8s.io', 'ClusterResourceSet')
    .filter(
      crs =>
        crs.metadata.namespace === ns &&
        matchesSelector(
          crs.spec?.clusterSelector,
          cluster.metadata.labels,
          false,
        ),
    );
  const bindings = index
    .list('addons.cluster.x-k8s.io', 'ClusterResourceSetBinding')
    .filter(
      b =>
        b.metadata.namespace === ns &&
        (b.spec?.clusterName ?? b.metadata.name) === cluster.metadata.name,
    );
  return sets.map(crs => {
    const entry = bindings
      .flatMap(b => b.spec?.bindings ?? [])
      .find(e => e.clusterResourceSetName === crs.metadata.name);
    const wanted = crs.spec?.resources ?? [];
    const applied =
      Boolean(entry) &&
      wanted.every(w =>
        entry!.resources.some(
          r => r.kind === w.kind && r.name === w.name && r.applied === true,
        ),
      );
    return { crs, applied };
  });
}
