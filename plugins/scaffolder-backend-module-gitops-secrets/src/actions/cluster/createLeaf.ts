import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  createOctokitFactory,
  derivedBranchName,
  FileChange,
  inputsDigest,
  GitopsRepo,
  OctokitFactory,
  openGitopsRepo,
  publishPullRequest,
} from '../../github';
import {
  buildLeafSecretsKustomization,
  FLUX_BOOTSTRAP_LABEL,
  matchesSelector,
  SECRET_MANAGER_LABEL,
} from '../../manifests/cluster';
import { bootstrapLayout } from '../../manifests/secrets/layout';
import { toYaml } from '../../manifests/secrets/yaml';
import {
  CompiledTemplate,
  loadTemplate,
  ParamValidationError,
  parseTemplates,
  RenderResult,
  TemplateError,
  validateRendered,
} from '../../render';
import { checkManagementCluster } from '../../repoModel';
import {
  DNS1123_LABEL_PATTERN,
  normaliseRepoPath,
  parseActionInput,
  toScaffolderSchema,
  z,
} from '../../validation';
import {
  outputDryRun,
  outputResult,
  publishOutputSchema,
  slug,
} from '../secrets/common';
import { examples } from './createLeaf.examples';
import { CreateLeafInput, createLeafInputSchema } from './inputs';
import {
  isUnder,
  joinPath,
  relativeTo,
  scanObjects,
  wireIntoKustomizations,
} from './shared';

export const CREATE_LEAF_ACTION_ID = 'gitops:cluster:create-leaf';

export const createLeafOutputSchema = publishOutputSchema.extend({
  clusterName: z.string().describe('Name of the new cluster.'),
  clusterNamespace: z
    .string()
    .describe('Its namespace on the management cluster.'),
  clusterFile: z
    .string()
    .describe('File holding the rendered cluster objects.'),
  leafPath: z
    .string()
    .describe("The leaf's own Flux path (flux bootstrap --path)."),
  entityRef: z
    .string()
    .describe(
      'Catalog reference the cluster gets when registered (resource:default/<name>).',
    ),
  warnings: z
    .array(z.string())
    .describe('Conversions and other things worth a look.'),
});

/** The template, read from `templatePath` or found under the management path. */
async function readTemplate(
  input: CreateLeafInput,
  repo: GitopsRepo,
): Promise<CompiledTemplate> {
  const explicit = input.templatePath;
  const conventional = joinPath(
    input.managementClusterPath,
    'capi',
    'templates',
    `${input.templateName}.yaml`,
  );
  const wrap = (e: unknown, field: string): never => {
    if (e instanceof TemplateError)
      throw new InputError(`${field}: ${e.message}`);
    throw e;
  };
  for (const path of explicit ? [explicit] : [conventional]) {
    const text = await repo.readFile(path);
    if (text !== undefined) {
      try {
        return loadTemplate(text, path, input.templateName);
      } catch (e) {
        return wrap(e, explicit ? 'templatePath' : 'templateName');
      }
    }
    if (explicit)
      throw new InputError(
        `templatePath: ${path} does not exist on ${repo.baseBranch} of ${repo.owner}/${repo.repo}`,
      );
  }
  // Not where add-template puts it: look through the management cluster's YAML files.
  const files = (await repo.listFiles(input.managementClusterPath)).filter(
    p => /\.ya?ml$/.test(p) && !p.split('/').includes('flux-system'),
  );
  const found: string[] = [];
  for (const path of files.slice(0, 500)) {
    const text = await repo.readFile(path);
    if (!text || !/kind:\s*(CAPITemplate|GitOpsTemplate)/.test(text)) continue;
    let names: string[];
    try {
      names = parseTemplates(text, path).map(t => t.metadata.name);
    } catch {
      continue; // a broken unrelated template; the named one may be elsewhere
    }
    found.push(...names);
    if (names.includes(input.templateName)) {
      try {
        return loadTemplate(text, path, input.templateName);
      } catch (e) {
        return wrap(e, 'templateName');
      }
    }
  }
  throw new InputError(
    `templateName: no CAPITemplate or GitOpsTemplate named ${
      input.templateName
    } under ${input.managementClusterPath} on ${repo.baseBranch}${
      found.length
        ? ` (templates found: ${found.join(', ')})`
        : ' (no templates found)'
    }; add one with the capi-leaf-template Backstage template (gitops:cluster:add-template) first`,
  );
}

