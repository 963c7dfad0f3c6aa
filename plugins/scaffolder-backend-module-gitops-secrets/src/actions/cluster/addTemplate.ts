import { InputError } from '@backstage/errors';
import { checkManagementCluster } from '../../repoModel';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Octokit } from '@octokit/rest';
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
  buildClusterBootstrapConfig,
  buildCredentialsClusterResourceSet,
  buildLeafClusterTemplate,
  CNI_LABEL_KEY,
  credentialsCommands,
  defaultCni,
  FLUX_BOOTSTRAP_LABEL,
  KubeObject,
  matchesSelector,
  SECRET_MANAGER_LABEL,
} from '../../manifests/cluster';
import { toYaml } from '../../manifests/secrets/yaml';
import { parseActionInput, toScaffolderSchema, z } from '../../validation';
import {
  outputDryRun,
  outputResult,
  publishOutputSchema,
} from '../secrets/common';
import { examples } from './addTemplate.examples';
import { AddTemplateInput, addTemplateInputSchema } from './inputs';
import { fence, joinPath, scanObjects, wireIntoKustomizations } from './shared';

export const ADD_TEMPLATE_ACTION_ID = 'gitops:cluster:add-template';

export const addTemplateOutputSchema = publishOutputSchema.extend({
  templatePath: z.string().describe('File of the template in the repository.'),
  templateName: z.string().describe('Name of the template object.'),
  bootstrapConfig: z
    .enum(['added', 'present'])
    .describe(
      'added: this PR adds the ClusterBootstrapConfig; present: the namespace already had one.',
    ),
  resourceSet: z
    .enum(['added', 'present'])
    .describe(
      'added: this PR adds the credentials ClusterResourceSet; present: the namespace already had one.',
    ),
});

/** Where add-template writes, for a management cluster folder `M`. */
export function addTemplateLayout(
  input: Pick<
    AddTemplateInput,
    'managementClusterPath' | 'templateName' | 'clusterNamespace'
  >,
) {
  const capiDir = joinPath(input.managementClusterPath, 'capi');
  return {
    capiDir,
    template: joinPath(capiDir, 'templates', `${input.templateName}.yaml`),
    bootstrapConfig: joinPath(
      capiDir,
      'bootstrap',
      input.clusterNamespace,
      'cluster-bootstrap-config.yaml',
    ),
    resourceSet: joinPath(
      capiDir,
      'bootstrap',
      input.clusterNamespace,
      'credentials-resource-set.yaml',
    ),
  };
}

const nsOf = (o: Record<string, any>) => o.metadata?.namespace ?? 'default';

async function isUserOwner(
  octokit: Octokit,
  owner: string,
  warn: (m: string) => void,
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.users.getByUsername({
      username: owner,
    });
    return data.type === 'User';
  } catch (error) {
    warn(
      `Could not tell whether ${owner} is a user or an organisation (${String(
        (error as Error).message,
      )}); flux bootstrap will treat it as an organisation. Set bootstrap.personal to choose.`,
    );
    return false;
  }
}

export interface AddTemplatePlan {
  files: FileChange[];
  notes: string[];
  bootstrapConfig: {
    state: 'added' | 'present';
    where?: string;
    object?: KubeObject;
  };
  resourceSet: {
    state: 'added' | 'present';
    where?: string;
    object?: KubeObject;
  };
  templatePath: string;
}

