import { validateAny } from '@golden-gitops/crd-schemas';
import { BOOTSTRAP_NAMES } from '@golden-gitops/plugin-gitops-secrets-common';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  Harness,
  mockContext,
  startHarness,
} from '../../github/__testUtils__/harness';
import { createBootstrapAction } from './bootstrap';
import {
  AWS_STORE,
  CLUSTER_KUSTOMIZATION,
  clusterFiles,
  hasKubectl,
  kustomize,
  parseObjects,
} from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const CLUSTER = 'clusters/management';
const SENTINEL_TOKEN = 'ghp_SENTINEL_do_not_leak_0123456789';

function baseInput(repoUrl: string, extra: Record<string, unknown> = {}) {
  return {
    repoUrl,
    clusterPath: `./${CLUSTER}/`,
    store: structuredClone(AWS_STORE),
    externalSecrets: [
      {
        name: 'db-credentials',
        namespace: 'payments',
        data: [
          {
            secretKey: 'password',
            remoteRef: { key: 'payments/db', property: 'password' },
          },
        ],
      },
    ],
    ...extra,
  };
}

function expectValid(objects: Array<Record<string, any>>) {
  for (const obj of objects) {
    const result = validateAny(obj);
    if (!result.valid) {
      throw new Error(
        `${obj.kind} ${obj.metadata?.name}: ${result.errors.join('; ')}`,
      );
    }
  }
}

/** Topological order of Kustomizations by dependsOn (throws on a cycle or a missing dependency). */
function chainOrder(kustomizations: Array<Record<string, any>>): string[] {
  const byName = new Map(kustomizations.map(k => [k.metadata.name, k]));
  const order: string[] = [];
  const visit = (name: string, stack: string[]) => {
    if (order.includes(name)) return;
    if (stack.includes(name))
      throw new Error(`cycle: ${[...stack, name].join(' → ')}`);
    const k = byName.get(name);
    if (!k) throw new Error(`missing dependency ${name}`);
    for (const dep of k.spec.dependsOn ?? []) visit(dep.name, [...stack, name]);
    order.push(name);
  };
  for (const name of byName.keys()) visit(name, []);
  return order;
}

