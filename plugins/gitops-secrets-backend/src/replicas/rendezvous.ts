import { createHash } from 'node:crypto';

function score(cluster: string, replica: string): bigint {
  return createHash('sha1')
    .update(cluster)
    .update('\u0000')
    .update(replica)
    .digest()
    .readBigUInt64BE(0);
}

/**
 * Rendezvous (highest random weight) hashing: each cluster goes to the replica with the highest hash of
 * (cluster, replica). When a replica joins or leaves, only the clusters it wins or held move; the others
 * keep their owner and their watches. Deterministic, so every replica computing it agrees.
 */
export function assignClusters(
  clusters: readonly string[],
  replicas: readonly string[],
): Map<string, string> {
  const out = new Map<string, string>();
  if (!replicas.length) return out;
  for (const cluster of clusters) {
    let best = replicas[0];
    let bestScore = score(cluster, best);
    for (const r of replicas.slice(1)) {
      const s = score(cluster, r);
      if (s > bestScore || (s === bestScore && r < best)) {
        best = r;
        bestScore = s;
      }
    }
    out.set(cluster, best);
  }
  return out;
}