/** Everything add-template writes, from the input and reads of the base branch. */
export async function planAddTemplate(
  input: AddTemplateInput,
  repo: GitopsRepo,
  ctx: { octokit: Octokit; host: string; warn: (m: string) => void },
): Promise<AddTemplatePlan> {
  const layout = addTemplateLayout(input);
  // CAPD runs kindest/node:<version>, which has no minor-only tags; EKS takes either form.
  if (input.infrastructure !== 'eks')
    for (const v of input.kubernetesVersions ?? [])
      if (!/^v\d+\.\d+\.\d+$/.test(v))
        throw new InputError(
          `kubernetesVersions: "${v}" must look like v1.35.0 for infrastructure ${input.infrastructure} (a kindest/node image tag); only eks takes v1.35`,
        );
  const cni = input.cni ?? defaultCni(input.infrastructure);
  const template = buildLeafClusterTemplate({
    name: input.templateName,
    namespace: input.templateNamespace,
    kind: input.templateKind,
    capiVersion: input.capiVersion,
    infrastructure: input.infrastructure,
    kubernetesVersions: input.kubernetesVersions,
    defaultControlPlaneCount: input.defaultControlPlaneCount,
    defaultWorkerCount: input.defaultWorkerCount,
    defaultNamespace: input.clusterNamespace,
    cni,
    defaultAwsRegion: input.awsRegion,
    defaultInstanceType: input.instanceType,
  });
  const files: FileChange[] = [
    {
      path: layout.template,
      content: toYaml(
        [template],
        'Leaf-cluster template (WGE). Create clusters from it with the leaf-cluster Backstage template (gitops:cluster:create-leaf).',
      ),
    },
  ];

  // Once per namespace: reuse what the management cluster already has.
  const { objects, unreadable, truncated } = await scanObjects(
    repo,
    input.managementClusterPath,
  );
  if (truncated)
    ctx.warn(
      `${input.managementClusterPath} holds more than 500 YAML files; only the first 500 were searched for an existing ClusterBootstrapConfig or ClusterResourceSet`,
    );
  for (const path of unreadable)
    ctx.warn(
      `${path} is not valid YAML; it was not searched for an existing ClusterBootstrapConfig or ClusterResourceSet`,
    );
  const gitopsClusterLabels = {
    [FLUX_BOOTSTRAP_LABEL.key]: FLUX_BOOTSTRAP_LABEL.value,
  };
  const clusterLabels = {
    [SECRET_MANAGER_LABEL.key]: SECRET_MANAGER_LABEL.value,
    [CNI_LABEL_KEY]: cni,
  };
  const existingCbc = objects.find(
    ({ path, object: o }) =>
      o.kind === 'ClusterBootstrapConfig' &&
      nsOf(o) === input.clusterNamespace &&
      path !== layout.bootstrapConfig &&
      matchesSelector(gitopsClusterLabels, o.spec?.clusterSelector),
  );
  const existingCrs = objects.find(
    ({ path, object: o }) =>
      o.kind === 'ClusterResourceSet' &&
      nsOf(o) === input.clusterNamespace &&
      path !== layout.resourceSet &&
      matchesSelector(clusterLabels, o.spec?.clusterSelector) &&
      (o.spec?.resources ?? []).some((r: any) => r?.kind === 'Secret'),
  );

  const plan: AddTemplatePlan = {
    files,
    notes: [],
    templatePath: layout.template,
    bootstrapConfig: existingCbc
      ? {
          state: 'present',
          where: `${existingCbc.path} (${existingCbc.object.metadata?.name})`,
        }
      : { state: 'added' },
    resourceSet: existingCrs
      ? {
          state: 'present',
          where: `${existingCrs.path} (${existingCrs.object.metadata?.name})`,
        }
      : { state: 'added' },
  };
  const entries = ['templates/' + `${input.templateName}.yaml`];

  if (!existingCbc) {
    const personal =
      input.bootstrap.personal ??
      (await isUserOwner(
        ctx.octokit,
        input.bootstrap.owner ?? repo.owner,
        ctx.warn,
      ));
    const cbc = buildClusterBootstrapConfig({
      namespace: input.clusterNamespace,
      owner: input.bootstrap.owner ?? repo.owner,
      repository: input.bootstrap.repository ?? repo.repo,
      branch: input.bootstrap.branch ?? repo.baseBranch,
      hostname: ctx.host,
      personal,
      clustersPath: input.leafClustersPath,
      tokenSecret: {
        name: input.bootstrap.tokenSecretName,
        key: input.bootstrap.tokenSecretKey,
      },
      image: input.bootstrap.image,
    });
    plan.bootstrapConfig.object = cbc;
    files.push({
      path: layout.bootstrapConfig,
      content: toYaml(
        [cbc],
        `Bootstraps Flux on every GitopsCluster labelled ${FLUX_BOOTSTRAP_LABEL.key}: ${FLUX_BOOTSTRAP_LABEL.value} in namespace ${input.clusterNamespace}.\nThe token comes from Secret ${input.bootstrap.tokenSecretName}, created by hand (see the pull request).`,
      ),
    });
    entries.push(
      `bootstrap/${input.clusterNamespace}/cluster-bootstrap-config.yaml`,
    );
  }
  if (!existingCrs) {
    const crs = buildCredentialsClusterResourceSet({
      name: input.credentials.resourceSetName,
      namespace: input.clusterNamespace,
      wrapperSecretName: input.credentials.wrapperSecretName,
    });
    plan.resourceSet.object = crs;
    files.push({
      path: layout.resourceSet,
      content: toYaml(
        [crs],
        `Copies the ESO credentials into every Cluster labelled ${SECRET_MANAGER_LABEL.key}: ${SECRET_MANAGER_LABEL.value} in namespace ${input.clusterNamespace}.\nSecret ${input.credentials.wrapperSecretName} is created by hand and never committed (see the pull request).`,
      ),
    });
    entries.push(
      `bootstrap/${input.clusterNamespace}/credentials-resource-set.yaml`,
    );
  }

  const wiring = await wireIntoKustomizations(repo, {
    dir: layout.capiDir,
    entries,
    parent: input.managementClusterPath,
  });
  files.push(...wiring.files);
  plan.notes.push(...wiring.notes);
  return plan;
}

