export { gitopsSecretsPlugin as default } from './plugin';
export {
  gitopsSecretsAuthStrategyExtensionPoint,
  gitopsSecretsClusterSupplierExtensionPoint,
} from './clusters/extensionPoints';
export type {
  GitopsSecretsAuthStrategyExtensionPoint,
  GitopsSecretsClusterSupplierExtensionPoint,
} from './clusters/extensionPoints';
