import { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  createOctokitFactory,
  derivedBranchName,
  inputsDigest,
  OctokitFactory,
  openGitopsRepo,
  publishPullRequest,
} from '../../github';
import { renderExternalSecret } from '../../manifests/secrets';
import {
  checkClusterPath,
  checkCollisions,
  describeModel,
  loadClusterModel,
  modelSection,
} from '../../repoModel';
import { locateStoreFolder } from '../../repoModel/storeFolder';
import { parseActionInput, toScaffolderSchema } from '../../validation';
import { examples } from './addExternalSecret.examples';
import {
  outputDryRun,
  outputResult,
  publishOutputSchema,
  slug,
} from './common';
import { addExternalSecretInputSchema } from './inputs';
import { externalSecretBody, externalSecretTitle } from './prBody';

export const ADD_EXTERNAL_SECRET_ACTION_ID =
  'gitops:secrets:add-external-secret';

/**
 * `gitops:secrets:add-external-secret`: one pull request adding an
 * ExternalSecret to the folder the bootstrap's CRs step applies.
 */
export function createAddExternalSecretAction(options: {
  integrations: ScmIntegrationRegistry;
  /** Replaces the default (integrations + DefaultGithubCredentialsProvider); for tests. */
  octokitFactory?: OctokitFactory;
}) {
  const octokitFactory =
    options.octokitFactory ??
    createOctokitFactory({ integrations: options.integrations });

  return createTemplateAction({
    id: ADD_EXTERNAL_SECRET_ACTION_ID,
    description:
      "Opens one pull request that adds an ExternalSecret to a cluster bootstrapped by gitops:secrets:bootstrap, in the folder its CRs step applies (after the operator is Ready), and lists it in that folder's kustomization.yaml.",
    examples,
    supportsDryRun: true,
    schema: {
      input: toScaffolderSchema(addExternalSecretInputSchema),
      output: toScaffolderSchema(publishOutputSchema),
    },
    async handler(ctx) {
      const input = parseActionInput(
        ADD_EXTERNAL_SECRET_ACTION_ID,
        addExternalSecretInputSchema,
        ctx.input,
      );
      const { octokit, owner, repo } = await octokitFactory({
        repoUrl: input.repoUrl,
        token: input.token,
      });
      const branchName =
        input.branchName ??
        derivedBranchName(
          'external-secret',
          `${slug(input.clusterPath)}/${input.namespace}-${input.name}`,
          input,
        );
      // Known before reading: the branch is read in the same request as the repository.
      const gitops = await openGitopsRepo(octokit, {
        owner,
        repo,
        targetBranch: input.targetBranch,
        branchName,
      });
      // What Flux applies for the cluster, before writing: the bootstrap's layout or a store set up by hand.
      const model = await loadClusterModel(gitops, input.clusterPath);
      checkClusterPath(
        model,
        'clusterPath',
        `${owner}/${repo}@${gitops.baseBranch}`,
      );
      const located = await locateStoreFolder(model, input, gitops.readFile);
      const rendered = await renderExternalSecret(input, gitops, located);
      checkCollisions(model, rendered.objects);
      const placed = [
        `The ExternalSecret goes to ${rendered.crsDir}, beside ${rendered.store.kind} ${rendered.store.name} (${rendered.store.path}).`,
      ];
      const found = describeModel(model, placed);

      if (ctx.isDryRun) {
        await outputDryRun(
          ctx.output,
          gitops,
          branchName,
          rendered.files,
          input.overwrite,
        );
        ctx.output('repository', found);
        return;
      }

      const title = externalSecretTitle(input);
      const result = await publishPullRequest(ctx, octokit, gitops, {
        branchName,
        title,
        description: `${externalSecretBody(input, rendered)}\n\n${modelSection(
          model,
          placed,
        )}`,
        commitMessage: input.commitMessage ?? title,
        files: rendered.files,
        overwrite: input.overwrite,
        labels: input.labels,
        reviewers: input.reviewers,
        draft: input.draft,
        identity: {
          action: ADD_EXTERNAL_SECRET_ACTION_ID,
          target: `${input.clusterPath}:${input.namespace}/${input.name}`,
          inputs: inputsDigest(input),
        },
      });
      outputResult(ctx.output, gitops, result);
    },
  });
}
