export { ClusterTemplatePicker } from './ClusterTemplatePicker';
export type {
  ClusterTemplatePickerUiOptions,
  ClusterTemplateValue,
} from './ClusterTemplatePicker';
export { validateClusterTemplate } from './validation';