describe('gitops:secrets:bootstrap against the GitHub simulator', () => {
  let h: Harness;
  let n = 0;

  beforeAll(async () => {
    h = await startHarness();
    h.sim.addToken(SENTINEL_TOKEN, {
      login: 'platform-bot',
      repos: '*',
      permission: 'write',
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  const action = () =>
    createBootstrapAction({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    });

  async function newRepo(files = clusterFiles(CLUSTER)) {
    n += 1;
    const fullName = `acme/gitops${n}`;
    await h.sim.createRepo(fullName, { files });
    h.sim.resetCounters();
    return fullName;
  }

  it('opens one PR whose branch builds with kubectl kustomize, every object valid and the chain ordered CRDs → operator → CRs', async () => {
    const fullName = await newRepo();
    const { ctx, logs, outputs } = mockContext(
      baseInput(h.repoUrl(fullName), {
        token: SENTINEL_TOKEN,
        labels: ['eso'],
      }),
    );
    await action().handler(ctx);

    expect(outputs).toMatchObject({
      outcome: 'created',
      pullRequestNumber: 1,
      pullRequestUrl: `${h.sim.url}/${fullName}/pull/1`,
      // The cluster path and a digest of the inputs: two runs with other inputs never share a branch.
      branchName: expect.stringMatching(
        /^eso-bootstrap\/clusters-management-[0-9a-f]{8}$/,
      ),
      targetBranch: 'main',
    });
    expect(outputs.changedFiles).toEqual(
      expect.arrayContaining([
        `${CLUSTER}/kustomization.yaml`,
        `${CLUSTER}/external-secrets/kustomization.yaml`,
        `${CLUSTER}/external-secrets/crds.yaml`,
        `${CLUSTER}/external-secrets/crs/payments/db-credentials.yaml`,
      ]),
    );
    // One commit, one tree, inline content (no blob uploads), one PR.
    const writes = h.writes();
    expect(writes['POST /repos/{owner}/{repo}/git/trees']).toBe(1);
    expect(writes['POST /repos/{owner}/{repo}/git/commits']).toBe(1);
    expect(writes['POST /repos/{owner}/{repo}/git/blobs']).toBeUndefined();
    expect(writes['POST /repos/{owner}/{repo}/pulls']).toBe(1);
    // The branch name is known before the repository is read, so one GraphQL read covers repository, base and
    // branch. With the base tree listing, one GraphQL read of every manifest (the repository model; the cluster's
    // kustomization.yaml, extended, comes from it), the 4 writes and the label: 8 requests in all.
    expect(h.sim.counters().byEndpoint['POST /graphql']).toBe(2);
    expect(
      h.sim.counters().byEndpoint[
        'GET /repos/{owner}/{repo}/git/blobs/{file_sha}'
      ],
    ).toBeUndefined();
    expect(h.sim.counters().total).toBe(8);

    const [pr] = h.sim.listPulls(fullName);
    expect(pr.labels).toEqual(['eso']);
    expect(pr.body).toContain(
      'kubectl create secret generic aws-credentials --namespace external-secrets',
    );
    expect(pr.body).toContain('--from-literal=access-key="$AWS_ACCESS_KEY_ID"');
    expect(pr.body).toContain(
      '--from-literal=secret-access-key="$AWS_SECRET_ACCESS_KEY"',
    );
    expect(pr.body).toContain('| 1 | `external-secrets-crds`');

    const dir = await h.clone(fullName, outputs.branchName as string);
    // The cluster's kustomization.yaml keeps its comments and order; the bootstrap is appended.
    expect(
      await readFile(path.join(dir, CLUSTER, 'kustomization.yaml'), 'utf8'),
    ).toBe(`${CLUSTER_KUSTOMIZATION}  - external-secrets\n`);

    // Nothing secret anywhere: files, PR, logs, outputs.
    const allFiles = await Promise.all(
      (outputs.changedFiles as string[]).map(f =>
        readFile(path.join(dir, f), 'utf8'),
      ),
    );
    for (const text of [
      ...allFiles,
      pr.body ?? '',
      pr.title,
      logs.join('\n'),
      JSON.stringify(outputs),
    ]) {
      expect(text).not.toContain(SENTINEL_TOKEN);
    }

    if (!(await hasKubectl())) return;
    const cluster = await kustomize(path.join(dir, CLUSTER));
    expectValid(cluster);
    const kinds = cluster.map(o => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Namespace/apps',
        'GitRepository/flux-system',
        'GitRepository/external-secrets',
        'HelmRepository/external-secrets',
        'Kustomization/external-secrets-crds',
        'Kustomization/external-secrets-operator',
        'Kustomization/external-secrets-crs',
      ]),
    );
    // The cluster level applies the chain only: no ESO custom resource, no HelmRelease.
    expect(
      cluster.filter(o =>
        /external-secrets\.io|helm\.toolkit/.test(o.apiVersion),
      ),
    ).toEqual([]);

    const ks = cluster.filter(
      o =>
        o.kind === 'Kustomization' &&
        o.metadata.name.startsWith('external-secrets'),
    );
    expect(chainOrder(ks)).toEqual([
      BOOTSTRAP_NAMES.crds,
      BOOTSTRAP_NAMES.operator,
      BOOTSTRAP_NAMES.crs,
    ]);
    const byName = Object.fromEntries(ks.map(k => [k.metadata.name, k]));
    const crds = byName[BOOTSTRAP_NAMES.crds];
    const operator = byName[BOOTSTRAP_NAMES.operator];
    const crs = byName[BOOTSTRAP_NAMES.crs];
    expect(crds.spec).toMatchObject({
      path: './deploy/crds',
      prune: false,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: 'external-secrets' },
    });
    expect(operator.spec).toMatchObject({ wait: true, prune: true });
    expect(crs.spec).toMatchObject({ retryInterval: '1m', wait: true });
    expect(crs.spec.healthCheckExprs.map((e: any) => e.kind).sort()).toEqual([
      'ClusterSecretStore',
      'ExternalSecret',
      'SecretStore',
    ]);
    for (const k of [operator, crs]) {
      expect(k.spec.sourceRef).toEqual({
        kind: 'GitRepository',
        name: 'flux-system',
      });
      expect(k.spec.path).toMatch(/^\.\//);
    }

    // The CRDs' git tag is the chart's version.
    const gitRepo = cluster.find(
      o => o.kind === 'GitRepository' && o.metadata.name === 'external-secrets',
    )!;
    expect(gitRepo.spec.url).toBe(
      'https://github.com/external-secrets/external-secrets',
    );

    // Each Flux Kustomization's path builds too, and holds what its step promises.
    const operatorObjects = await kustomize(path.join(dir, operator.spec.path));
    expectValid(operatorObjects);
    const hr = operatorObjects.find(o => o.kind === 'HelmRelease')!;
    expect(hr.metadata).toEqual({
      name: 'external-secrets',
      namespace: 'flux-system',
    });
    expect(hr.spec.values.installCRDs).toBe(false);
    expect(`v${hr.spec.chart.spec.version}`).toBe(gitRepo.spec.ref.tag);
    expect(hr.spec.targetNamespace).toBe('external-secrets');
    expect(operatorObjects.map(o => o.kind).sort()).toEqual([
      'HelmRelease',
      'Namespace',
    ]);

    const crObjects = await kustomize(path.join(dir, crs.spec.path));
    expectValid(crObjects);
    expect(crObjects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterSecretStore/aws-secrets-manager',
      'ExternalSecret/db-credentials',
    ]);
    const store = crObjects.find(o => o.kind === 'ClusterSecretStore')!;
    expect(store.spec.provider.aws.auth.secretRef.accessKeyIDSecretRef).toEqual(
      {
        name: 'aws-credentials',
        key: 'access-key',
        namespace: 'external-secrets',
      },
    );
  });

  it('re-run with the same inputs: no new commit, the same PR; once merged: nothing to change', async () => {
    const fullName = await newRepo();
    const first = mockContext(baseInput(h.repoUrl(fullName)));
    await action().handler(first.ctx);
    h.sim.resetCounters();

    const second = mockContext(baseInput(h.repoUrl(fullName)));
    await action().handler(second.ctx);
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
      pull_number: 1,
      merge_method: 'squash',
    });
    h.sim.resetCounters();

    const third = mockContext(baseInput(h.repoUrl(fullName)));
    await action().handler(third.ctx);
    expect(third.outputs).toMatchObject({
      outcome: 'nothing-to-change',
      changedFiles: [],
    });
    expect(third.outputs.message).toMatch(
      /^Nothing to change: main of acme\/gitops\d+ already has these files/,
    );
    expect(h.writes()).toEqual({});
  });

  it('refuses to overwrite an existing file with other content, naming it; overwrite: true replaces it', async () => {
    const files = {
      ...clusterFiles(CLUSTER),
      [`${CLUSTER}/external-secrets/sources.yaml`]: '# hand-written\n',
    };
    const fullName = await newRepo(files);
    const { ctx } = mockContext(baseInput(h.repoUrl(fullName)));
    await expect(action().handler(ctx)).rejects.toThrow(
      `File ${CLUSTER}/external-secrets/sources.yaml already exists on main of ${fullName} with other content; set overwrite: true`,
    );
    expect(h.writes()).toEqual({});

    const again = mockContext(
      baseInput(h.repoUrl(fullName), { overwrite: true }),
    );
    await action().handler(again.ctx);
    expect(again.outputs.outcome).toBe('created');
    expect(again.outputs.changedFiles).toContain(
      `${CLUSTER}/external-secrets/sources.yaml`,
    );
  });

  it('dry run: outputs the rendered files and what would change, writes nothing', async () => {
    const fullName = await newRepo();
    const { ctx, outputs } = mockContext(
      baseInput(h.repoUrl(fullName), { chartSource: 'oci' }),
      {
        isDryRun: true,
      },
    );
    await action().handler(ctx);
    expect(outputs.outcome).toBe('would-change');
    const files = outputs.files as Array<{ path: string; content: string }>;
    const sources = files.find(f => f.path.endsWith('/sources.yaml'))!;
    expect(parseObjects(sources.content).map(o => o.kind)).toEqual([
      'GitRepository',
      'OCIRepository',
    ]);
    for (const f of files.filter(x => x.path.endsWith('.yaml'))) {
      expectValid(
        parseObjects(f.content).filter(
          o =>
            o.kind !== 'Kustomization' ||
            o.apiVersion !== 'kustomize.config.k8s.io/v1beta1',
        ),
      );
    }
    expect(h.writes()).toEqual({});
    expect(h.sim.listPulls(fullName)).toEqual([]);
  });

  it('a cluster folder without kustomization.yaml: the file is not created (Flux generates it) and the PR says so', async () => {
    const files = clusterFiles(CLUSTER);
    delete files[`${CLUSTER}/kustomization.yaml`];
    const fullName = await newRepo(files);
    const { ctx, outputs } = mockContext(baseInput(h.repoUrl(fullName)));
    await action().handler(ctx);
    expect(outputs.changedFiles).not.toContain(`${CLUSTER}/kustomization.yaml`);
    const [pr] = h.sim.listPulls(fullName);
    expect(pr.body).toContain(
      `\`${CLUSTER}/kustomization.yaml\` does not exist, so Flux generates one`,
    );
    if (!(await hasKubectl())) return;
    const dir = await h.clone(fullName, String(outputs.branchName));
    expectValid(await kustomize(path.join(dir, CLUSTER, 'external-secrets')));
  });
});
