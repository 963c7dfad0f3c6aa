export { gitopsSecretsApiRef } from './types';
export type {
  EntityObjectsQuery,
  EntityStatusOptions,
  GitopsSecretsApi,
  GitopsSecretsRequestOptions,
  PickerCluster,
  PickerPage,
  PickerPageQuery,
  PickerStore,
  PickerStorePage,
  PickerTemplate,
  PickerTemplatePage,
  PickerTemplateParam,
} from './types';
export { GitopsSecretsClient } from './GitopsSecretsClient';
