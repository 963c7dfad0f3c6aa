/*
 * The repository model: what Flux applies for a cluster path, read before
 * any action writes, and the checks every action runs on it.
 */
import type { GitopsRepo } from '../github';
import { buildClusterModel } from './build';
import { readerFromSnapshot } from './readers';
import { ClusterModel } from './types';

export * from './types';
export { buildClusterModel, esoInstalled, idKey } from './build';
export * from './checks';
export { describeModel, modelSection } from './describe';
export { readerFromSnapshot, readerFromFiles } from './readers';

/** The model of `clusterPath` on the snapshot: every manifest read in one GraphQL query per 250 blobs. */
export async function loadClusterModel(
  repo: GitopsRepo,
  clusterPath: string,
  opts: { sharedBaseSource?: string } = {},
): Promise<ClusterModel> {
  const { reader, sizes } = await readerFromSnapshot(repo);
  return buildClusterModel(reader, clusterPath, { ...opts, sizes });
}
