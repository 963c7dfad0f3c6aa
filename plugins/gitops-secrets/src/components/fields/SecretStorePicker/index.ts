export { SecretStorePicker } from './SecretStorePicker';
export type {
  SecretStorePickerUiOptions,
  SecretStoreRef,
} from './SecretStorePicker';
export { validateSecretStore } from './validation';
