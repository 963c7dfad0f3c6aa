export * from './GitopsClusterPicker';
export * from './SecretStorePicker';
export * from './ClusterTemplatePicker';