const paramError = (e: ParamValidationError) =>
  new InputError(
    `parameters: invalid values for template ${e.templateName}:\n${e.problems
      .map(p => `  - ${p.param}: ${p.message}`)
      .join('\n')}`,
  );

export interface CreateLeafPlan {
  files: FileChange[];
  clusterName: string;
  clusterNamespace: string;
  clusterFile: string;
  leafPath: string;
  warnings: string[];
  notes: string[];
  template: CompiledTemplate;
  rendered: RenderResult;
}

/** Renders the template and computes every file; only reads the base branch. */
export async function planCreateLeaf(
  input: CreateLeafInput,
  repo: GitopsRepo,
): Promise<CreateLeafPlan> {
  const template = await readTemplate(input, repo);
  let values: Record<string, string>;
  try {
    values = template.resolveParams(input.parameters);
  } catch (e) {
    if (e instanceof ParamValidationError) throw paramError(e);
    throw e;
  }
  // WGE names the cluster and its file after these two params.
  const clusterName = values.CLUSTER_NAME;
  if (!clusterName)
    throw new InputError(
      `templateName: template ${template.name} has no CLUSTER_NAME parameter, which names the cluster and its file`,
    );
  if (!DNS1123_LABEL_PATTERN.test(clusterName) || clusterName.length > 63)
    throw new InputError(
      `parameters: invalid values for template ${template.name}:\n  - CLUSTER_NAME: "${clusterName}" must be a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters)`,
    );
  const clusterNamespace = values.NAMESPACE || 'default';
  if (
    !DNS1123_LABEL_PATTERN.test(clusterNamespace) ||
    clusterNamespace.length > 63
  )
    throw new InputError(
      `parameters: invalid values for template ${template.name}:\n  - NAMESPACE: "${clusterNamespace}" must be a DNS-1123 label`,
    );

  let rendered: RenderResult;
  try {
    rendered = template.render(values, {
      namespace: clusterNamespace,
      injectPruneAnnotation: input.injectPruneAnnotation,
    });
  } catch (e) {
    if (e instanceof TemplateError)
      throw new InputError(`templateName: ${e.message}`);
    throw e;
  }
  const check = validateRendered(rendered);
  if (check.paramProblems.length)
    throw paramError(
      new ParamValidationError(template.name, check.paramProblems),
    );
  if (check.templateProblems.length)
    throw new InputError(
      `templateName: template ${
        template.name
      } renders objects its CRDs reject (the template itself is wrong):\n${check.templateProblems
        .map(p => `  - ${p}`)
        .join('\n')}`,
    );
  const warnings = [...rendered.warnings];
  for (const u of check.unchecked)
    warnings.push(`${u}: no known schema, written without validation`);

  const repositoryPath =
    input.repositoryPath ?? joinPath(input.managementClusterPath, 'clusters');
  const clusterFile = joinPath(
    repositoryPath,
    clusterNamespace,
    `${clusterName}.yaml`,
  );
  const leafPath = joinPath(
    input.leafClustersPath,
    clusterNamespace,
    clusterName,
  );
  const header = `Leaf cluster ${clusterNamespace}/${clusterName}, rendered from ${template.template.kind} ${template.name} by gitops:cluster:create-leaf.`;

  // Group objects by file: resource templates without a path go to the cluster's file.
  const byPath = new Map<string, object[]>();
  for (const f of rendered.files) {
    let path = clusterFile;
    if (f.path !== undefined) {
      const norm = normaliseRepoPath(f.path);
      if ('error' in norm)
        throw new InputError(
          `templateName: template ${
            template.name
          } renders the path ${JSON.stringify(f.path)}, which ${norm.error}`,
        );
      if (!/\.ya?ml$/.test(norm.path))
        throw new InputError(
          `templateName: template ${template.name} renders the path ${norm.path}, which is not a .yaml file`,
        );
      path = norm.path;
    }
    byPath.set(path, [
      ...(byPath.get(path) ?? []),
      ...f.objects.map(o => o.object),
    ]);
  }
  const files: FileChange[] = [...byPath].map(([path, objects]) => ({
    path,
    content: toYaml(objects, header),
  }));
  const notes: string[] = [];

  // The management cluster applies the cluster's file.
  const wiring = await wireIntoKustomizations(repo, {
    dir: repositoryPath,
    entries: [relativeTo(repositoryPath, clusterFile)],
    parent: input.managementClusterPath,
  });
  files.push(...wiring.files);
  notes.push(...wiring.notes);
  if (!isUnder(repositoryPath, input.managementClusterPath))
    warnings.push(
      `${repositoryPath} is outside the management cluster's path ${input.managementClusterPath}: make sure its Flux applies it`,
    );
  for (const path of byPath.keys())
    if (
      path !== clusterFile &&
      !isUnder(path, input.managementClusterPath) &&
      !isUnder(path, leafPath)
    )
      warnings.push(
        `${path} (a resource template path) is outside the management and leaf paths`,
      );

  // The leaf's own Flux path: the shared secrets bootstrap, applied by the leaf's flux-system.
  if (input.secretsBootstrap) {
    const shared = bootstrapLayout(input.secretsBootstrapPath);
    if ((await repo.readFile(shared.dirKustomization)) === undefined)
      throw new InputError(
        `secretsBootstrapPath: ${shared.dirKustomization} does not exist on ${repo.baseBranch}; run the eso-flux-bootstrap template (gitops:secrets:bootstrap) with clusterPath ${input.secretsBootstrapPath} first, or set secretsBootstrap: false`,
      );
    files.push({
      path: joinPath(leafPath, 'secrets-bootstrap.yaml'),
      content: toYaml(
        [buildLeafSecretsKustomization({ path: input.secretsBootstrapPath })],
        `Applies the shared ESO bootstrap (CRDs → operator → stores) on leaf ${clusterName}. flux bootstrap adds flux-system/ next to this file.`,
      ),
    });
  }

  // Will the management cluster bootstrap it? Worth a warning, not a failure.
  const objects = rendered.files.flatMap(f => f.objects.map(o => o.object));
  const gitopsCluster = objects.find(o => o.kind === 'GitopsCluster');
  const capiCluster = objects.find(o => o.kind === 'Cluster');
  const { objects: mgmt } = await scanObjects(
    repo,
    input.managementClusterPath,
  );
  const inNs = (o: Record<string, any>) =>
    (o.metadata?.namespace ?? 'default') === clusterNamespace;
  if (
    gitopsCluster &&
    !mgmt.some(
      ({ object: o }) =>
        o.kind === 'ClusterBootstrapConfig' &&
        inNs(o) &&
        matchesSelector(
          gitopsCluster.metadata?.labels,
          o.spec?.clusterSelector,
        ),
    )
  )
    warnings.push(
      `No ClusterBootstrapConfig in namespace ${clusterNamespace} under ${input.managementClusterPath} selects GitopsCluster ${clusterName} (label ${FLUX_BOOTSTRAP_LABEL.key}: ${FLUX_BOOTSTRAP_LABEL.value}); Flux will not be bootstrapped on it. Run the capi-leaf-template template for this namespace.`,
    );
  if (
    capiCluster?.metadata?.labels?.[SECRET_MANAGER_LABEL.key] &&
    !mgmt.some(
      ({ object: o }) =>
        o.kind === 'ClusterResourceSet' &&
        inNs(o) &&
        matchesSelector(capiCluster.metadata?.labels, o.spec?.clusterSelector),
    )
  )
    warnings.push(
      `No ClusterResourceSet in namespace ${clusterNamespace} under ${input.managementClusterPath} selects Cluster ${clusterName}; it will not receive the ESO credentials.`,
    );

  return {
    files,
    clusterName,
    clusterNamespace,
    clusterFile,
    leafPath,
    warnings,
    notes,
    template,
    rendered,
  };
}

