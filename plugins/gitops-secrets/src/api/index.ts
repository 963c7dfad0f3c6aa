export { gitopsSecretsApiRef } from './types';
export type { GitopsSecretsApi, GitopsSecretsRequestOptions } from './types';
export { GitopsSecretsClient } from './GitopsSecretsClient';
