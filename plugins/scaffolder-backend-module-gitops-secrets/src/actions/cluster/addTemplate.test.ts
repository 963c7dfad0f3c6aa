import { validateObject } from '@golden-gitops/crd-schemas';
import path from 'node:path';
import {
  Harness,
  mockContext,
  startHarness,
} from '../../github/__testUtils__/harness';
import { FLUX_CLI_IMAGE } from '../../manifests/cluster';
import { listKustomizeResources } from '../../manifests/secrets/yaml';
import { loadTemplate } from '../../render';
import {
  hasKubectl,
  kustomize,
  parseObjects,
} from '../secrets/__testUtils__/fixtures';
import { createAddTemplateAction } from './addTemplate';
import { createCreateLeafAction } from './createLeaf';
import { fleetRepo, managementRepo, MGMT } from './__testUtils__/fleet';

jest.setTimeout(120_000);

const T = `${MGMT}/capi/templates/leaf-cluster.yaml`;
const CBC = `${MGMT}/capi/bootstrap/default/cluster-bootstrap-config.yaml`;
const CRS = `${MGMT}/capi/bootstrap/default/credentials-resource-set.yaml`;

describe('gitops:cluster:add-template', () => {
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function repoWith(
    files: Record<string, string>,
    fullName = `acme/mgmt${++n}`,
  ) {
    await h.sim.createRepo(fullName, { files });
    h.sim.resetCounters();
    return fullName;
  }
  const action = () =>
    createAddTemplateAction({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    });
  const input = (fullName: string, extra: Record<string, unknown> = {}) => ({
    repoUrl: h.repoUrl(fullName),
    managementClusterPath: MGMT,
    ...extra,
  });
  async function run(
    i: Record<string, unknown>,
    opts: { isDryRun?: boolean } = {},
  ) {
    const m = mockContext(i, opts);
    await action().handler(m.ctx);
    return m;
  }
  const read = async (fullName: string, ref: string, p: string) =>
    parseObjects((await h.sim.readFile(fullName, ref, p))!);

  it('adds the template, the ClusterBootstrapConfig and the ClusterResourceSet in one PR; all validate', async () => {
    const fullName = await repoWith(await managementRepo());
    const { outputs } = await run(input(fullName));
    expect(outputs).toMatchObject({
      outcome: 'created',
      templatePath: T,
      bootstrapConfig: 'added',
      resourceSet: 'added',
      changedFiles: [
        T,
        CBC,
        CRS,
        `${MGMT}/capi/kustomization.yaml`,
        `${MGMT}/kustomization.yaml`,
      ],
    });
    const branch = h.sim.listPulls(fullName)[0].head.ref;
    expect(branch).toMatch(/^cluster-template\/leaf-cluster-[0-9a-f]{8}$/);
    const [template] = await read(fullName, branch, T);
    expect(template).toMatchObject({
      apiVersion: 'capi.weave.works/v1alpha2',
      kind: 'CAPITemplate',
    });
    const [cbc] = await read(fullName, branch, CBC);
    const [crs] = await read(fullName, branch, CRS);
    for (const o of [template, cbc, crs])
      expect(validateObject(o).errors).toEqual([]);
    // The owner, repository and branch come from the repository, not from a constant.
    const args = cbc.spec.jobTemplate.spec.containers[0].args;
    expect(args).toEqual(
      expect.arrayContaining([
        `--owner=acme`,
        `--repository=${fullName.split('/')[1]}`,
        '--branch=main',
        `--hostname=${h.sim.host}`,
      ]),
    );
    // Asked from GitHub: the simulator reports every owner as a User.
    expect(args).toContain('--personal');
    expect(cbc.spec.jobTemplate.spec.containers[0].image).toBe(FLUX_CLI_IMAGE);
    expect(crs).toMatchObject({
      apiVersion: 'addons.cluster.x-k8s.io/v1beta2',
      spec: {
        clusterSelector: { matchLabels: { secretmanager: 'aws' } },
        resources: [{ kind: 'Secret', name: 'eso-credentials-crs' }],
      },
    });
    expect(
      listKustomizeResources(
        (await h.sim.readFile(fullName, branch, `${MGMT}/kustomization.yaml`))!,
      ),
    ).toEqual(['flux-system', 'apps.yaml', 'capi']);
    // The comments of the existing kustomization.yaml survive.
    expect(
      await h.sim.readFile(fullName, branch, `${MGMT}/kustomization.yaml`),
    ).toContain('# Everything Flux applies on this cluster.');

    // The credentials are never in Git; the PR description says how to create them.
    const [pr] = h.sim.listPulls(fullName);
    expect(pr.body).toContain(
      'kubectl create secret generic eso-credentials-crs -n default',
    );
    expect(pr.body).toContain('--type=addons.cluster.x-k8s.io/resource-set');
    expect(pr.body).toContain('"$AWS_SECRET_ACCESS_KEY"');
    expect(pr.body).toContain(
      'kubectl create secret generic flux-bootstrap-github-token -n default',
    );
    for (const p of outputs.changedFiles as string[])
      expect(
        (await read(fullName, branch, p)).filter(o => o.kind === 'Secret'),
      ).toEqual([]);
  });

  it('builds with kubectl kustomize on the cloned branch', async () => {
    if (!(await hasKubectl())) return;
    const fullName = await repoWith(await managementRepo());
    await run(input(fullName));
    const dir = await h.clone(fullName, h.sim.listPulls(fullName)[0].head.ref);
    const built = await kustomize(path.join(dir, MGMT));
    expect(built.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(
      expect.arrayContaining([
        'CAPITemplate/leaf-cluster',
        'ClusterBootstrapConfig/flux-bootstrap',
        'ClusterResourceSet/eso-credentials',
      ]),
    );
  });

  it.each([
    ['GitOpsTemplate', 'v1beta1', 'docker'],
    ['CAPITemplate', 'v1beta2', 'docker'],
    ['GitOpsTemplate', 'v1beta2', 'dev'],
  ] as const)(
    '%s with Cluster API %s and CAPD %s renders into valid objects',
    async (templateKind, capiVersion, infrastructure) => {
      const fullName = await repoWith(await managementRepo());
      const { outputs } = await run(
        input(fullName, { templateKind, capiVersion, infrastructure }),
        { isDryRun: true },
      );
      const file = (
        outputs.files as Array<{ path: string; content: string }>
      ).find(f => f.path === T)!;
      const t = loadTemplate(file.content, T);
      expect(t.template.kind).toBe(templateKind);
      const r = t.render(t.resolveParams({ CLUSTER_NAME: 'c1' }), {
        namespace: 'default',
      });
      const objects = r.files.flatMap(f => f.objects.map(o => o.object));
      expect(
        objects.some(
          o =>
            o.kind ===
            (infrastructure === 'dev' ? 'DevCluster' : 'DockerCluster'),
        ),
      ).toBe(true);
      for (const o of objects) {
        expect(validateObject(o).errors).toEqual([]);
        expect(
          o.kind === 'GitopsCluster' || o.apiVersion.endsWith(capiVersion),
        ).toBe(true);
      }
      expect(h.writes()).toEqual({});
    },
  );

  describe('EKS (Cluster API Provider AWS)', () => {
    const EKS_T = `${MGMT}/capi/templates/eks.yaml`;
    async function eksTemplate(extra: Record<string, unknown> = {}) {
      const fullName = await repoWith(await managementRepo());
      const { outputs } = await run(
        input(fullName, {
          templateName: 'eks',
          infrastructure: 'eks',
          ...extra,
        }),
        { isDryRun: true },
      );
      expect(h.writes()).toEqual({});
      const files = outputs.files as Array<{ path: string; content: string }>;
      return {
        text: files.find(f => f.path === EKS_T)!.content,
        files,
        outputs,
      };
    }

    it.each(['v1beta2', 'v1beta1'] as const)(
      'Cluster API %s: renders a Cluster, AWSManagedControlPlane and MachinePool that validate against the CAPA and CAPI CRDs',
      async capiVersion => {
        const { text } = await eksTemplate({
          capiVersion,
          awsRegion: 'eu-central-1',
        });
        const t = loadTemplate(text, EKS_T);
        expect(t.params.map(p => [p.name, p.default])).toEqual([
          ['CLUSTER_NAME', undefined],
          ['NAMESPACE', 'default'],
          ['AWS_REGION', 'eu-central-1'],
          ['KUBERNETES_VERSION', 'v1.35'],
          ['INSTANCE_TYPE', 't3.large'],
          ['WORKER_MACHINE_COUNT', '1'],
        ]);
        const r = t.render(
          t.resolveParams({
            CLUSTER_NAME: 'eks-1',
            KUBERNETES_VERSION: 'v1.33',
            WORKER_MACHINE_COUNT: 3,
          }),
          { namespace: 'default' },
        );
        const objects = r.files.flatMap(f => f.objects.map(o => o.object));
        expect(objects.map(o => o.kind)).toEqual([
          'GitopsCluster',
          'Cluster',
          'AWSManagedCluster',
          'AWSManagedControlPlane',
          'MachinePool',
          'AWSManagedMachinePool',
        ]);
        for (const o of objects)
          expect({ kind: o.kind, errors: validateObject(o).errors }).toEqual({
            kind: o.kind,
            errors: [],
          });
        const byKind = (k: string) => objects.find(o => o.kind === k)!;
        const cluster = byKind('Cluster');
        const cp = byKind('AWSManagedControlPlane');
        const pool = byKind('MachinePool');
        expect(cluster.apiVersion).toBe(`cluster.x-k8s.io/${capiVersion}`);
        expect(pool.apiVersion).toBe(`cluster.x-k8s.io/${capiVersion}`);
        // The references name the objects the template renders.
        expect(cluster.spec.controlPlaneRef).toMatchObject({
          kind: 'AWSManagedControlPlane',
          name: cp.metadata.name,
        });
        expect(cluster.spec.infrastructureRef).toMatchObject({
          kind: 'AWSManagedCluster',
          name: byKind('AWSManagedCluster').metadata.name,
        });
        expect(pool.spec.template.spec.infrastructureRef).toMatchObject({
          kind: 'AWSManagedMachinePool',
          name: byKind('AWSManagedMachinePool').metadata.name,
        });
        expect(pool.spec.replicas).toBe(3);
        expect(cp.spec).toEqual({
          region: 'eu-central-1',
          version: 'v1.33',
          associateOIDCProvider: true,
        });
        expect(byKind('AWSManagedMachinePool').spec.instanceType).toBe(
          't3.large',
        );
        // ESO credentials reach the leaf through the ClusterResourceSet's label, never through Git.
        expect(cluster.metadata.labels).toEqual({
          secretmanager: 'aws',
          cni: 'vpc-cni',
        });
        expect(text).not.toMatch(
          /identityRef|accessKey|secretAccessKey|kind: Secret/,
        );
      },
    );

    it.each([
      [{}, 'AWS_REGION', /is required/],
      [
        { AWS_REGION: 'eu-west-1', KUBERNETES_VERSION: 'v1.35.0' },
        'KUBERNETES_VERSION',
        /allowed values: v1.35, v1.34, v1.33/,
      ],
      [
        { AWS_REGION: 'eu-west-1', CONTROL_PLANE_MACHINE_COUNT: '3' },
        'CONTROL_PLANE_MACHINE_COUNT',
        /not a parameter/,
      ],
      [
        { AWS_REGION: 'eu-west-1', WORKER_MACHINE_COUNT: 'two' },
        'WORKER_MACHINE_COUNT',
        /whole number.*MachinePool/,
      ],
    ])('the EKS params reject %j naming %s', async (given, param, message) => {
      const { text } = await eksTemplate();
      const t = loadTemplate(text, EKS_T);
      let error: any;
      try {
        t.resolveParams({ CLUSTER_NAME: 'eks-1', ...given });
      } catch (e) {
        error = e;
      }
      const problem = error?.problems?.find((p: any) => p.param === param);
      expect(problem?.message).toMatch(message);
    });

    it('says in the PR what CAPA needs and that IRSA is available', async () => {
      const fullName = await repoWith(await managementRepo());
      await run(
        input(fullName, { templateName: 'eks', infrastructure: 'eks' }),
      );
      const [pr] = h.sim.listPulls(fullName);
      expect(pr.body).toContain('Amazon EKS through Cluster API Provider AWS');
      expect(pr.body).toMatch(/clusterctl init --infrastructure aws/);
      expect(pr.body).toMatch(/IRSA/);
    });
  });

  it('once per namespace: an existing ClusterBootstrapConfig and ClusterResourceSet are reused, not duplicated', async () => {
    const files = await fleetRepo();
    // Move them where the seed keeps them, under other names.
    files[`${MGMT}/capi/bootstrap/capi-gitops-cluster-bootstrap-config.yaml`] =
      files[CBC];
    files[`${MGMT}/capi/bootstrap/aws-sm-crs.yaml`] = files[CRS];
    delete files[CBC];
    delete files[CRS];
    files[`${MGMT}/capi/kustomization.yaml`] = files[
      `${MGMT}/capi/kustomization.yaml`
    ]
      .replace(
        'bootstrap/default/cluster-bootstrap-config.yaml',
        'bootstrap/capi-gitops-cluster-bootstrap-config.yaml',
      )
      .replace(
        'bootstrap/default/credentials-resource-set.yaml',
        'bootstrap/aws-sm-crs.yaml',
      );
    const fullName = await repoWith(files);
    const { outputs } = await run(input(fullName, { templateName: 'second' }));
    expect(outputs).toMatchObject({
      outcome: 'created',
      bootstrapConfig: 'present',
      resourceSet: 'present',
      changedFiles: [
        `${MGMT}/capi/templates/second.yaml`,
        `${MGMT}/capi/kustomization.yaml`,
      ],
    });
    const [pr] = h.sim.listPulls(fullName);
    expect(pr.body).toContain(
      'already present in clusters/management/capi/bootstrap/capi-gitops-cluster-bootstrap-config.yaml',
    );
    expect(pr.body).not.toContain('kubectl create secret');
  });

  it('another namespace gets its own ClusterBootstrapConfig and ClusterResourceSet', async () => {
    const fullName = await repoWith(await fleetRepo());
    const { outputs } = await run(
      input(fullName, {
        templateName: 'team-a',
        clusterNamespace: 'team-a',
        bootstrap: { personal: false },
      }),
    );
    expect(outputs).toMatchObject({
      bootstrapConfig: 'added',
      resourceSet: 'added',
    });
    const [cbc] = await read(
      fullName,
      h.sim.listPulls(fullName)[0].head.ref,
      `${MGMT}/capi/bootstrap/team-a/cluster-bootstrap-config.yaml`,
    );
    expect(cbc.metadata.namespace).toBe('team-a');
    expect(cbc.spec.jobTemplate.spec.containers[0].args).not.toContain(
      '--personal',
    );
    const [crs] = await read(
      fullName,
      h.sim.listPulls(fullName)[0].head.ref,
      `${MGMT}/capi/bootstrap/team-a/credentials-resource-set.yaml`,
    );
    expect(crs.metadata.namespace).toBe('team-a');
  });

  it('is idempotent, and after merging, the same inputs are "nothing to change"', async () => {
    const fullName = await repoWith(await managementRepo());
    const first = await run(input(fullName));
    h.sim.resetCounters();
    const second = await run(input(fullName));
    expect(second.outputs).toMatchObject({
      outcome: 'unchanged',
      pullRequestNumber: first.outputs.pullRequestNumber,
      commitSha: first.outputs.commitSha,
    });
    expect(h.writes()).toEqual({});

    const { octokit } = await h.octokitFactory({
      repoUrl: h.repoUrl(fullName),
    });
    const [owner, repo] = fullName.split('/');
    await octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: first.outputs.pullRequestNumber as number,
    });
    h.sim.resetCounters();
    const third = await run(input(fullName));
    expect(third.outputs.outcome).toBe('nothing-to-change');
    expect(h.writes()).toEqual({});
  });

  it('end to end: the merged template creates a leaf with create-leaf', async () => {
    const files = await fleetRepo();
    // Start from the management cluster only, plus the shared secrets bootstrap.
    for (const p of Object.keys(files))
      if (p.startsWith(`${MGMT}/capi/`)) delete files[p];
    files[`${MGMT}/kustomization.yaml`] = files[
      `${MGMT}/kustomization.yaml`
    ].replace('  - capi\n', '');
    const fullName = await repoWith(files);
    const added = await run(input(fullName));
    const { octokit } = await h.octokitFactory({
      repoUrl: h.repoUrl(fullName),
    });
    const [owner, repo] = fullName.split('/');
    await octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: added.outputs.pullRequestNumber as number,
    });

    const leaf = mockContext({
      repoUrl: h.repoUrl(fullName),
      managementClusterPath: MGMT,
      templateName: 'leaf-cluster',
      parameters: { CLUSTER_NAME: 'e2e' },
    });
    await createCreateLeafAction({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    }).handler(leaf.ctx);
    expect(leaf.outputs).toMatchObject({ outcome: 'created', warnings: [] });
  });

  it('end to end: a merged EKS template creates a leaf with create-leaf, selected by the bootstrap config and the credentials set', async () => {
    const files = await fleetRepo();
    for (const p of Object.keys(files))
      if (p.startsWith(`${MGMT}/capi/`)) delete files[p];
    files[`${MGMT}/kustomization.yaml`] = files[
      `${MGMT}/kustomization.yaml`
    ].replace('  - capi\n', '');
    const fullName = await repoWith(files);
    const added = await run(
      input(fullName, { templateName: 'eks', infrastructure: 'eks' }),
    );
    const { octokit } = await h.octokitFactory({
      repoUrl: h.repoUrl(fullName),
    });
    const [owner, repo] = fullName.split('/');
    await octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: added.outputs.pullRequestNumber as number,
    });
    const leaf = mockContext({
      repoUrl: h.repoUrl(fullName),
      managementClusterPath: MGMT,
      templateName: 'eks',
      parameters: { CLUSTER_NAME: 'eks-1', AWS_REGION: 'eu-west-1' },
    });
    await createCreateLeafAction({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    }).handler(leaf.ctx);
    expect(leaf.outputs).toMatchObject({ outcome: 'created', warnings: [] });
    const objects = await read(
      fullName,
      h.sim
        .listPulls(fullName)
        .find(p => p.number !== added.outputs.pullRequestNumber)!.head.ref,
      `${MGMT}/clusters/default/eks-1.yaml`,
    );
    for (const o of objects) expect(validateObject(o).errors).toEqual([]);
    expect(objects.find(o => o.kind === 'MachinePool')!.spec.replicas).toBe(1);
  });

  describe('bad inputs: rejected naming the field, nothing written', () => {
    it.each([
      [{ managementClusterPath: '../x' }, 'managementClusterPath'],
      [{ templateName: 'Leaf' }, 'templateName'],
      [{ templateKind: 'ClusterTemplate' }, 'templateKind'],
      [{ capiVersion: 'v1alpha4' }, 'capiVersion'],
      [{ infrastructure: 'aws' }, 'infrastructure'],
      [{ kubernetesVersions: ['1.35'] }, 'kubernetesVersions[0]'],
      [{ kubernetesVersions: [] }, 'kubernetesVersions'],
      [{ defaultWorkerCount: 1.5 }, 'defaultWorkerCount'],
      [{ defaultWorkerCount: -1 }, 'defaultWorkerCount'],
      [{ defaultControlPlaneCount: '2' }, 'defaultControlPlaneCount'],
      [{ clusterNamespace: 'Team A' }, 'clusterNamespace'],
      [{ cni: 'cal ico' }, 'cni'],
      [{ bootstrap: { owner: 'acme/../x' } }, 'bootstrap.owner'],
      [{ bootstrap: { image: 'ghcr.io/fluxcd/flux-cli' } }, 'bootstrap.image'],
      [
        { bootstrap: { tokenSecretName: 'My Secret' } },
        'bootstrap.tokenSecretName',
      ],
      [
        { credentials: { accessKeyIdEnv: 'AWS KEY; rm -rf /' } },
        'credentials.accessKeyIdEnv',
      ],
      [
        { credentials: { secretNamespace: 'a: b' } },
        'credentials.secretNamespace',
      ],
      [{ leafClustersPath: '/abs' }, 'leafClustersPath'],
      [{ kubernetesVersions: ['v1.35'] }, 'kubernetesVersions'],
      [
        { infrastructure: 'eks', kubernetesVersions: ['latest'] },
        'kubernetesVersions[0]',
      ],
      [{ infrastructure: 'eks', awsRegion: 'Frankfurt' }, 'awsRegion'],
      [{ infrastructure: 'eks', instanceType: 'large' }, 'instanceType'],
    ])('%j', async (over, field) => {
      const fullName = `acme/bad${++n}`;
      await repoWith(await managementRepo(), fullName);
      await expect(run(input(fullName, over))).rejects.toThrow(
        new RegExp(`${field.replace(/[.[\]]/g, '\\$&')}: `),
      );
      expect(h.writes()).toEqual({});
    });
  });
});
