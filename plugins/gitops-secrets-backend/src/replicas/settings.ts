import type { Config } from '@backstage/config';
import { readDurationMs } from '../config/clusters';

/** `gitopsSecrets.replicas`: whether several backend replicas share the clusters, and how fast they notice each other. */
export interface ReplicaSettings {
  /** Off by default: a single replica watches every cluster it is asked about and touches neither database nor cache. */
  enabled: boolean;
  /** How often a replica writes its heartbeat, reads its clusters and republishes unchanged statuses. */
  heartbeatMs: number;
  /** A replica whose heartbeat is older than this is dead: its clusters go to the others. */
  deadAfterMs: number;
  /** Another replica's published status older than this is shown as stale (its owner stopped publishing). */
  staleAfterMs: number;
}

export const REPLICA_DEFAULTS = { heartbeatMs: 5_000 };

export function readReplicaSettings(config: Config): ReplicaSettings {
  const root = config.getOptionalConfig('gitopsSecrets.replicas');
  const enabled = root?.getOptionalBoolean('enabled') ?? false;
  const heartbeatMs = root
    ? readDurationMs(root, 'heartbeatInterval', REPLICA_DEFAULTS.heartbeatMs)
    : REPLICA_DEFAULTS.heartbeatMs;
  // Two missed heartbeats plus slack: a replica busy for one beat (GC, a slow database) keeps its clusters,
  // and a dead one's clusters move after at most deadAfter + one assignment run + one heartbeat (~22 s by default).
  const deadAfterMs = 2 * heartbeatMs + 2_000;
  return { enabled, heartbeatMs, deadAfterMs, staleAfterMs: deadAfterMs };
}
