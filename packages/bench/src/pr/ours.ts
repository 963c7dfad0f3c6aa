/*
 * Our PR machinery, loaded from the scaffolder module's sources. The module's package entry exports only the backend
 * module, so the benchmark reaches `src/github` and `src/actions/secrets` by file path (package `exports` would refuse
 * the subpaths).
 */
import path from 'node:path';

type GithubModule =
  typeof import('../../../../plugins/scaffolder-backend-module-gitops-secrets/src/github');
type SecretsActionsModule =
  typeof import('../../../../plugins/scaffolder-backend-module-gitops-secrets/src/actions/secrets');

const root = path.dirname(
  require.resolve(
    '@golden-gitops/plugin-scaffolder-backend-module-gitops-secrets/package.json',
  ),
);

export function ourGithub(): GithubModule {
  return require(path.join(root, 'src', 'github'));
}

export function ourSecretsActions(): SecretsActionsModule {
  return require(path.join(root, 'src', 'actions', 'secrets'));
}
