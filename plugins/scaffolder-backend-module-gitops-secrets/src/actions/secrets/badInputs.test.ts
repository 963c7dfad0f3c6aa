import {
  Harness,
  mockContext,
  startHarness,
} from '../../github/__testUtils__/harness';
import { createAddExternalSecretAction } from './addExternalSecret';
import { createBootstrapAction } from './bootstrap';
import {
  addExternalSecretBaseInput,
  bootstrapBaseInput,
  bootstrappedFiles,
  clusterFiles,
} from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const CLUSTER = 'clusters/management';

type Input = Record<string, any>;
interface Case {
  name: string;
  action: 'bootstrap' | 'add';
  patch: (input: Input, h: Harness) => void;
  /** Must name the field. */
  error: RegExp;
  /** The check needs the repository (reads only); otherwise no request at all reaches GitHub. */
  reads?: boolean;
}

const bootstrapBase = (): Input => bootstrapBaseInput(CLUSTER);

const addBase = (): Input => addExternalSecretBaseInput(CLUSTER);

const es0 = (i: Input) => i.externalSecrets[0];

const cases: Case[] = [
  // Names that are not DNS-1123.
  {
    name: 'store name with upper case and "_"',
    action: 'bootstrap',
    patch: i => {
      i.store.name = 'My_Store';
    },
    error: /store\.name: must be a DNS-1123 subdomain/,
  },
  {
    name: 'store name over 253 characters',
    action: 'bootstrap',
    patch: i => {
      i.store.name = 'a'.repeat(254);
    },
    error: /store\.name: must be at most 253 characters/,
  },
  {
    name: 'operator namespace with upper case',
    action: 'bootstrap',
    patch: i => {
      i.operatorNamespace = 'External-Secrets';
    },
    error: /operatorNamespace: must be a DNS-1123 label/,
  },
  {
    name: 'operator namespace over 63 characters',
    action: 'bootstrap',
    patch: i => {
      i.operatorNamespace = 'n'.repeat(64);
    },
    error: /operatorNamespace: must be at most 63 characters/,
  },
  {
    name: 'ExternalSecret name ending in "-"',
    action: 'bootstrap',
    patch: i => {
      es0(i).name = 'db-';
    },
    error: /externalSecrets\[0\]\.name: must be a DNS-1123 subdomain/,
  },
  {
    name: 'ExternalSecret name with capitals (add)',
    action: 'add',
    patch: i => {
      i.name = 'Stripe';
    },
    error: /name: must be a DNS-1123 subdomain/,
  },
  {
    name: 'namespace with a dot (add)',
    action: 'add',
    patch: i => {
      i.namespace = 'pay.ments';
    },
    error: /namespace: must be a DNS-1123 label/,
  },
  // Paths.
  {
    name: 'clusterPath starting with ".."',
    action: 'bootstrap',
    patch: i => {
      i.clusterPath = '../other-repo';
    },
    error: /clusterPath: must not contain "\.\." segments/,
  },
  {
    name: 'clusterPath with ".." in the middle',
    action: 'add',
    patch: i => {
      i.clusterPath = 'clusters/../../etc';
    },
    error: /clusterPath: must not contain "\.\." segments/,
  },
  {
    name: 'absolute clusterPath',
    action: 'bootstrap',
    patch: i => {
      i.clusterPath = '/etc/flux';
    },
    error:
      /clusterPath: must be relative to the repository root, not an absolute path/,
  },
  {
    name: 'Windows clusterPath',
    action: 'bootstrap',
    patch: i => {
      i.clusterPath = 'C:\\flux';
    },
    error: /clusterPath: must use "\/" as separator/,
  },
  {
    name: 'clusterPath "." (the repository root)',
    action: 'bootstrap',
    patch: i => {
      i.clusterPath = './';
    },
    error: /clusterPath: must name a folder inside the repository/,
  },
  {
    name: 'clusterPath into .git',
    action: 'bootstrap',
    patch: i => {
      i.clusterPath = 'clusters/.git';
    },
    error: /clusterPath: must not contain hidden segments/,
  },
  {
    name: 'clusterPath with a space',
    action: 'bootstrap',
    patch: i => {
      i.clusterPath = 'clusters/my cluster';
    },
    error: /clusterPath: may contain only letters/,
  },
  // YAML-breaking characters.
  {
    name: 'clusterPath with a line break and a YAML key',
    action: 'bootstrap',
    patch: i => {
      i.clusterPath = 'clusters/x\nmalicious: true';
    },
    error: /clusterPath: must not contain control characters/,
  },
  {
    name: 'remoteRef.key with a line break',
    action: 'bootstrap',
    patch: i => {
      es0(i).data[0].remoteRef.key = 'db\nkind: Secret';
    },
    error:
      /externalSecrets\[0\]\.data\[0\]\.remoteRef\.key: must be a single line/,
  },
  {
    name: 'PR title with a line break',
    action: 'add',
    patch: i => {
      i.title = 'Add\n---';
    },
    error: /title: must be a single line/,
  },
  {
    name: 'secretKey with "!" and a space',
    action: 'bootstrap',
    patch: i => {
      es0(i).data[0].secretKey = 'bad key!';
    },
    error:
      /externalSecrets\[0\]\.data\[0\]\.secretKey: must contain only letters/,
  },
  // Unknown provider and enum values.
  {
    name: 'unknown provider',
    action: 'bootstrap',
    patch: i => {
      i.store.provider.type = 'hashicorp';
    },
    error:
      /store\.provider\.type: must be one of "aws", "vault", "gcp", "azure"/,
  },
  {
    name: 'unknown auth type',
    action: 'bootstrap',
    patch: i => {
      i.store.provider.auth.type = 'password';
    },
    error:
      /store\.provider\.auth\.type: must be one of "secretRef", "jwt", "none"/,
  },
  {
    name: 'chartSource "git"',
    action: 'bootstrap',
    patch: i => {
      i.chartSource = 'git';
    },
    error: /chartSource: Invalid enum value/,
  },
  {
    name: 'crdsFrom "cluster"',
    action: 'bootstrap',
    patch: i => {
      i.crdsFrom = 'cluster';
    },
    error: /crdsFrom: Invalid enum value/,
  },
  {
    name: 'creationPolicy "Always" (add)',
    action: 'add',
    patch: i => {
      i.creationPolicy = 'Always';
    },
    error: /creationPolicy: Invalid enum value/,
  },
  {
    name: 'floating chart version',
    action: 'bootstrap',
    patch: i => {
      i.esoVersion = '^2.9';
    },
    error: /esoVersion: must be an exact version/,
  },
  {
    name: 'chart version with a "v"',
    action: 'bootstrap',
    patch: i => {
      i.esoVersion = 'v2.9.0';
    },
    error: /esoVersion: must be an exact version/,
  },
  {
    name: 'refreshInterval in words',
    action: 'add',
    patch: i => {
      i.refreshInterval = '1 hour';
    },
    error: /refreshInterval: must be a Go duration/,
  },
  // Missing auth fields.
  {
    name: 'AWS auth missing',
    action: 'bootstrap',
    patch: i => {
      delete i.store.provider.auth;
    },
    error: /store\.provider\.auth: is required/,
  },
  {
    name: 'secretRef auth without secretName',
    action: 'bootstrap',
    patch: i => {
      delete i.store.provider.auth.secretName;
    },
    error: /store\.provider\.auth\.secretName: is required/,
  },
  {
    name: 'jwt auth without service account',
    action: 'bootstrap',
    patch: i => {
      i.store.provider.auth = { type: 'jwt' };
    },
    error: /store\.provider\.auth\.serviceAccountName: is required/,
  },
  {
    name: 'AWS region that is not one',
    action: 'bootstrap',
    patch: i => {
      i.store.provider.region = 'europe';
    },
    error: /store\.provider\.region: must be an AWS region/,
  },
  {
    name: 'Vault over plain http',
    action: 'bootstrap',
    patch: i => {
      i.store.provider = {
        type: 'vault',
        server: 'http://vault:8200',
        auth: { type: 'kubernetes', role: 'eso' },
      };
    },
    error: /store\.provider\.server: must be an https:\/\/ URL/,
  },
  {
    name: 'Azure service principal without tenant',
    action: 'bootstrap',
    patch: i => {
      i.store.provider = {
        type: 'azure',
        vaultUrl: 'https://kv.vault.azure.net',
        auth: { type: 'servicePrincipal', secretName: 'sp' },
      };
    },
    error: /store\.provider\.tenantId: is required with servicePrincipal auth/,
  },
  {
    name: 'SecretStore without namespace',
    action: 'bootstrap',
    patch: i => {
      i.store.kind = 'SecretStore';
    },
    error: /store\.namespace: is required for a SecretStore/,
  },
  {
    name: 'ClusterSecretStore with a namespace',
    action: 'bootstrap',
    patch: i => {
      i.store.namespace = 'payments';
    },
    error: /store\.namespace: must not be set for a ClusterSecretStore/,
  },
  // No input takes a credential value.
  {
    name: 'an access key value in the auth block',
    action: 'bootstrap',
    patch: i => {
      i.store.provider.auth.accessKeyId = 'AKIASENTINEL0000';
    },
    error: /store\.provider\.auth: unknown field\(s\) "accessKeyId"/,
  },
  {
    name: 'a secret value at the top level',
    action: 'add',
    patch: i => {
      i.secretValue = 'hunter2';
    },
    error: /\(input\): unknown field\(s\) "secretValue"/,
  },
  // Empty data, oversize values.
  {
    name: 'ExternalSecret with no data and no dataFrom',
    action: 'bootstrap',
    patch: i => {
      es0(i).data = [];
    },
    error:
      /externalSecrets\[0\]\.data: give at least one data entry or one dataFrom extract/,
  },
  {
    name: 'ExternalSecret with no data and no dataFrom (add)',
    action: 'add',
    patch: i => {
      i.data = [];
    },
    error: /data: give at least one data entry/,
  },
  {
    name: 'duplicate secretKey',
    action: 'add',
    patch: i => {
      i.data = [i.data[0], i.data[0]];
    },
    error: /data\[1\]\.secretKey: duplicate key "api-key"/,
  },
  {
    name: 'remoteRef.key over 512 characters',
    action: 'add',
    patch: i => {
      i.data[0].remoteRef.key = 'k'.repeat(600);
    },
    error: /data\[0\]\.remoteRef\.key: must be at most 512 characters/,
  },
  {
    name: 'a label over 50 characters',
    action: 'bootstrap',
    patch: i => {
      i.labels = ['l'.repeat(51)];
    },
    error: /labels\[0\]: must be at most 50 characters/,
  },
  {
    name: 'a reviewer that is not a login',
    action: 'bootstrap',
    patch: i => {
      i.reviewers = ['not a login'];
    },
    error: /reviewers\[0\]: must be a GitHub user login/,
  },
  {
    name: 'branch name with ".."',
    action: 'bootstrap',
    patch: i => {
      i.branchName = 'feature..x';
    },
    error: /branchName: must be a valid git branch name/,
  },
  {
    name: 'ExternalSecret outside the SecretStore namespace',
    action: 'bootstrap',
    patch: i => {
      i.store.kind = 'SecretStore';
      i.store.namespace = 'team-a';
    },
    error: /externalSecrets\[0\]\.namespace: must be team-a/,
  },
  {
    name: 'two ExternalSecrets with one name',
    action: 'bootstrap',
    patch: i => {
      i.externalSecrets = [es0(i), es0(i)];
    },
    error:
      /externalSecrets\[1\]\.name: duplicate ExternalSecret payments\/db-credentials/,
  },
  // Repository URL.
  {
    name: 'repoUrl as a path',
    action: 'bootstrap',
    patch: i => {
      i.repoUrl = 'github.com/acme/gitops';
    },
    error: /repoUrl: must look like "github\.com\?owner=<owner>&repo=<repo>"/,
  },
  {
    name: 'repoUrl with a path in repo',
    action: 'add',
    patch: (i, h) => {
      i.repoUrl = `${h.sim.host}?owner=acme&repo=../etc`;
    },
    error: /repoUrl: repo "\.\.\/etc" is not a valid GitHub repository name/,
  },
  {
    name: 'repoUrl of a host without integration',
    action: 'bootstrap',
    patch: i => {
      i.repoUrl = 'gitlab.example.com?owner=acme&repo=gitops';
    },
    error:
      /repoUrl: no GitHub integration is configured for host gitlab\.example\.com/,
  },
  // Checks that read the repository.
  {
    name: 'unknown store',
    action: 'add',
    patch: i => {
      i.storeRef.name = 'vault';
    },
    error: /storeRef: no ClusterSecretStore named "vault"/,
    reads: true,
  },
  {
    name: 'store kind that does not match',
    action: 'add',
    patch: i => {
      i.storeRef.kind = 'SecretStore';
    },
    error: /storeRef: no SecretStore named "aws-secrets-manager"/,
    reads: true,
  },
  {
    name: 'cluster without bootstrap',
    action: 'add',
    patch: i => {
      i.clusterPath = 'clusters/other';
    },
    // The repository model: nothing applies clusters/other, so nothing would apply an ExternalSecret there.
    error:
      /clusterPath: no Flux Kustomization or FluxInstance in acme\/\S+@main applies clusters\/other/,
    reads: true,
  },
  {
    name: 'target branch that does not exist',
    action: 'bootstrap',
    patch: i => {
      i.targetBranch = 'release';
    },
    error: /targetBranch: branch "release" does not exist/,
    reads: true,
  },
];

