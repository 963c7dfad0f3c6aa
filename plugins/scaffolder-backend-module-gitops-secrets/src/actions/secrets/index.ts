import { ScmIntegrations } from '@backstage/integration';
import { OctokitFactory } from '../../github';
import { createAddExternalSecretAction } from './addExternalSecret';
import { createBootstrapAction } from './bootstrap';

export { createBootstrapAction, BOOTSTRAP_ACTION_ID } from './bootstrap';
export {
  createAddExternalSecretAction,
  ADD_EXTERNAL_SECRET_ACTION_ID,
} from './addExternalSecret';
export {
  bootstrapInputSchema,
  addExternalSecretInputSchema,
  storeSchema,
  providerSchema,
} from './inputs';
export type { BootstrapInput, AddExternalSecretInput } from './inputs';

/** The gitops:secrets:* actions this module registers. */
export function createSecretsActions(options: {
  integrations: ScmIntegrations;
  /** Replaces the default Octokit factory (integrations + DefaultGithubCredentialsProvider); for tests. */
  octokitFactory?: OctokitFactory;
}) {
  return [
    createBootstrapAction(options),
    createAddExternalSecretAction(options),
  ];
}
