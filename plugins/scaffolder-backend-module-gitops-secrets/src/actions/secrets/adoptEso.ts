/*
 * gitops:secrets:bootstrap with mode adopt: the ESO installation the
 * repository already has, made race-free in place (repoModel/adopt.ts), in
 * one pull request per step. Nothing is installed a second time.
 */
import { GitopsRepo, publishPullRequest, PublishContext } from '../../github';
import {
  checkCollisions,
  checkLockdown,
  checkResult,
  checkSourceRefs,
  ClusterModel,
  describeModel,
  loadClusterModel,
  loadClusterModelWithChanges,
  modelSection,
  planAdopt,
} from '../../repoModel';
import { InputError } from '@backstage/errors';
import { outputDryRun, outputResult } from './common';

/**
 * Other clusters of the repository whose Flux applies any of `paths` (a base
 * shared by clusters): the roots (`flux-system` Kustomizations, FluxInstances,
 * flux-instance HelmReleases) outside this cluster's build, each built with
 * the blobs already read.
 */
async function otherClustersApplying(
  gitops: GitopsRepo,
  model: ClusterModel,
  paths: string[],
): Promise<string[]> {
  const mine = new Set(model.filesRead);
  const roots = model.appliedPaths.filter(
    a =>
      a.path !== model.clusterPath &&
      !mine.has(a.file) &&
      (/^(FluxInstance|HelmRelease) /.test(a.by) ||
        a.by.endsWith('/flux-system')),
  );
  const out: string[] = [];
  for (const root of roots) {
    const other = await loadClusterModel(gitops, root.path);
    const shared = paths.filter(p => other.filesRead.includes(p));
    if (shared.length)
      out.push(
        `${root.path} (${root.by}, ${root.file}) applies ${shared.join(', ')}`,
      );
  }
  return out;
}
import type { BootstrapInput } from './inputs';

export async function runAdopt(
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
    identity: { action: string; target: string; inputs: string };
  },
) {
  const { input, model, gitops, branchName } = opts;
  const plan = await planAdopt(model, gitops.readFile, {
    serviceAccountName: input.serviceAccountName,
  });
  const shared = await otherClustersApplying(
    gitops,
    model,
    plan.files.map(f => f.path),
  );
  if (shared.length && plan.phase === 'split')
    throw new InputError(
      `mode: adopt: files this change edits are also applied for other clusters, whose operator would stop installing its CRDs without a step of their own:\n${shared
        .map(s => `  - ${s}`)
        .join(
          '\n',
        )}\nAdopt a cluster whose ESO files are its own, or give each cluster its own copy of the HelmRelease first. Nothing was written.`,
    );
  if (shared.length)
    plan.leftAsIs.push(
      `Also applied for other clusters (harmless there: Helm only keeps the CRDs): ${shared.join(
        '; ',
      )}.`,
    );
  // The new objects are checked against everything else the cluster applies, their own file included.
  const added = plan.added.map(a => ({
    path: `${a.path} (documents added)`,
    objects: a.objects,
  }));
  checkCollisions(model, added);
  checkSourceRefs(model, added, () => 'mode');
  checkLockdown(model, added);
  const after = await loadClusterModelWithChanges(
    gitops,
    model.clusterPath,
    plan.files,
  );
  checkResult(
    model,
    after,
    plan.added.flatMap(a =>
      (a.objects as Array<Record<string, any>>)
        .filter(o => o.kind === 'Kustomization')
        .map(o => o.metadata.name as string),
    ),
  );
  const extra = [
    `Adopting ${plan.installation.id} (${plan.installation.file}, chart ${plan.installation.version}, applied by ${plan.installation.by}).`,
    ...plan.changes,
    ...plan.leftAsIs,
  ];
  if (ctx.isDryRun) {
    await outputDryRun(ctx.output, gitops, branchName, plan.files, false);
    ctx.output('repository', describeModel(model, extra));
    return;
  }
  const step = plan.phase === 'keep-crds' ? '1/2' : '2/2';
  const title =
    input.title ??
    `ESO on ${input.clusterPath}: ${
      plan.phase === 'keep-crds'
        ? 'keep the chart CRDs on hand-over'
        : 'CRDs, operator and stores in order'
    } (adopt ${step})`;
  const result = await publishPullRequest(ctx, opts.octokit, gitops, {
    branchName,
    title,
    description: `${
      plan.phase === 'keep-crds'
        ? `Step 1 of 2 of adopting the External Secrets Operator this cluster already runs, so that its CRDs, operator and stores are applied in order. Helm deletes what a chart no longer renders unless the live object says \`helm.sh/resource-policy: keep\`, and deleting ESO's CRDs deletes every store, ExternalSecret and the Secrets they own. This makes the chart annotate its CRDs that way first; it is safe however Flux orders it.`
        : `Step 2 of 2 of adopting the External Secrets Operator this cluster already runs: its CRDs get a Flux Kustomization of their own at the chart's version, the operator's Kustomization waits for them and for the release (its webhook), and what applies stores and ExternalSecrets waits for the operator. Merge it once step 1 is reconciled (the CRDs carry \`helm.sh/resource-policy: keep\`: \`kubectl get crd externalsecrets.external-secrets.io -o jsonpath='{.metadata.annotations}'\`).`
    }\n\n${plan.changes.map(c => `- ${c}`).join('\n')}${
      plan.leftAsIs.length
        ? `\n\nLeft as it is:\n\n${plan.leftAsIs.map(c => `- ${c}`).join('\n')}`
        : ''
    }\n\n${modelSection(model, extra.slice(0, 1))}`,
    commitMessage:
      input.commitMessage ?? `${title}\n\n${plan.changes.join('\n')}`,
    files: plan.files,
    labels: input.labels,
    reviewers: input.reviewers,
    draft: input.draft,
    identity: opts.identity,
  });
  outputResult(ctx.output, gitops, result);
}
