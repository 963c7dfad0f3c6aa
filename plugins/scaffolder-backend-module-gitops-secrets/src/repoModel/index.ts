/*
 * The repository model: what Flux applies for a cluster path, read before
 * any action writes, and the checks every action runs on it.
 */
import type { GitopsRepo } from '../github';
import { buildClusterModel } from './build';
import { checkClusterPath, checkCollisions, writtenObjects } from './checks';
import { readerFromSnapshot, readerWithChanges } from './readers';
import { ClusterModel } from './types';

export * from './types';
export { buildClusterModel, esoInstalled, idKey } from './build';
export * from './checks';
export { describeModel, modelSection } from './describe';
export {
  readerFromSnapshot,
  readerFromFiles,
  readerWithChanges,
} from './readers';
export { planAdopt, compareVersions, ESO_V1_SERVED_SINCE } from './adopt';
export type { AdoptPlan } from './adopt';

/** The model of `clusterPath` on the snapshot: every manifest read in one GraphQL query per 250 blobs. */
export async function loadClusterModel(
  repo: GitopsRepo,
  clusterPath: string,
  opts: { sharedBaseSource?: string } = {},
): Promise<ClusterModel> {
  const { reader, sizes } = await readerFromSnapshot(repo);
  return buildClusterModel(reader, clusterPath, { ...opts, sizes });
}

/** The model of `clusterPath` as the snapshot would be with `files` written (the blobs read before are cached). */
export async function loadClusterModelWithChanges(
  repo: GitopsRepo,
  clusterPath: string,
  files: Array<{ path: string; content: string }>,
): Promise<ClusterModel> {
  const { reader, sizes } = await readerFromSnapshot(repo);
  for (const f of files) sizes.set(f.path, Buffer.byteLength(f.content));
  return buildClusterModel(readerWithChanges(reader, files), clusterPath, {
    sizes,
  });
}

/**
 * The cluster actions' check of the management cluster before they write: its
 * path must be applied (checkClusterPath), and no object in `files` may be
 * applied there already (checkCollisions).
 */
export async function checkManagementCluster(
  repo: GitopsRepo,
  managementClusterPath: string,
  files: Array<{ path: string; content: string }>,
): Promise<ClusterModel> {
  const model = await loadClusterModel(repo, managementClusterPath);
  checkClusterPath(
    model,
    'managementClusterPath',
    `${repo.owner}/${repo.repo}@${repo.baseBranch}`,
  );
  checkCollisions(model, writtenObjects(files));
  return model;
}
