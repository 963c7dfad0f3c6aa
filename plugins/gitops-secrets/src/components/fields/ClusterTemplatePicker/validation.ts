import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import type {
  ClusterTemplatePickerUiOptions,
  ClusterTemplateValue,
} from './ClusterTemplatePicker';
import { DEFAULT_MANAGEMENT_FIELD, templateKey } from './ClusterTemplatePicker';
import type { PickerTemplate } from '../../../api';
import {
  allPickerClusters,
  allPickerTemplates,
  apiFrom,
  clusterOfRef,
} from '../shared';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Parameters whose values become Kubernetes names in every Cluster API template (the leaf's Cluster and its
 * namespace): checked here as gitops:cluster:create-leaf checks them, so the form says it before the task runs.
 */
const KUBERNETES_NAMES: Record<string, string> = {
  CLUSTER_NAME: 'the leaf cluster’s name',
  NAMESPACE: 'the namespace of its Cluster API objects',
};

/** Errors of `parameters` against a template's declared params: missing required, not an option, undeclared. */
export function parameterErrors(
  t: PickerTemplate,
  parameters: Record<string, unknown>,
): string[] {
  const errors: string[] = [];
  const declared = new Map(t.params.map(p => [p.name, p]));
  for (const p of t.params) {
    const v = parameters[p.name];
    if (v === undefined || v === '') {
      if (p.required)
        errors.push(`${p.name} is required by template ${t.name}`);
      continue;
    }
    if (typeof v !== 'string') {
      errors.push(`${p.name} must be text`);
      continue;
    }
    if (p.options?.length && !p.options.includes(v))
      errors.push(`${p.name}: "${v}" is not one of ${p.options.join(', ')}`);
    if (p.name in KUBERNETES_NAMES && (!DNS1123_LABEL.test(v) || v.length > 63))
      errors.push(
        `${p.name} (${
          KUBERNETES_NAMES[p.name]
        }): "${v}" must be a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters)`,
      );
  }
  for (const name of Object.keys(parameters))
    if (!declared.has(name))
      errors.push(
        `${name} is not a parameter of template ${t.name} (it declares ${
          t.params.map(p => p.name).join(', ') || 'none'
        })`,
      );
  return errors;
}

/**
 * The value must name a template of the chosen management cluster and give every required parameter it declares
 * (each within its options), and nothing it does not declare.
 */
export const validateClusterTemplate: CustomFieldValidator<
  ClusterTemplateValue,
  ClusterTemplatePickerUiOptions
> = async (value, validation, context) => {
  if (value === undefined) return;
  if (
    typeof value !== 'object' ||
    typeof value.name !== 'string' ||
    !value.name ||
    (value.kind !== 'CAPITemplate' && value.kind !== 'GitOpsTemplate') ||
    (value.parameters !== undefined &&
      (typeof value.parameters !== 'object' || value.parameters === null))
  ) {
    validation.addError(
      'A template is { name, kind: CAPITemplate | GitOpsTemplate, parameters: { NAME: value } }',
    );
    return;
  }
  const api = apiFrom(context.apiHolder);
  const clusterRef =
    context.formData[
      context.uiSchema?.['ui:options']?.clusterField ?? DEFAULT_MANAGEMENT_FIELD
    ];
  if (!api || typeof clusterRef !== 'string' || !clusterRef) return;
  const cluster = clusterOfRef(await allPickerClusters(api), clusterRef);
  if (!cluster) return; // the cluster field reports it
  const { items } = await allPickerTemplates(api, cluster.name);
  const template = items.find(t => templateKey(t) === templateKey(value));
  if (!template) {
    validation.addError(
      `${templateKey(value)} is not a template of ${cluster.name}; there: ${
        items.map(templateKey).join(', ') || 'none'
      }`,
    );
    return;
  }
  for (const e of parameterErrors(template, value.parameters ?? {}))
    validation.addError(e);
};
