export { GitopsClusterPicker } from './GitopsClusterPicker';
export type { GitopsClusterPickerUiOptions } from './GitopsClusterPicker';
export { validateGitopsCluster } from './validation';
