import { validateAny, validateObject } from '@golden-gitops/crd-schemas';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  Harness,
  mockContext,
  startHarness,
} from '../../github/__testUtils__/harness';
import { matchesSelector } from '../../manifests/cluster';
import {
  hasKubectl,
  kustomize,
  parseObjects,
} from '../secrets/__testUtils__/fixtures';
import { createCreateLeafAction } from './createLeaf';
import {
  fleetRepo,
  managementRepo,
  MGMT,
  SEED_TEMPLATE,
  SHARED_SECRETS,
} from './__testUtils__/fleet';

jest.setTimeout(120_000);

const PARAMS = {
  CLUSTER_NAME: 'dev-1',
  NAMESPACE: 'default',
  KUBERNETES_VERSION: 'v1.35.0',
  CONTROL_PLANE_MACHINE_COUNT: '3',
  WORKER_MACHINE_COUNT: 2,
};

describe('gitops:cluster:create-leaf', () => {
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function repoWith(files: Record<string, string>) {
    n += 1;
    const fullName = `acme/fleet${n}`;
    await h.sim.createRepo(fullName, { files });
    h.sim.resetCounters();
    return fullName;
  }
  const action = () =>
    createCreateLeafAction({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    });
  const input = (fullName: string, extra: Record<string, unknown> = {}) => ({
    repoUrl: h.repoUrl(fullName),
    managementClusterPath: MGMT,
    templateName: 'leaf-cluster',
    parameters: PARAMS,
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

  it('opens one PR with the rendered cluster where WGE puts it, the wiring and the leaf’s Flux path', async () => {
    const fullName = await repoWith(await fleetRepo());
    const { outputs, logs } = await run(input(fullName));
    expect(outputs).toMatchObject({
      outcome: 'created',
      clusterName: 'dev-1',
      clusterNamespace: 'default',
      clusterFile: `${MGMT}/clusters/default/dev-1.yaml`,
      leafPath: 'clusters/default/dev-1',
      entityRef: 'resource:default/dev-1',
      warnings: [],
      changedFiles: [
        `${MGMT}/clusters/default/dev-1.yaml`,
        `${MGMT}/clusters/kustomization.yaml`,
        `${MGMT}/kustomization.yaml`,
        'clusters/default/dev-1/secrets-bootstrap.yaml',
      ],
    });
    expect(logs.filter(l => l.startsWith('warn'))).toEqual([]);
    const [pr] = h.sim.listPulls(fullName);
    expect(pr.head.ref).toMatch(/^leaf-cluster\/default-dev-1-[0-9a-f]{8}$/);
    expect(pr.body).toContain('| `WORKER_MACHINE_COUNT` | `2` |');

    // Every object written validates, integers are integers, and the selectors match.
    const objects = parseObjects(
      (await h.sim.readFile(
        fullName,
        pr.head.ref,
        `${MGMT}/clusters/default/dev-1.yaml`,
      ))!,
    );
    expect(objects.map(o => o.kind)).toEqual([
      'GitopsCluster',
      'Cluster',
      'DevCluster',
      'DevMachineTemplate',
      'KubeadmControlPlane',
      'DevMachineTemplate',
      'KubeadmConfigTemplate',
      'MachineDeployment',
    ]);
    for (const o of objects)
      expect({ o: o.kind, errors: validateObject(o).errors }).toEqual({
        o: o.kind,
        errors: [],
      });
    expect(
      objects.find(o => o.kind === 'KubeadmControlPlane')!.spec.replicas,
    ).toBe(3);
    expect(
      objects.find(o => o.kind === 'MachineDeployment')!.spec.replicas,
    ).toBe(2);
    for (const o of objects)
      expect(
        o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune'],
      ).toBe(
        o.kind === 'Cluster' || o.kind === 'GitopsCluster'
          ? undefined
          : 'disabled',
      );
    const cbc = parseObjects(
      (await h.sim.readFile(
        fullName,
        'main',
        `${MGMT}/capi/bootstrap/default/cluster-bootstrap-config.yaml`,
      ))!,
    )[0];
    const crs = parseObjects(
      (await h.sim.readFile(
        fullName,
        'main',
        `${MGMT}/capi/bootstrap/default/credentials-resource-set.yaml`,
      ))!,
    )[0];
    const gc = objects.find(o => o.kind === 'GitopsCluster')!;
    const cluster = objects.find(o => o.kind === 'Cluster')!;
    expect(matchesSelector(gc.metadata.labels, cbc.spec.clusterSelector)).toBe(
      true,
    );
    expect(
      matchesSelector(cluster.metadata.labels, crs.spec.clusterSelector),
    ).toBe(true);
    // The bootstrap Job's --path is the leaf path this PR populates.
    expect(cbc.spec.jobTemplate.spec.containers[0].args).toContain(
      '--path=./clusters/{{ .ObjectMeta.Namespace }}/{{ .ObjectMeta.Name }}',
    );

    const leafK = parseObjects(
      (await h.sim.readFile(
        fullName,
        pr.head.ref,
        'clusters/default/dev-1/secrets-bootstrap.yaml',
      ))!,
    );
    expect(leafK).toEqual([
      expect.objectContaining({
        kind: 'Kustomization',
        spec: expect.objectContaining({
          path: `./${SHARED_SECRETS}`,
          wait: true,
        }),
      }),
    ]);
    expect(validateObject(leafK[0]).errors).toEqual([]);
  });

  it('builds with kubectl kustomize on the cloned branch', async () => {
    if (!(await hasKubectl())) return;
    const fullName = await repoWith(await fleetRepo());
    await run(input(fullName));
    const dir = await h.clone(fullName, h.sim.listPulls(fullName)[0].head.ref);
    const built = await kustomize(path.join(dir, MGMT));
    const kinds = built.map(o => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'GitopsCluster/dev-1',
        'Cluster/dev-1',
        'MachineDeployment/dev-1-md-0',
        'ClusterBootstrapConfig/flux-bootstrap',
        'ClusterResourceSet/eso-credentials',
        'CAPITemplate/leaf-cluster',
      ]),
    );
    for (const o of built) {
      if (
        o.kind === 'Namespace' ||
        o.kind === 'GitRepository' ||
        o.metadata.name === 'flux-system'
      )
        continue;
      expect({
        id: `${o.kind}/${o.metadata.name}`,
        errors: validateAny(o).errors,
      }).toEqual({
        id: `${o.kind}/${o.metadata.name}`,
        errors: [],
      });
    }
    // The shared bootstrap the leaf applies builds too.
    const shared = await kustomize(
      path.join(dir, SHARED_SECRETS, 'external-secrets'),
    );
    expect(shared.map(o => o.metadata.name)).toEqual(
      expect.arrayContaining([
        'external-secrets-crds',
        'external-secrets-operator',
        'external-secrets-crs',
      ]),
    );
  });

  it('is idempotent: the same inputs again make no commit and return the same PR', async () => {
    const fullName = await repoWith(await fleetRepo());
    const first = await run(input(fullName));
    h.sim.resetCounters();
    const second = await run(input(fullName));
    expect(second.outputs).toMatchObject({
      outcome: 'unchanged',
      pullRequestNumber: first.outputs.pullRequestNumber,
      commitSha: first.outputs.commitSha,
    });
    expect(h.writes()).toEqual({});
    expect(h.sim.listPulls(fullName)).toHaveLength(1);
  });

  it('dry run outputs the files and writes nothing', async () => {
    const fullName = await repoWith(await fleetRepo());
    const { outputs } = await run(input(fullName), { isDryRun: true });
    expect(outputs.outcome).toBe('would-change');
    expect((outputs.files as any[]).map(f => f.path)).toContain(
      `${MGMT}/clusters/default/dev-1.yaml`,
    );
    expect(h.writes()).toEqual({});
  });

  it('renders the seed guide’s v1beta1 CAPITemplate from the repository (WGE compatibility)', async () => {
    const fullName = await repoWith({
      ...(await managementRepo()),
      [`${MGMT}/capi/templates/capd-template.yaml`]: SEED_TEMPLATE,
    });
    const { outputs, logs } = await run(
      input(fullName, {
        templateName: 'cluster-template-development',
        parameters: {
          CLUSTER_NAME: 'legacy-1',
          NAMESPACE: 'default',
          KUBERNETES_VERSION: '1.23.3',
          CONTROL_PLANE_MACHINE_COUNT: '1',
          WORKER_MACHINE_COUNT: '1',
        },
        secretsBootstrap: false,
      }),
    );
    expect(outputs.outcome).toBe('created');
    // Found by searching the management path (it is not at capi/templates/<name>.yaml).
    const text = (await h.sim.readFile(
      fullName,
      h.sim.listPulls(fullName)[0].head.ref,
      `${MGMT}/clusters/default/legacy-1.yaml`,
    ))!;
    const objects = parseObjects(text);
    expect(objects).toHaveLength(8);
    for (const o of objects) expect(validateObject(o).errors).toEqual([]);
    expect(outputs.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/spec.replicas rendered as the string "1"/),
        expect.stringMatching(/dropped spec.selector.matchLabels: null/),
        expect.stringMatching(/No ClusterBootstrapConfig in namespace default/),
      ]),
    );
    expect(
      logs.some(
        l => l.startsWith('warn') && l.includes('No ClusterResourceSet'),
      ),
    ).toBe(true);
  });

  describe('bad inputs: rejected naming the param, nothing written', () => {
    let fullName: string;
    beforeAll(async () => {
      fullName = await repoWith(
        await fleetRepo({
          extra: {
            [`${MGMT}/capi/templates/broken.yaml`]: stringify({
              apiVersion: 'capi.weave.works/v1alpha2',
              kind: 'CAPITemplate',
              metadata: { name: 'broken', namespace: 'default' },
              spec: {
                params: [{ name: 'CLUSTER_NAME', required: true }],
                resourcetemplates: [
                  {
                    content: [
                      {
                        apiVersion: 'v1',
                        kind: 'ConfigMap',
                        metadata: { name: '${CLUSTER_NAME' },
                      },
                    ],
                  },
                ],
              },
            }),
            [`${MGMT}/capi/templates/not-yaml.yaml`]:
              'kind: CAPITemplate\nmetadata: {name: [\n',
            [`${MGMT}/capi/templates/fixed-bad.yaml`]: stringify({
              apiVersion: 'capi.weave.works/v1alpha2',
              kind: 'CAPITemplate',
              metadata: { name: 'fixed-bad', namespace: 'default' },
              spec: {
                params: [{ name: 'CLUSTER_NAME', required: true }],
                resourcetemplates: [
                  {
                    content: [
                      {
                        apiVersion: 'cluster.x-k8s.io/v1beta2',
                        kind: 'MachineDeployment',
                        metadata: { name: '${CLUSTER_NAME}' },
                        spec: {
                          clusterName: '${CLUSTER_NAME}',
                          replicas: 'lots',
                        },
                      },
                    ],
                  },
                ],
              },
            }),
          },
        }),
      );
    });

    const p = (over: Record<string, unknown>) => ({
      parameters: { ...PARAMS, ...over },
    });
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      [
        'upper-case cluster name',
        p({ CLUSTER_NAME: 'Dev_1' }),
        'CLUSTER_NAME',
        /DNS-1123/,
      ],
      [
        'cluster name of 64 characters',
        p({ CLUSTER_NAME: 'a'.repeat(64) }),
        'CLUSTER_NAME',
        /63/,
      ],
      [
        'cluster name starting with "-"',
        p({ CLUSTER_NAME: '-dev' }),
        'CLUSTER_NAME',
        /DNS-1123/,
      ],
      [
        'missing cluster name',
        { parameters: { NAMESPACE: 'default' } },
        'CLUSTER_NAME',
        /is required/,
      ],
      [
        'unknown Kubernetes version',
        p({ KUBERNETES_VERSION: 'v1.18.0' }),
        'KUBERNETES_VERSION',
        /not one of the allowed values/,
      ],
      [
        'Kubernetes version "latest"',
        p({ KUBERNETES_VERSION: 'latest' }),
        'KUBERNETES_VERSION',
        /not one of the allowed values/,
      ],
      [
        'even control-plane count',
        p({ CONTROL_PLANE_MACHINE_COUNT: '2' }),
        'CONTROL_PLANE_MACHINE_COUNT',
        /1, 3, 5/,
      ],
      [
        'control-plane count in words',
        p({ CONTROL_PLANE_MACHINE_COUNT: 'three' }),
        'CONTROL_PLANE_MACHINE_COUNT',
        /allowed values/,
      ],
      [
        'negative worker count',
        p({ WORKER_MACHINE_COUNT: -1 }),
        'WORKER_MACHINE_COUNT',
        /0 or more/,
      ],
      [
        'fractional worker count',
        p({ WORKER_MACHINE_COUNT: '1.5' }),
        'WORKER_MACHINE_COUNT',
        /whole number/,
      ],
      [
        'worker count in words',
        p({ WORKER_MACHINE_COUNT: 'two' }),
        'WORKER_MACHINE_COUNT',
        /whole number/,
      ],
      [
        'worker count beyond int32',
        p({ WORKER_MACHINE_COUNT: '99999999999' }),
        'WORKER_MACHINE_COUNT',
        /spec.replicas/,
      ],
      [
        'worker count as a boolean',
        p({ WORKER_MACHINE_COUNT: true }),
        'WORKER_MACHINE_COUNT',
        /whole number/,
      ],
      [
        'namespace with a space',
        p({ NAMESPACE: 'team a' }),
        'NAMESPACE',
        /DNS-1123/,
      ],
      [
        'YAML injection: newline and a key',
        p({ CLUSTER_NAME: 'dev\nkind: Secret' }),
        'CLUSTER_NAME',
        /single line/,
      ],
      [
        'YAML injection: flow mapping',
        p({ CLUSTER_NAME: '{evil: true}' }),
        'CLUSTER_NAME',
        /DNS-1123/,
      ],
      [
        'YAML injection: ": " in the namespace',
        p({ NAMESPACE: 'a: b' }),
        'NAMESPACE',
        /DNS-1123/,
      ],
      [
        'YAML injection: document marker',
        p({ CLUSTER_NAME: '---' }),
        'CLUSTER_NAME',
        /DNS-1123/,
      ],
      [
        'misspelt param',
        p({ CLUSTR_NAME: 'x' }),
        'CLUSTR_NAME',
        /not a parameter of template leaf-cluster/,
      ],
      [
        'param value that is a mapping',
        p({ WORKER_MACHINE_COUNT: { n: 1 } }),
        'parameters.WORKER_MACHINE_COUNT',
        /Expected|Invalid/,
      ],
      [
        'template not found',
        { templateName: 'missing' },
        'templateName',
        /no CAPITemplate or GitOpsTemplate named missing/,
      ],
      [
        'template name not DNS-1123',
        { templateName: 'Leaf_Cluster' },
        'templateName',
        /DNS-1123/,
      ],
      [
        'template with a syntax error',
        {
          templateName: 'broken',
          templatePath: `${MGMT}/capi/templates/broken.yaml`,
        },
        'templatePath',
        /bad substitution/,
      ],
      [
        'template file that is not YAML',
        {
          templateName: 'x',
          templatePath: `${MGMT}/capi/templates/not-yaml.yaml`,
        },
        'templatePath',
        /not valid YAML/,
      ],
      [
        'template that renders invalid objects',
        { templateName: 'fixed-bad', parameters: { CLUSTER_NAME: 'c1' } },
        'templateName',
        /renders objects its CRDs reject[\s\S]*spec.replicas/,
      ],
      [
        'template path outside the repository',
        { templatePath: '../x.yaml' },
        'templatePath',
        /\.\./,
      ],
      [
        'template path that does not exist',
        { templatePath: `${MGMT}/nope.yaml` },
        'templatePath',
        /does not exist/,
      ],
      [
        'absolute management path',
        { managementClusterPath: '/clusters/management' },
        'managementClusterPath',
        /relative/,
      ],
      ['bad repoUrl', { repoUrl: 'not a url' }, 'repoUrl', /owner=/],
      ['unknown input field', { clusterName: 'x' }, 'input', /unknown field/],
    ];

    it.each(cases)('%s', async (_what, over, field, message) => {
      h.sim.resetCounters();
      const i = { ...input(fullName), ...over };
      const m = mockContext(i);
      const error = await action()
        .handler(m.ctx)
        .then(
          () => undefined,
          e => e,
        );
      expect(error).toBeDefined();
      expect(error.name).toBe('InputError');
      expect(error.message).toContain(
        field === 'input' ? 'unknown field' : field,
      );
      expect(error.message).toMatch(message);
      expect(h.writes()).toEqual({});
    });

    it('has at least 20 cases', () => {
      expect(cases.length).toBeGreaterThanOrEqual(20);
    });
  });

  // A WGE user's own template (synthetic): its declared params are the whole form, not the five of ours.
  describe("a template's own declared parameters", () => {
    const TEAM_TEMPLATE = stringify({
      apiVersion: 'templates.weave.works/v1alpha2',
      kind: 'GitOpsTemplate',
      metadata: { name: 'team-cluster', namespace: 'default' },
      spec: {
        params: [
          { name: 'CLUSTER_NAME', required: true, description: 'Name.' },
          {
            name: 'REGION',
            required: true,
            options: ['eu-west-1', 'us-east-1'],
            default: 'eu-west-1',
          },
          { name: 'TEAM', required: true, description: 'Owning team.' },
          { name: 'COST_CENTRE', description: 'Optional.' },
        ],
        resourcetemplates: [
          {
            content: [
              {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: '${CLUSTER_NAME}-info' },
                data: {
                  region: '${REGION}',
                  team: '${TEAM}',
                  costCentre: '${COST_CENTRE}',
                },
              },
            ],
          },
        ],
      },
    });
    let fullName: string;
    beforeAll(async () => {
      fullName = await repoWith(
        await fleetRepo({
          extra: { [`${MGMT}/capi/templates/team.yaml`]: TEAM_TEMPLATE },
        }),
      );
    });
    const teamInput = (parameters: Record<string, unknown>) => ({
      ...input(fullName),
      templateName: 'team-cluster',
      parameters,
    });

    it('renders with exactly the declared parameters (defaults applied), none of the CAPD five', async () => {
      const { outputs } = await run(
        teamInput({ CLUSTER_NAME: 'team-a', TEAM: 'payments' }),
        { isDryRun: true },
      );
      expect(outputs.clusterName).toBe('team-a');
      const cm = parseObjects(
        (outputs.files as Array<{ path: string; content: string }>).find(
          f => f.path === `${MGMT}/clusters/default/team-a.yaml`,
        )!.content,
      ).find(o => o.kind === 'ConfigMap')!;
      expect(cm.data).toEqual({
        region: 'eu-west-1',
        team: 'payments',
        costCentre: '',
      });
    });

    const bad: Array<[string, Record<string, unknown>, RegExp[]]> = [
      [
        'a parameter the template does not declare (one of our CAPD five)',
        { CLUSTER_NAME: 'team-a', TEAM: 'x', KUBERNETES_VERSION: 'v1.35.0' },
        [
          /KUBERNETES_VERSION: is not a parameter of template team-cluster \(parameters: CLUSTER_NAME, REGION, TEAM, COST_CENTRE\)/,
        ],
      ],
      [
        'a missing required parameter, with its description',
        { CLUSTER_NAME: 'team-a' },
        [/TEAM: is required \(Owning team\.\)/],
      ],
      [
        'a value outside options',
        { CLUSTER_NAME: 'team-a', TEAM: 'x', REGION: 'mars-1' },
        [
          /REGION: "mars-1" is not one of the allowed values: eu-west-1, us-east-1/,
        ],
      ],
      [
        'all three at once: every one named in one error',
        { CLUSTER_NAME: 'team-a', REGION: 'mars-1', NODES: 3 },
        [/NODES: is not a parameter/, /TEAM: is required/, /REGION: "mars-1"/],
      ],
    ];
    it.each(bad)(
      'rejects %s before anything is written',
      async (_what, parameters, messages) => {
        h.sim.resetCounters();
        const error = await run(teamInput(parameters)).then(
          () => undefined,
          e => e,
        );
        expect(error?.name).toBe('InputError');
        expect(error.message).toMatch(
          /^parameters: invalid values for template team-cluster/,
        );
        for (const m of messages) expect(error.message).toMatch(m);
        expect(h.writes()).toEqual({});
        expect(h.sim.listPulls(fullName)).toEqual([]);
      },
    );
  });

  it('requires the shared secrets bootstrap before adding a leaf that applies it', async () => {
    const files = await fleetRepo();
    for (const p of Object.keys(files))
      if (p.startsWith(SHARED_SECRETS)) delete files[p];
    const fullName = await repoWith(files);
    await expect(run(input(fullName))).rejects.toThrow(
      /secretsBootstrapPath: clusters\/bases\/secrets\/external-secrets\/kustomization.yaml does not exist .*gitops:secrets:bootstrap/,
    );
    expect(h.writes()).toEqual({});
    const ok = await run(input(fullName, { secretsBootstrap: false }));
    expect(ok.outputs.changedFiles).not.toContain(
      'clusters/default/dev-1/secrets-bootstrap.yaml',
    );
  });

  it('refuses to replace an existing cluster file with other content unless overwrite', async () => {
    const fullName = await repoWith(
      await fleetRepo({
        extra: { [`${MGMT}/clusters/default/dev-1.yaml`]: 'old: true\n' },
      }),
    );
    await expect(run(input(fullName))).rejects.toThrow(
      /clusters\/management\/clusters\/default\/dev-1.yaml already exists .*overwrite: true/,
    );
    expect(h.writes()).toEqual({});
    const ok = await run(input(fullName, { overwrite: true }));
    expect(ok.outputs.outcome).toBe('created');
  });

  describe('GitHub faults', () => {
    it('repository not found: an InputError naming repoUrl', async () => {
      await expect(run(input('acme/does-not-exist'))).rejects.toThrow(
        /repoUrl: repository acme\/does-not-exist was not found/,
      );
    });

    it('no permission to push: a clear error, nothing written', async () => {
      const fullName = await repoWith(await fleetRepo());
      h.sim.addToken('read-only', {
        login: 'reader',
        repos: '*',
        permission: 'read',
      });
      await expect(
        run(input(fullName, { token: 'read-only' })),
      ).rejects.toThrow(/may read but not push/);
      expect(h.writes()).toEqual({});
      expect(h.sim.listPulls(fullName)).toEqual([]);
    });

    it('secondary rate limits and 5xx are retried', async () => {
      const fullName = await repoWith(await fleetRepo());
      h.sim.setFaults({
        secondaryRateLimit: { times: 2, retryAfterSeconds: 1 },
        serverErrors: { times: 2, status: 502, methods: ['GET'] },
      });
      try {
        const { outputs } = await run(input(fullName));
        expect(outputs.outcome).toBe('created');
      } finally {
        h.sim.setFaults({});
      }
      expect(h.sim.listPulls(fullName)).toHaveLength(1);
      expect(h.warnings.some(w => /secondary rate limit/.test(w))).toBe(true);
    });

    it('a ref update conflict is recovered from, one PR', async () => {
      const fullName = await repoWith(await fleetRepo());
      h.sim.setFaults({ refUpdateConflict: { times: 1 } });
      try {
        const { outputs } = await run(input(fullName));
        expect(outputs.outcome).toBe('created');
      } finally {
        h.sim.setFaults({});
      }
      expect(h.sim.listPulls(fullName)).toHaveLength(1);
    });

    it('a persistent 5xx fails with a clear error and leaves no PR', async () => {
      const fullName = await repoWith(await fleetRepo());
      h.sim.setFaults({
        serverErrors: { times: 50, status: 503, methods: ['POST'] },
      });
      try {
        // The first POST is the GraphQL query that reads the repository (the tree write's failure: publish.test.ts).
        await expect(run(input(fullName))).rejects.toThrow(
          /^Could not read repository acme\/[\w-]+: Service Unavailable\b/,
        );
      } finally {
        h.sim.setFaults({});
      }
      expect(h.sim.listPulls(fullName)).toEqual([]);
    });
  });
});
