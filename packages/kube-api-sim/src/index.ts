/**
 * A Kubernetes API server simulator for tests and the local demo: discovery from real CRDs, list/watch/CRUD with
 * the apiserver's semantics and error bodies, bearer-token RBAC, fault injection and request counters.
 *
 * @packageDocumentation
 */
export * from './types';
export { startCluster, startFleet, kubeconfigFor } from './cluster';
export { createClientCert, createSimCa } from './ca';
export type { SimCa, SimClientCert } from './ca';
export {
  loadFixtureCluster,
  fixturesDir,
  fixtureClusterDirs,
  readFixtureObjects,
  shiftTimestamp,
  shiftTimestamps,
} from './fixtures';
export type { FixtureClusterFile } from './fixtures';
export { SERVER_VERSION } from './server';
export { syntheticCrds } from './syntheticCrds';
export type { SyntheticCrdOptions } from './syntheticCrds';
export {
  EKS_TOKEN_MAX_AGE_MS,
  signOidcToken,
  verifyEksToken,
  verifyOidcToken,
} from './tokenAuth';
