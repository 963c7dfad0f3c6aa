import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  ClusterTemplatePicker,
  validateClusterTemplate,
} from './ClusterTemplatePicker';
import {
  GitopsClusterPicker,
  validateGitopsCluster,
} from './GitopsClusterPicker';
import { SecretStorePicker, validateSecretStore } from './SecretStorePicker';

/*
 * The field extensions of the new frontend system (loaded lazily by the FormFieldBlueprints in alpha.tsx); the legacy
 * system's are in plugin.ts. The names are what templates write in `ui:field`.
 */

export const gitopsClusterPickerField = createFormField({
  name: 'GitopsClusterPicker',
  component: GitopsClusterPicker,
  validation: validateGitopsCluster,
});

export const secretStorePickerField = createFormField({
  name: 'SecretStorePicker',
  component: SecretStorePicker,
  validation: validateSecretStore,
});

export const clusterTemplatePickerField = createFormField({
  name: 'ClusterTemplatePicker',
  component: ClusterTemplatePicker,
  validation: validateClusterTemplate,
});
