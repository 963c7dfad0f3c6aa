/*
 * The backend module (default export) and the pull-request machinery its
 * actions share, for other actions to reuse: a retrying Octokit per repoUrl,
 * a read-only snapshot of the target branch, and one-commit idempotent pull
 * requests.
 */
export { gitopsSecretsScaffolderModule as default } from './module';
export {
  parseRepoUrl,
  createOctokitFactory,
  GitopsOctokit,
  openGitopsRepo,
  publishPullRequest,
  planChanges,
  conflictError,
  GithubPublishError,
} from './github';
export type {
  RepoCoordinates,
  OctokitFactory,
  OctokitFactoryOptions,
  GitopsOctokitClient,
  GitopsRepo,
  FileChange,
  PublishRequest,
  PublishResult,
  PublishContext,
  ChangePlan,
} from './github';
