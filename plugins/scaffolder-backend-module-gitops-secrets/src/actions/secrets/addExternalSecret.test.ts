import { validateAny } from '@golden-gitops/crd-schemas';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  Harness,
  mockContext,
  startHarness,
} from '../../github/__testUtils__/harness';
import { createAddExternalSecretAction } from './addExternalSecret';
import {
  bootstrappedFiles,
  clusterFiles,
  hasKubectl,
  kustomize,
} from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const CLUSTER = 'clusters/management';
const CRS = `${CLUSTER}/external-secrets/crs`;

describe('gitops:secrets:add-external-secret against the GitHub simulator', () => {
  let h: Harness;
  let n = 0;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  const action = () =>
    createAddExternalSecretAction({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    });

  async function newRepo(files: Record<string, string>) {
    n += 1;
    const fullName = `acme/apps${n}`;
    await h.sim.createRepo(fullName, { files });
    h.sim.resetCounters();
    return fullName;
  }

  const input = (repoUrl: string, extra: Record<string, unknown> = {}) => ({
    repoUrl,
    clusterPath: CLUSTER,
    name: 'stripe',
    namespace: 'payments',
    storeRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
    targetSecretName: 'stripe-api',
    refreshInterval: '15m',
    data: [
      {
        secretKey: 'api-key',
        remoteRef: {
          key: 'payments/stripe',
          property: 'key',
          version: 'AWSCURRENT',
        },
      },
    ],
    dataFrom: [{ extract: { key: 'payments/stripe-extra' } }],
    kubernetesId: 'payments-api',
    createNamespace: true,
    ...extra,
  });

  it('writes into the folder the CRs step applies, lists it in its kustomization.yaml, and the folder builds', async () => {
    const fullName = await newRepo(await bootstrappedFiles(CLUSTER));
    const { ctx, outputs } = mockContext(input(h.repoUrl(fullName)));
    await action().handler(ctx);
    expect(outputs).toMatchObject({
      outcome: 'created',
      branchName: expect.stringMatching(
        /^external-secret\/clusters-management\/payments-stripe-[0-9a-f]{8}$/,
      ),
      changedFiles: [
        `${CRS}/namespaces/payments.yaml`,
        `${CRS}/payments/stripe.yaml`,
        `${CRS}/kustomization.yaml`,
      ],
    });
    const [pr] = h.sim.listPulls(fullName);
    expect(pr.title).toBe(`ExternalSecret payments/stripe for ${CLUSTER}`);
    expect(pr.body).toContain(
      '| `api-key` | `payments/stripe` property `key` version `AWSCURRENT` |',
    );

    const dir = await h.clone(fullName, String(outputs.branchName));
    const kustomization = await readFile(
      path.join(dir, CRS, 'kustomization.yaml'),
      'utf8',
    );
    // The bootstrap's entries first, in order, then the new ones.
    expect(kustomization).toMatch(
      /resources:\n {2}- cluster-secret-store-aws-secrets-manager.yaml\n {2}- namespaces\/payments.yaml\n {2}- payments\/stripe.yaml\n$/,
    );
    expect(kustomization).toMatch(
      /^# Written by the Backstage action gitops:secrets:bootstrap\./,
    );

    if (!(await hasKubectl())) return;
    const objects = await kustomize(path.join(dir, CRS));
    for (const obj of objects)
      expect(validateAny(obj)).toEqual({ valid: true, errors: [] });
    const es = objects.find(o => o.kind === 'ExternalSecret')!;
    expect(es).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: 'stripe',
        namespace: 'payments',
        labels: { 'backstage.io/kubernetes-id': 'payments-api' },
      },
      spec: {
        refreshInterval: '15m',
        secretStoreRef: {
          kind: 'ClusterSecretStore',
          name: 'aws-secrets-manager',
        },
        target: { name: 'stripe-api', creationPolicy: 'Owner' },
        data: [
          {
            secretKey: 'api-key',
            remoteRef: {
              key: 'payments/stripe',
              property: 'key',
              version: 'AWSCURRENT',
            },
          },
        ],
        dataFrom: [{ extract: { key: 'payments/stripe-extra' } }],
      },
    });
  });

  it('same inputs again: same PR, no new commit', async () => {
    const fullName = await newRepo(await bootstrappedFiles(CLUSTER));
    const first = mockContext(input(h.repoUrl(fullName)));
    await action().handler(first.ctx);
    h.sim.resetCounters();
    const second = mockContext(input(h.repoUrl(fullName)));
    await action().handler(second.ctx);
    expect(second.outputs).toMatchObject({
      outcome: 'unchanged',
      pullRequestNumber: first.outputs.pullRequestNumber,
      commitSha: first.outputs.commitSha,
    });
    expect(h.writes()).toEqual({});
  });

  it('fails naming the bootstrap template when the cluster has no bootstrap, with no write', async () => {
    const fullName = await newRepo(clusterFiles(CLUSTER));
    const { ctx } = mockContext(input(h.repoUrl(fullName)));
    // The repository model finds neither the bootstrap's layout nor a store set up by hand.
    await expect(action().handler(ctx)).rejects.toThrow(
      `storeRef: the cluster ${CLUSTER} applies no ClusterSecretStore named "aws-secrets-manager". Stores it applies: none. ESO is not installed for this cluster: run gitops:secrets:bootstrap (template eso-flux-bootstrap) first`,
    );
    expect(h.writes()).toEqual({});
  });

  it('an unknown store is rejected naming storeRef and listing the stores there', async () => {
    const fullName = await newRepo(await bootstrappedFiles(CLUSTER));
    const { ctx } = mockContext(
      input(h.repoUrl(fullName), {
        storeRef: { kind: 'ClusterSecretStore', name: 'vault' },
      }),
    );
    await expect(action().handler(ctx)).rejects.toThrow(
      `storeRef: no ClusterSecretStore named "vault" in ${CRS} on main (stores there: ClusterSecretStore aws-secrets-manager)`,
    );
    const wrongKind = mockContext(
      input(h.repoUrl(fullName), {
        storeRef: { kind: 'SecretStore', name: 'aws-secrets-manager' },
      }),
    );
    await expect(action().handler(wrongKind.ctx)).rejects.toThrow(
      /storeRef: no SecretStore named "aws-secrets-manager"/,
    );
    expect(h.writes()).toEqual({});
  });

  it('a SecretStore serves only its namespace', async () => {
    const files = await bootstrappedFiles(CLUSTER, {
      store: {
        kind: 'SecretStore',
        name: 'team-store',
        namespace: 'team-a',
        provider: { type: 'aws', region: 'eu-west-1', auth: { type: 'none' } },
      },
    });
    const fullName = await newRepo(files);
    const wrong = mockContext(
      input(h.repoUrl(fullName), {
        storeRef: { kind: 'SecretStore', name: 'team-store' },
      }),
    );
    await expect(action().handler(wrong.ctx)).rejects.toThrow(
      'storeRef: SecretStore team-store is in namespace team-a and serves only it; namespace must be team-a',
    );
    const right = mockContext(
      input(h.repoUrl(fullName), {
        namespace: 'team-a',
        createNamespace: false,
        storeRef: { kind: 'SecretStore', name: 'team-store' },
      }),
    );
    await action().handler(right.ctx);
    expect(right.outputs.outcome).toBe('created');
  });

  it('an existing ExternalSecret file with other content is not overwritten without overwrite: true', async () => {
    const files = await bootstrappedFiles(CLUSTER);
    files[`${CRS}/payments/stripe.yaml`] = '# someone else\n';
    const fullName = await newRepo(files);
    const { ctx } = mockContext(
      input(h.repoUrl(fullName), { createNamespace: false }),
    );
    await expect(action().handler(ctx)).rejects.toThrow(
      `File ${CRS}/payments/stripe.yaml already exists on main of ${fullName} with other content; set overwrite: true`,
    );
    expect(h.writes()).toEqual({});
  });

  it('dry run writes nothing and shows the files', async () => {
    const fullName = await newRepo(await bootstrappedFiles(CLUSTER));
    const { ctx, outputs } = mockContext(input(h.repoUrl(fullName)), {
      isDryRun: true,
    });
    await action().handler(ctx);
    expect(outputs.outcome).toBe('would-change');
    expect((outputs.files as Array<{ path: string }>).map(f => f.path)).toEqual(
      [
        `${CRS}/namespaces/payments.yaml`,
        `${CRS}/payments/stripe.yaml`,
        `${CRS}/kustomization.yaml`,
      ],
    );
    expect(h.writes()).toEqual({});
  });
});