function prTitle(input: AddTemplateInput) {
  return (
    input.title ??
    `Leaf-cluster template ${input.templateName} for ${input.managementClusterPath}`
  );
}

function prBody(input: AddTemplateInput, plan: AddTemplatePlan): string {
  const c = input.credentials;
  const sections: string[] = [];
  if (input.description) sections.push(input.description);
  sections.push(
    `Adds the ${input.templateKind} \`${input.templateName}\` (Cluster API ${
      input.capiVersion
    }, ${
      {
        dev: 'CAPD Dev* kinds',
        docker: 'CAPD Docker* kinds',
        eks: 'Amazon EKS through Cluster API Provider AWS: AWSManagedControlPlane and a managed node group',
      }[input.infrastructure]
    }) to the management cluster at \`${
      input.managementClusterPath
    }\`. Each cluster created from it (template **leaf-cluster**, action \`gitops:cluster:create-leaf\`) is labelled so that:`,
    [
      `- the **ClusterBootstrapConfig** ${
        plan.bootstrapConfig.state === 'added'
          ? `added here (\`${addTemplateLayout(input).bootstrapConfig}\`)`
          : `already present in ${plan.bootstrapConfig.where}`
      } runs \`flux bootstrap github\` against it once it is ready (GitopsCluster label \`${
        FLUX_BOOTSTRAP_LABEL.key
      }: ${FLUX_BOOTSTRAP_LABEL.value}\`), syncing \`./${
        input.leafClustersPath
      }/<namespace>/<name>\`;`,
      `- the **ClusterResourceSet** ${
        plan.resourceSet.state === 'added'
          ? `added here (\`${addTemplateLayout(input).resourceSet}\`)`
          : `already present in ${plan.resourceSet.where}`
      } copies the ESO credentials Secret \`${c.secretNamespace}/${
        c.secretName
      }\` into it (Cluster label \`${SECRET_MANAGER_LABEL.key}: ${
        SECRET_MANAGER_LABEL.value
      }\`), so the leaf's SecretStore can authenticate as soon as ESO runs.`,
    ].join('\n'),
  );
  if (input.infrastructure === 'eks')
    sections.push(
      '### EKS',
      [
        '- The management cluster must run Cluster API Provider AWS (`clusterctl init --infrastructure aws`) with its own AWS identity (IAM role or `clusterawsadm` credentials set up there); the template sets no `identityRef`, so CAPA uses its controller identity and nothing about AWS access is in Git.',
        "- Each AWSManagedControlPlane associates the cluster's OIDC provider (`associateOIDCProvider: true`): instead of the copied credentials Secret, ESO on the leaf can use IRSA (an IAM role annotated on its ServiceAccount).",
      ].join('\n'),
    );
  if (
    plan.bootstrapConfig.state === 'added' ||
    plan.resourceSet.state === 'added'
  ) {
    sections.push(
      '### Before merging: create the Secrets (never committed)',
      'No credential is in this pull request. Run this against the management cluster, with the values in your environment:',
      fence(
        'bash',
        credentialsCommands({
          namespace: input.clusterNamespace,
          wrapperSecretName: c.wrapperSecretName,
          secretName: c.secretName,
          secretNamespace: c.secretNamespace,
          keys: [
            { key: c.accessKeyIdKey, env: c.accessKeyIdEnv },
            { key: c.secretAccessKeyKey, env: c.secretAccessKeyEnv },
          ],
          tokenSecret:
            plan.bootstrapConfig.state === 'added'
              ? {
                  name: input.bootstrap.tokenSecretName,
                  key: input.bootstrap.tokenSecretKey,
                  namespace: input.clusterNamespace,
                  env: 'GITHUB_TOKEN',
                }
              : undefined,
        }),
      ),
      'Rotating the credentials later: run the second command again; the ClusterResourceSet (strategy Reconcile) re-applies them to every leaf.',
    );
  }
  sections.push(
    '### Requirements on the management cluster',
    [
      '- Cluster API v1.14+ with CAPD and the kubeadm providers (ClusterResourceSet is GA: no feature gate).',
      "- WGE's templates-controller CRDs (CAPITemplate/GitOpsTemplate), cluster-controller (GitopsCluster) and cluster-bootstrap-controller (ClusterBootstrapConfig).",
      `- Leaves get ESO from the shared secrets bootstrap their Flux path applies (\`gitops:cluster:create-leaf\`, default \`clusters/bases/secrets\`); its store must read Secret \`${c.secretNamespace}/${c.secretName}\` with keys \`${c.accessKeyIdKey}\`/\`${c.secretAccessKeyKey}\`.`,
    ].join('\n'),
  );
  if (plan.notes.length)
    sections.push('### Notes', plan.notes.map(n => `- ${n}`).join('\n'));
  sections.push('### Files', plan.files.map(f => `- \`${f.path}\``).join('\n'));
  return sections.join('\n\n');
}

