export { useEntityGitopsSecretsStatus } from './useEntityGitopsSecretsStatus';
export { usePolling, nextPollDelay } from './usePolling';
export type { PollingOptions, PollingState } from './usePolling';
