/*
 * The pull-request machinery every gitops action shares: credentials and a
 * retrying Octokit, a read-only snapshot of the target branch, and one-commit
 * idempotent pull requests.
 */
export { parseRepoUrl } from './parseRepoUrl';
export type { RepoCoordinates } from './parseRepoUrl';
export { createOctokitFactory, GitopsOctokit } from './octokit';
export type {
  OctokitFactory,
  OctokitFactoryOptions,
  GitopsOctokitClient,
} from './octokit';
export { openGitopsRepo } from './repo';
export type { GitopsRepo } from './repo';
export { publishPullRequest, planChanges, conflictError } from './publish';
export type {
  FileChange,
  PublishRequest,
  PublishResult,
  PublishContext,
  ChangePlan,
} from './publish';
export { GithubPublishError } from './errors';
export {
  derivedBranchName,
  inputsDigest,
  parseTrailers,
  TRAILER_ACTION,
  TRAILER_INPUTS,
  TRAILER_TARGET,
} from './ownership';
export type { PublishIdentity } from './ownership';
