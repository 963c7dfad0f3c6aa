export { EntityGitopsSecretsContent } from './EntityGitopsSecretsContent';
export type { EntityGitopsSecretsContentProps } from './EntityGitopsSecretsContent';
