export { EntityGitopsSecretsCard } from './EntityGitopsSecretsCard';
export type { EntityGitopsSecretsCardProps } from './EntityGitopsSecretsCard';
