export { gitopsSecretsApiRef } from './types';
export type {
  EntityObjectsQuery,
  EntityStatusOptions,
  GitopsSecretsApi,
  GitopsSecretsRequestOptions,
} from './types';
export { GitopsSecretsClient } from './GitopsSecretsClient';
