import { getComponentData } from '@backstage/core-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import {
  clusterTemplatePickerFormField,
  gitopsClusterPickerFormField,
  gitopsSecretsScaffolderModule,
  secretStorePickerFormField,
} from './alpha';
import {
  clusterTemplatePickerField,
  gitopsClusterPickerField,
  secretStorePickerField,
} from './components/fields/formFields';
import {
  validateClusterTemplate,
  validateGitopsCluster,
  validateSecretStore,
} from './components/fields';
import {
  ClusterTemplatePickerFieldExtension,
  GitopsClusterPickerFieldExtension,
  SecretStorePickerFieldExtension,
} from './plugin';

describe('scaffolder field extensions', () => {
  it('new frontend system: a scaffolder module whose form fields load the pickers', async () => {
    expect(gitopsSecretsScaffolderModule.pluginId).toBe('scaffolder');
    for (const [extension, field] of [
      [gitopsClusterPickerFormField, gitopsClusterPickerField],
      [secretStorePickerFormField, secretStorePickerField],
      [clusterTemplatePickerFormField, clusterTemplatePickerField],
    ] as const) {
      // One tester per extension; the loop's union of definitions is beyond the tester's typing.
      const loader: () => Promise<unknown> = createExtensionTester(
        extension as typeof gitopsClusterPickerFormField,
      ).get(FormFieldBlueprint.dataRefs.formFieldLoader);
      await expect(loader()).resolves.toBe(field);
    }
  });

  it('legacy frontend system: field extensions provided by the gitops-secrets plugin', () => {
    // What <ScaffolderFieldExtensions> reads from its children: the ui:field name, the component and its validator.
    const data = [
      GitopsClusterPickerFieldExtension,
      SecretStorePickerFieldExtension,
      ClusterTemplatePickerFieldExtension,
    ].map(Field =>
      getComponentData<any>(<Field />, 'scaffolder.extensions.field.v1'),
    );
    expect(data.map(d => d?.name)).toEqual([
      'GitopsClusterPicker',
      'SecretStorePicker',
      'ClusterTemplatePicker',
    ]);
    expect(data.map(d => d?.validation)).toEqual([
      validateGitopsCluster,
      validateSecretStore,
      validateClusterTemplate,
    ]);
  });
});
