import { ScmIntegrations } from '@backstage/integration';
import { OctokitFactory } from '../../github';
import { createAddTemplateAction } from './addTemplate';
import { createCreateLeafAction } from './createLeaf';

export { createAddTemplateAction, ADD_TEMPLATE_ACTION_ID } from './addTemplate';
export { createCreateLeafAction, CREATE_LEAF_ACTION_ID } from './createLeaf';
export { addTemplateInputSchema, createLeafInputSchema } from './inputs';
export type { AddTemplateInput, CreateLeafInput } from './inputs';

/** The gitops:cluster:* actions this module registers. */
export function createClusterActions(options: {
  integrations: ScmIntegrations;
  /** Replaces the default Octokit factory (integrations + DefaultGithubCredentialsProvider); for tests. */
  octokitFactory?: OctokitFactory;
}) {
  return [createAddTemplateAction(options), createCreateLeafAction(options)];
}
