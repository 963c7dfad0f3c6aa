export { gitopsSecretsPlugin } from './plugin';
