/*
 * gitops:secrets:bootstrap with mode migrate-apis: one pull request moving
 * the cluster's ESO manifests off removed API versions (see
 * repoModel/migrate.ts). Nothing is installed.
 */
import { InputError } from '@backstage/errors';
import { GitopsRepo, publishPullRequest, PublishContext } from '../../github';
import {
  ClusterModel,
  compareVersions,
  ESO_V1_SERVED_SINCE,
  describeModel,
  esoInstalled,
  modelSection,
} from '../../repoModel';
import { migrateRemovedEsoApis } from '../../repoModel/migrate';
import { outputDryRun, outputResult } from './common';
import type { BootstrapInput } from './inputs';

export async function runMigrateApis(
  ctx: PublishContext & {
    isDryRun?: boolean;
    output(name: string, value: any): void;
  },
  opts: {
    input: BootstrapInput;
    model: ClusterModel;
    gitops: GitopsRepo;
    octokit: Parameters<typeof publishPullRequest>[1];
    branchName: string;
  },
) {
  const { input, model, gitops, branchName } = opts;
  if (!esoInstalled(model)) {
    throw new InputError(
      `mode: migrate-apis moves an installed ESO's manifests to external-secrets.io/v1, but no ESO is installed for ${model.clusterPath}; use mode install`,
    );
  }
  // v1 must be served before anything is moved onto it.
  const tooOld = model.eso.helmReleases.filter(
    h => compareVersions(h.version ?? '', ESO_V1_SERVED_SINCE) === -1,
  );
  if (tooOld.length) {
    throw new InputError(
      `mode: ${tooOld
        .map(h => `${h.id} (${h.file}) is chart ${h.version}`)
        .join(
          '; ',
        )}, which does not serve external-secrets.io/v1 (served from ${ESO_V1_SERVED_SINCE}); moved manifests would fail with "no matches for kind". Upgrade the chart to 0.16.2 first (it serves v1beta1 and v1), then run mode migrate-apis. Nothing was written.`,
    );
  }
  const migration = await migrateRemovedEsoApis(model, gitops.readFile);
  if (migration.problems.length) {
    throw new InputError(
      `mode: these manifests on removed ESO APIs need changes external-secrets.io/v1 requires beyond the apiVersion; change them by hand (nothing was written):\n${migration.problems
        .map(p => `  - ${p}`)
        .join('\n')}`,
    );
  }
  const extra = [
    migration.migrated.length
      ? `${migration.migrated.length} object(s) move to external-secrets.io/v1 (only their apiVersion line changes; each validates against ESO's v1 CRD).`
      : 'No manifest uses a removed ESO API.',
  ];
  if (ctx.isDryRun) {
    await outputDryRun(ctx.output, gitops, branchName, migration.files, false);
    ctx.output('repository', describeModel(model, extra));
    return;
  }
  const title =
    input.title ??
    `ESO manifests to external-secrets.io/v1 for ${input.clusterPath}`;
  const result = await publishPullRequest(ctx, opts.octokit, gitops, {
    branchName,
    title,
    description: `ESO no longer serves external-secrets.io/v1alpha1 and v1beta1 (since 0.17: "no matches for kind … in version …"). This moves every manifest the cluster applies on them to external-secrets.io/v1; only the apiVersion line of each object changes.\n\n${migration.migrated
      .map(m => `- ${m}`)
      .join('\n')}\n\n${modelSection(model, extra)}`,
    commitMessage: input.commitMessage ?? title,
    files: migration.files,
    labels: input.labels,
    reviewers: input.reviewers,
    draft: input.draft,
  });
  outputResult(ctx.output, gitops, result);
}
