/**
 * ESO and Flux status per cluster, with root cause and fix, on catalog
 * entities: the entity card and tab, and the scaffolder pickers (legacy
 * frontend system here; the new frontend system's plugin is the default
 * export of `/alpha`, its scaffolder module `gitopsSecretsScaffolderModule`).
 *
 * @packageDocumentation
 */
export {
  gitopsSecretsPlugin,
  EntityGitopsSecretsCard,
  EntityGitopsSecretsContent,
  GitopsClusterPickerFieldExtension,
  SecretStorePickerFieldExtension,
  ClusterTemplatePickerFieldExtension,
} from './plugin';
export type {
  ClusterTemplatePickerUiOptions,
  ClusterTemplateValue,
  GitopsClusterPickerUiOptions,
  SecretStorePickerUiOptions,
  SecretStoreRef,
} from './components/fields';
export {
  isGitopsSecretsAvailable,
  bootstrapTemplateLink,
  ANNOTATION_CLUSTER_PATH,
  BOOTSTRAP_TEMPLATE_PATH,
} from './conditions';
export * from './api';
export {
  useEntityGitopsSecretsStatus,
  useEntityGitopsSecretsSummary,
  usePolling,
} from './hooks';
export type { PollingOptions, PollingState } from './hooks';
export type { EntityGitopsSecretsCardProps } from './components/EntityGitopsSecretsCard';
export type { EntityGitopsSecretsContentProps } from './components/EntityGitopsSecretsContent';
