/*
 * The portal's frontend, on Backstage's new frontend system. Plugins are discovered from this package's
 * dependencies (`app.packages: all` in app-config.yaml), so the catalog, the scaffolder (template list,
 * template editor with dry run) and the GitOps secrets card and tab arrive without wiring here; only the
 * sidebar is ours.
 */
import { createApp } from '@backstage/frontend-defaults';
import { navModule } from './modules/nav';

export default createApp({
  features: [navModule],
});
