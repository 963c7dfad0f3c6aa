export { useEntityGitopsSecretsStatus } from './useEntityGitopsSecretsStatus';
export { useEntityGitopsSecretsSummary } from './useEntityGitopsSecretsSummary';
export { usePolling, nextPollDelay } from './usePolling';
export type { PollingOptions, PollingState } from './usePolling';
