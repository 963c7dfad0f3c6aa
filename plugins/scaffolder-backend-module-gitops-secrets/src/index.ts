export { gitopsSecretsScaffolderModule as default } from './module';