describe('bad inputs are rejected naming the field, with nothing written', () => {
  let h: Harness;
  let bootstrapRepo: string;
  let addRepo: string;

  beforeAll(async () => {
    h = await startHarness();
    bootstrapRepo = 'acme/bad-bootstrap';
    addRepo = 'acme/bad-add';
    await h.sim.createRepo(bootstrapRepo, { files: clusterFiles(CLUSTER) });
    const files = await bootstrappedFiles(CLUSTER);
    files['clusters/other/kustomization.yaml'] = 'resources: []\n';
    await h.sim.createRepo(addRepo, { files });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases.map(c => [c.action, c.name, c] as const))(
    '%s: %s',
    async (_a, _n, c) => {
      const input =
        c.action === 'bootstrap'
          ? { repoUrl: h.repoUrl(bootstrapRepo), ...bootstrapBase() }
          : { repoUrl: h.repoUrl(addRepo), ...addBase() };
      c.patch(input, h);
      const action =
        c.action === 'bootstrap'
          ? createBootstrapAction({
              integrations: h.integrations,
              octokitFactory: h.octokitFactory,
            })
          : createAddExternalSecretAction({
              integrations: h.integrations,
              octokitFactory: h.octokitFactory,
            });
      h.sim.resetCounters();
      const { ctx } = mockContext(input);
      const error = await action.handler(ctx).then(
        () => undefined,
        e => e,
      );
      expect(error?.name).toBe('InputError');
      expect(error.message).toMatch(c.error);
      expect(h.writes()).toEqual({});
      // Pure input errors are found before any request; repository checks only read.
      expect({
        reads: !!c.reads,
        requests: h.sim.counters().total > 0,
      }).toEqual({
        reads: !!c.reads,
        requests: !!c.reads,
      });
      expect(h.sim.listPulls(bootstrapRepo)).toEqual([]);
      expect(h.sim.listPulls(addRepo)).toEqual([]);
    },
  );
});