function prBody(input: CreateLeafInput, plan: CreateLeafPlan): string {
  const sections: string[] = [];
  if (input.description) sections.push(input.description);
  const params = Object.entries(plan.template.resolveParams(input.parameters));
  sections.push(
    `Creates leaf cluster \`${plan.clusterNamespace}/${plan.clusterName}\` from ${plan.template.template.kind} \`${plan.template.name}\`.`,
    [
      '| Parameter | Value |',
      '| --- | --- |',
      ...params.map(
        ([k, v]) => `| \`${k}\` | \`${v.replace(/\|/g, '\\|')}\` |`,
      ),
    ].join('\n'),
    [
      'Once merged:',
      `1. The management cluster applies \`${plan.clusterFile}\`: Cluster API creates the cluster.`,
      `2. The ClusterResourceSet copies the ESO credentials Secret into it; the ClusterBootstrapConfig runs \`flux bootstrap github\` with \`--path=./${plan.leafPath}\` once it is ready.`,
      input.secretsBootstrap
        ? `3. The leaf's Flux applies \`${plan.leafPath}/secrets-bootstrap.yaml\`: the shared ESO bootstrap at \`${input.secretsBootstrapPath}\` (CRDs → operator → stores, each step waiting for the previous one).`
        : '3. No secrets bootstrap was requested for this leaf.',
    ].join('\n'),
  );
  if (plan.warnings.length)
    sections.push('### Warnings', plan.warnings.map(w => `- ${w}`).join('\n'));
  if (plan.notes.length)
    sections.push('### Notes', plan.notes.map(n => `- ${n}`).join('\n'));
  sections.push(
    '### Files',
    plan.files.map(f => `- \`${f.path}\``).join('\n'),
    `Delete the cluster by deleting its file in a later pull request${
      input.injectPruneAnnotation
        ? ': only the Cluster and the GitopsCluster are pruned (the rest carries `kustomize.toolkit.fluxcd.io/prune: disabled`), and Cluster API tears down the machines in order.'
        : '.'
    }`,
  );
  return sections.join('\n\n');
}

