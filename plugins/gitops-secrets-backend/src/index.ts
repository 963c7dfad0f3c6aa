export { gitopsSecretsPlugin as default } from './plugin';
