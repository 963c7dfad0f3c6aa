/**
 * The counts the card's chain shows, computed from a status's whole lists so they stay exact once the lists are cut
 * (`limitClusterStatus`, `cardClusterStatus`).
 */

import { mergeHealth } from './conditions';
import type { ClusterStatus, ClusterTallies, Health, ListTally } from './model';

/** Flux kinds that fetch what the others apply: where manifests and charts come from. @public */
export const FLUX_SOURCE_KINDS: readonly string[] = [
  'GitRepository',
  'HelmRepository',
  'OCIRepository',
  'HelmChart',
  'Bucket',
];

function tally(list: Array<{ health: Health }>): ListTally {
  const out: ListTally = {
    total: list.length,
    healthy: list.filter(x => x.health === 'Healthy').length,
  };
  if (list.length) out.health = mergeHealth(list.map(x => x.health));
  return out;
}

/** @public */
export function clusterTallies(status: ClusterStatus): ClusterTallies {
  const leaves = status.leafClusters;
  const needCredentials = leaves.filter(l => l.credentialsRequired);
  return {
    sources: tally(
      status.flux.objects.filter(o => FLUX_SOURCE_KINDS.includes(o.ref.kind)),
    ),
    stores: tally(status.eso?.stores ?? []),
    leafClusters: {
      ...tally(leaves),
      bootstrapped: leaves.filter(l => l.bootstrapped).length,
      credentialsRequired: needCredentials.length,
      credentialsCopied: needCredentials.filter(l => l.credentialsCopied)
        .length,
    },
  };
}
