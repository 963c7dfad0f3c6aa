/*
 * Our PR machinery. `publishPullRequest`, `openGitopsRepo` and `createOctokitFactory` come from the scaffolder module's
 * package entry, which exports them for reuse. The secrets actions are not exported there (the entry exports the
 * backend module and the PR machinery only), so the benchmark still reaches `src/actions/secrets` by file path
 * (package `exports` would refuse the subpath).
 */
import path from 'node:path';

type GithubModule =
  typeof import('@golden-gitops/plugin-scaffolder-backend-module-gitops-secrets');
type SecretsActionsModule =
  typeof import('../../../../plugins/scaffolder-backend-module-gitops-secrets/src/actions/secrets');

const PACKAGE =
  '@golden-gitops/plugin-scaffolder-backend-module-gitops-secrets';

export function ourGithub(): GithubModule {
  // Loaded on demand, like the secrets actions, so the other benchmarks do not pay for it.
  return require(PACKAGE);
}

export function ourSecretsActions(): SecretsActionsModule {
  const root = path.dirname(require.resolve(`${PACKAGE}/package.json`));
  return require(path.join(root, 'src', 'actions', 'secrets'));
}
