/*
 * The portal's backend (new backend system). Everything it needs to start is embedded: better-sqlite3 in
 * memory, guest sign-in, and — in the local demo — the Kubernetes and GitHub API simulators that
 * `scripts/portal.sh` starts beside it. Pointing it at real clusters and GitHub is configuration only.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Auth: the guest provider is for local use; configure a real provider in production.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// Permissions: the policy lives in ./permissionPolicy.ts so a reader finds it.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@golden-gitops/plugin-scaffolder-backend-module-gitops-secrets'),
);

// Backstage's own Kubernetes backend stays available: the benchmarks compare against it.
backend.add(import('@backstage/plugin-kubernetes-backend'));

backend.add(import('@golden-gitops/plugin-gitops-secrets-backend'));

backend.start();