/** `gitops:cluster:create-leaf`: renders a leaf-cluster template into a PR. */
export function createCreateLeafAction(options: {
  integrations: ScmIntegrationRegistry;
  octokitFactory?: OctokitFactory;
}) {
  const octokitFactory =
    options.octokitFactory ??
    createOctokitFactory({ integrations: options.integrations });
  return createTemplateAction({
    id: CREATE_LEAF_ACTION_ID,
    description:
      "Renders a CAPITemplate or GitOpsTemplate from the repository with WGE's semantics (params validated for required, options and types; envsubst or templating; values typed by the CRD schemas) and opens one pull request adding the cluster where WGE would, plus the leaf's own Flux path with the shared secrets bootstrap.",
    examples,
    supportsDryRun: true,
    schema: {
      input: toScaffolderSchema(createLeafInputSchema),
      output: toScaffolderSchema(createLeafOutputSchema),
    },
    async handler(ctx) {
      const input = parseActionInput(
        CREATE_LEAF_ACTION_ID,
        createLeafInputSchema,
        ctx.input,
      );
      const { octokit, owner, repo } = await octokitFactory({
        repoUrl: input.repoUrl,
        token: input.token,
      });
      const gitops = await openGitopsRepo(octokit, {
        owner,
        repo,
        targetBranch: input.targetBranch,
      });
      const plan = await planCreateLeaf(input, gitops);
      // The management cluster as Flux applies it: its path must be applied, and no object written may exist already.
      await checkManagementCluster(
        gitops,
        input.managementClusterPath,
        plan.files,
      );
      for (const w of plan.warnings) ctx.logger.warn(w);
      ctx.logger.info(
        `Rendered ${plan.template.template.kind} ${plan.template.name} for ${plan.clusterNamespace}/${plan.clusterName}: ${plan.files.length} file(s)`,
      );
      ctx.output('clusterName', plan.clusterName);
      ctx.output('clusterNamespace', plan.clusterNamespace);
      ctx.output('clusterFile', plan.clusterFile);
      ctx.output('leafPath', plan.leafPath);
      ctx.output('entityRef', `resource:default/${plan.clusterName}`);
      ctx.output('warnings', plan.warnings);
      const branchName =
        input.branchName ??
        derivedBranchName(
          'leaf-cluster',
          slug(`${plan.clusterNamespace}-${plan.clusterName}`),
          input,
        );
      if (ctx.isDryRun) {
        await outputDryRun(
          ctx.output,
          gitops,
          branchName,
          plan.files,
          input.overwrite,
        );
        return;
      }
      const title =
        input.title ??
        `Leaf cluster ${plan.clusterNamespace}/${plan.clusterName} from ${plan.template.name}`;
      const result = await publishPullRequest(ctx, octokit, gitops, {
        branchName,
        title,
        description: prBody(input, plan),
        commitMessage: input.commitMessage ?? title,
        files: plan.files,
        overwrite: input.overwrite,
        labels: input.labels,
        reviewers: input.reviewers,
        draft: input.draft,
        identity: {
          action: CREATE_LEAF_ACTION_ID,
          target: `${plan.clusterNamespace}/${plan.clusterName}`,
          inputs: inputsDigest(input),
        },
      });
      outputResult(ctx.output, gitops, result);
    },
  });
}
