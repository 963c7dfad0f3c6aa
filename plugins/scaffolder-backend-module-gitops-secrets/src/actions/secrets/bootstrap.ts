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
import { renderBootstrap } from '../../manifests/secrets';
import {
  checkClusterPath,
  checkCollisions,
  checkLockdown,
  checkNoSecondEso,
  checkSourceRefs,
  conventionServiceAccount,
  describeModel,
  loadClusterModel,
  modelSection,
} from '../../repoModel';
import { parseActionInput, toScaffolderSchema } from '../../validation';
import { examples } from './bootstrap.examples';
import {
  outputDryRun,
  outputResult,
  publishOutputSchema,
  slug,
} from './common';
import { bootstrapInputSchema } from './inputs';
import { bootstrapBody, bootstrapTitle } from './prBody';
import { chainBody } from './chainBody';
import { runMigrateApis } from './migrateApis';
import { runAdopt } from './adoptEso';
import { renderIntoChain } from '../../manifests/secrets/chain';
import { findInfrastructureChain } from '../../repoModel/chain';

export const BOOTSTRAP_ACTION_ID = 'gitops:secrets:bootstrap';

/**
 * `gitops:secrets:bootstrap`: one pull request that installs External
 * Secrets Operator on a Flux cluster in three ordered steps (CRDs → operator
 * → stores and ExternalSecrets) and adds a store.
 */
export function createBootstrapAction(options: {
  integrations: ScmIntegrationRegistry;
  /** Replaces the default (integrations + DefaultGithubCredentialsProvider); for tests. */
  octokitFactory?: OctokitFactory;
}) {
  const octokitFactory =
    options.octokitFactory ??
    createOctokitFactory({ integrations: options.integrations });

  return createTemplateAction({
    id: BOOTSTRAP_ACTION_ID,
    description:
      'Opens one pull request that installs External Secrets Operator on a Flux cluster without races (CRDs from the matching git tag → operator HelmRelease, waited for → stores and ExternalSecrets) and adds a SecretStore or ClusterSecretStore. No credential goes into Git: the PR description gives the kubectl command to create it.',
    examples,
    supportsDryRun: true,
    schema: {
      input: toScaffolderSchema(bootstrapInputSchema),
      output: toScaffolderSchema(publishOutputSchema),
    },
    async handler(ctx) {
      const input = parseActionInput(
        BOOTSTRAP_ACTION_ID,
        bootstrapInputSchema,
        ctx.input,
      );
      const { octokit, owner, repo } = await octokitFactory({
        repoUrl: input.repoUrl,
        token: input.token,
      });
      const branchName =
        input.branchName ??
        derivedBranchName(
          {
            'migrate-apis': 'eso-migrate',
            adopt: 'eso-adopt',
            install: 'eso-bootstrap',
          }[input.mode],
          slug(input.clusterPath),
          input,
        );
      // Known before reading: the branch is read in the same request as the repository.
      const gitops = await openGitopsRepo(octokit, {
        owner,
        repo,
        targetBranch: input.targetBranch,
        branchName,
      });
      // Read what Flux applies for the cluster before writing anything; every refusal below writes nothing.
      const model = await loadClusterModel(gitops, input.clusterPath, {
        sharedBaseSource: input.sharedBase ? input.fluxSourceName : undefined,
      });
      checkClusterPath(
        model,
        'clusterPath',
        `${owner}/${repo}@${gitops.baseBranch}`,
      );
      if (input.mode === 'migrate-apis') {
        await runMigrateApis(ctx as any, {
          input,
          model,
          gitops,
          octokit,
          branchName,
        });
        return;
      }
      if (input.mode === 'adopt') {
        await runAdopt(ctx as any, {
          input,
          model,
          gitops,
          octokit,
          branchName,
          identity: {
            action: BOOTSTRAP_ACTION_ID,
            target: `${input.clusterPath}:adopt`,
            inputs: inputsDigest(input),
          },
        });
        return;
      }
      const convention = model.flags.defaultServiceAccount
        ? conventionServiceAccount(model)
        : undefined;
      const serviceAccountName = input.serviceAccountName ?? convention?.name;
      const chain =
        input.layout === 'auto' ? findInfrastructureChain(model) : undefined;
      const intoChain = chain
        ? await renderIntoChain(
            input,
            {
              controllersDir: chain.controllers.path!,
              configsDir: chain.configs.path!,
            },
            gitops.readFile,
            { serviceAccountName },
          )
        : undefined;
      const rendered =
        intoChain ??
        (await renderBootstrap(input, gitops.readFile, {
          serviceAccountName,
          // The cluster syncs this repository from an OCIRepository (flux-operator): reference it, by the same name.
          fluxSourceKind:
            model.entry?.sourceRef.name === input.fluxSourceName &&
            model.entry.sourceRef.kind === 'OCIRepository'
              ? 'OCIRepository'
              : undefined,
        }));
      checkNoSecondEso(model, rendered.objects);
      checkCollisions(model, rendered.objects);
      checkSourceRefs(model, rendered.objects, ref =>
        ref.kind === 'GitRepository' && ref.name === input.fluxSourceName
          ? 'fluxSourceName'
          : 'chartSource',
      );
      checkLockdown(model, rendered.objects);
      const extra = chain
        ? [
            `The cluster runs infrastructure as a chain: ${chain.controllers.name} (${chain.controllers.file}, wait: true) → ${chain.configs.name} (dependsOn it). The operator goes into ${chain.controllers.path}, the store into ${chain.configs.path}.`,
            ...(chain.sharedWith.length
              ? [
                  `Those folders are also applied by: ${chain.sharedWith.join(
                    '; ',
                  )}.`,
                ]
              : []),
          ]
        : [];
      if (serviceAccountName)
        extra.push(
          ...[
            `serviceAccountName ${serviceAccountName} on every Flux object written (${
              input.serviceAccountName
                ? 'input'
                : `as ${convention!.from.slice(0, 3).join(', ')}`
            }).`,
          ],
        );
      const found = describeModel(model, extra);
      ctx.logger.info(
        `Rendered the ESO ${input.esoVersion} bootstrap for ${input.clusterPath}: ${rendered.files.length} files`,
      );

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

      const title = bootstrapTitle(input);
      const result = await publishPullRequest(ctx, octokit, gitops, {
        branchName,
        title,
        description: `${
          chain && intoChain
            ? chainBody(input, chain, intoChain)
            : bootstrapBody(
                input,
                rendered as Awaited<ReturnType<typeof renderBootstrap>>,
              )
        }\n\n${modelSection(model, extra)}`,
        commitMessage:
          input.commitMessage ??
          (chain
            ? `${title}\n\nInto the existing chain: operator in ${chain.controllers.path} (${chain.controllers.name}, wait) → store in ${chain.configs.path} (${chain.configs.name}).`
            : `${title}\n\nCRDs (tag v${input.esoVersion}) → operator (wait) → stores and ExternalSecrets.`),
        files: rendered.files,
        overwrite: input.overwrite,
        labels: input.labels,
        reviewers: input.reviewers,
        draft: input.draft,
        identity: {
          action: BOOTSTRAP_ACTION_ID,
          target: input.clusterPath,
          inputs: inputsDigest(input),
        },
      });
      outputResult(ctx.output, gitops, result);
    },
  });
}
