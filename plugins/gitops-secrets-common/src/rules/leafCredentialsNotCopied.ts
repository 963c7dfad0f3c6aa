import { LABEL_SECRET_MANAGER } from '../annotations';
import { isCapiClusterProvisioned } from '../conditions';
import type { Finding } from '../model';
import { displayName, refOf } from '../objects';
import { clusterResourceSetsFor } from './clusterResourceSets';
import { finding, kubectlLook, shellQuote } from './common';
import type { Rule } from './types';

export const leafCredentialsNotCopied: Rule = {
  code: 'LEAF_CREDENTIALS_NOT_COPIED',
  when: `A provisioned Cluster labelled ${LABEL_SECRET_MANAGER} is selected by no ClusterResourceSet, or one selecting it has no applied ClusterResourceSetBinding entry.`,
  run(ctx) {
    const out: Finding[] = [];
    for (const cluster of ctx.view.capiClusters) {
      const manager = cluster.metadata.labels?.[LABEL_SECRET_MANAGER];
      if (!manager || !isCapiClusterProvisioned(cluster)) continue;
      const ref = refOf(cluster);
      const sets = clusterResourceSetsFor(ctx.index, cluster);
      if (!sets.length) {
        out.push(
          finding('LEAF_CREDENTIALS_NOT_COPIED', 'error', {
            title: `No ClusterResourceSet copies ${manager} credentials to ${displayName(
              ref,
            )}`,
            detail: `Cluster ${displayName(
              ref,
            )} is labelled ${LABEL_SECRET_MANAGER}: ${manager} but no ClusterResourceSet in ${
              cluster.metadata.namespace
            } selects it, so its SecretStore has no credentials.`,
            fix: `Create a ClusterResourceSet in ${cluster.metadata.namespace} with clusterSelector.matchLabels ${LABEL_SECRET_MANAGER}: ${manager}, referencing the credentials Secret (type addons.cluster.x-k8s.io/resource-set).`,
            objects: [ref],
            command: `kubectl --context ${shellQuote(
              ctx.cluster,
            )} -n ${shellQuote(
              cluster.metadata.namespace ?? 'default',
            )} get clusterresourcesets.addons.cluster.x-k8s.io`,
          }),
        );
        continue;
      }
      const missing = sets.filter(s => !s.applied);
      if (!missing.length) continue;
      const names = missing.map(s => displayName(refOf(s.crs))).join(', ');
      out.push(
        finding('LEAF_CREDENTIALS_NOT_COPIED', 'error', {
          title: `Credentials not copied to leaf cluster ${displayName(ref)}`,
          detail: `ClusterResourceSet ${names} selects Cluster ${displayName(
            ref,
          )} but no ClusterResourceSetBinding records its resources as applied there.`,
          fix: `Check that the Secret(s) ClusterResourceSet ${names} references exist in ${cluster.metadata.namespace} with type addons.cluster.x-k8s.io/resource-set, and look at the CRS conditions for the apply error.`,
          objects: [ref, ...missing.map(s => refOf(s.crs))],
          command: kubectlLook(ctx.cluster, refOf(missing[0].crs), 'describe'),
        }),
      );
    }
    return out;
  },
};