/** `gitops:cluster:add-template`: adds a leaf-cluster template (and, once, its bootstrap) by PR. */
export function createAddTemplateAction(options: {
  integrations: ScmIntegrationRegistry;
  octokitFactory?: OctokitFactory;
}) {
  const octokitFactory =
    options.octokitFactory ??
    createOctokitFactory({ integrations: options.integrations });
  return createTemplateAction({
    id: ADD_TEMPLATE_ACTION_ID,
    description:
      'Opens one pull request that adds a leaf-cluster CAPITemplate or GitOpsTemplate (Cluster API v1beta2 by default, CAPD) to the management cluster, and — once per namespace — a ClusterBootstrapConfig running flux bootstrap github and a ClusterResourceSet copying the ESO credentials. No credential goes into Git: the PR description gives the commands.',
    examples,
    supportsDryRun: true,
    schema: {
      input: toScaffolderSchema(addTemplateInputSchema),
      output: toScaffolderSchema(addTemplateOutputSchema),
    },
    async handler(ctx) {
      const input = parseActionInput(
        ADD_TEMPLATE_ACTION_ID,
        addTemplateInputSchema,
        ctx.input,
      );
      const { octokit, owner, repo, host } = await octokitFactory({
        repoUrl: input.repoUrl,
        token: input.token,
      });
      const branchName =
        input.branchName ??
        derivedBranchName('cluster-template', input.templateName, input);
      // Known before reading: the branch is read in the same request as the repository.
      const gitops = await openGitopsRepo(octokit, {
        owner,
        repo,
        targetBranch: input.targetBranch,
        branchName,
      });
      const plan = await planAddTemplate(input, gitops, {
        octokit,
        host,
        warn: m => ctx.logger.warn(m),
      });
      // The management cluster as Flux applies it: its path must be applied, and no object written may exist already.
      await checkManagementCluster(
        gitops,
        input.managementClusterPath,
        plan.files,
      );
      ctx.logger.info(
        `Leaf-cluster template ${input.templateName}: ${plan.files.length} file(s); ClusterBootstrapConfig ${plan.bootstrapConfig.state}, ClusterResourceSet ${plan.resourceSet.state}`,
      );
      ctx.output('templatePath', plan.templatePath);
      ctx.output('templateName', input.templateName);
      ctx.output('bootstrapConfig', plan.bootstrapConfig.state);
      ctx.output('resourceSet', plan.resourceSet.state);
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
      const title = prTitle(input);
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
          action: ADD_TEMPLATE_ACTION_ID,
          target: `${input.managementClusterPath}:${input.templateName}`,
          inputs: inputsDigest(input),
        },
      });
      outputResult(ctx.output, gitops, result);
    },
  });
}
