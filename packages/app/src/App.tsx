/*
 * The portal's frontend, on Backstage's new frontend system. Plugins are discovered from this package's
 * dependencies (`app.packages: all` in app-config.yaml), so the catalog and the scaffolder (template list,
 * template editor with dry run) arrive without wiring here. The GitOps secrets plugin is also listed
 * explicitly (features are de-duplicated by plugin id), so the app keeps its card — on kubernetes-cluster
 * Resources and on Components that depend on them — and its "GitOps secrets" tab even where discovery is
 * off (tests, `app.packages` narrowed). Its scaffolder pickers (GitopsClusterPicker, SecretStorePicker) are a
 * module of the scaffolder plugin, which discovery does not load (only default exports): it is listed here.
 */
import { createApp } from '@backstage/frontend-defaults';
import gitopsSecretsPlugin, {
  gitopsSecretsScaffolderModule,
} from '@golden-gitops/plugin-gitops-secrets/alpha';
import { navModule } from './modules/nav';

export default createApp({
  features: [gitopsSecretsPlugin, gitopsSecretsScaffolderModule, navModule],
});
