/*
 * The adversarial suite: hostile inputs (all synthetic) through the real handlers of the four actions against the
 * GitHub simulator. Each case names its expected refusal; after each, every ref and pull request of every repository
 * is byte-identical to before, no write request reached the simulator, and the planted credential appears in no
 * error, log line, output or pull request. docs/security.md has the table of what this proves.
 */
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createAddTemplateAction } from './actions/cluster/addTemplate';
import { createCreateLeafAction } from './actions/cluster/createLeaf';
import {
  fleetRepo,
  managementRepo,
  MGMT,
} from './actions/cluster/__testUtils__/fleet';
import { createAddExternalSecretAction } from './actions/secrets/addExternalSecret';
import { createBootstrapAction } from './actions/secrets/bootstrap';
import {
  addExternalSecretBaseInput,
  bootstrapBaseInput,
  bootstrappedFiles,
  clusterFiles,
} from './actions/secrets/__testUtils__/fixtures';
import { createOctokitFactory, OctokitFactory } from './github';
import {
  Harness,
  mockContext,
  startHarness,
} from './github/__testUtils__/harness';
import { withTrailers } from './github/ownership';

jest.setTimeout(300_000);

const CLUSTER = 'clusters/management';
/** Planted in every credential path; must never surface. */
const PLANTED = 'ghp_PLANTEDsecret0123456789abcdefABCDEF';
const PLANTED_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEPLANTEDKEYPLANTEDKEYPLANTEDKEYPLANTEDKEY0123456789',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

type ActionName = 'bootstrap' | 'add' | 'template' | 'leaf';
type Input = Record<string, any>;

interface Case {
  name: string;
  action: ActionName;
  patch: (input: Input) => void;
  /** The refusal: error name (default InputError) and a pattern its message must match. */
  error: RegExp;
  errorName?: string;
  /** Another Octokit factory (credential cases). */
  factory?: 'badIntegrationToken' | 'appKey';
}

const REPO = {
  bootstrap: 'acme/adv-bootstrap',
  add: 'acme/adv-add',
  template: 'acme/adv-template',
  leaf: 'acme/adv-leaf',
};

const bases: Record<ActionName, () => Input> = {
  bootstrap: () => bootstrapBaseInput(CLUSTER),
  add: () => addExternalSecretBaseInput(CLUSTER),
  template: () => ({ managementClusterPath: MGMT }),
  leaf: () => ({
    managementClusterPath: MGMT,
    templateName: 'leaf-cluster',
    parameters: {
      CLUSTER_NAME: 'dev-1',
      NAMESPACE: 'default',
      KUBERNETES_VERSION: 'v1.35.0',
      CONTROL_PLANE_MACHINE_COUNT: '3',
      WORKER_MACHINE_COUNT: 2,
    },
  }),
};

/** The target each action names in its trailers for the base inputs (see the actions' `identity`). */
const TARGETS: Record<ActionName, string> = {
  bootstrap: CLUSTER,
  add: `${CLUSTER}:payments/stripe`,
  template: `${MGMT}:leaf-cluster`,
  leaf: 'default/dev-1',
};

const set =
  (field: string, value: unknown) =>
  (i: Input): void => {
    i[field] = value;
  };

const ALL: ActionName[] = ['bootstrap', 'add', 'template', 'leaf'];
const forAll = (
  name: string,
  patch: (i: Input) => void,
  error: RegExp,
  actions: ActionName[] = ALL,
): Case[] => actions.map(action => ({ name, action, patch, error }));

const NOT_OURS =
  /branchName: branch .* already exists in acme\/adv-\w+ with \d+ commit\(s\) since main that gitops:[a-z:-]+ did not write for this target \(last commit [0-9a-f]{7} by "[^"]+"\).*nothing was written$/;

const cases: Case[] = [
  // Branch names: git ref rules, no refs/heads/ prefix, no look-alike characters.
  ...forAll(
    'branchName with refs/heads/ prefix',
    set('branchName', 'refs/heads/x'),
    /branchName: must be a valid git branch name: must be a branch name without "refs\/heads\/"/,
  ),
  ...forAll(
    'branchName with ".."',
    set('branchName', 'a..b'),
    /branchName: .*must not contain "\.\."/,
  ),
  ...forAll(
    'branchName with "@{"',
    set('branchName', 'a@{1}'),
    /branchName: .*may contain only ASCII letters/,
  ),
  ...forAll(
    'branchName ending in .lock',
    set('branchName', 'feature/x.lock'),
    /branchName: .*must not end with "\.lock"|branchName: .*may not end with "\.lock"|no path segment may end with "\.lock"/,
  ),
  {
    name: 'branchName segment ending in .lock',
    action: 'bootstrap',
    patch: set('branchName', 'a.lock/b'),
    error: /branchName: .*no path segment may end with "\.lock"/,
  },
  {
    name: 'branchName HEAD',
    action: 'bootstrap',
    patch: set('branchName', 'HEAD'),
    error: /branchName: .*not HEAD/,
  },
  {
    name: 'branchName with a Cyrillic look-alike',
    action: 'bootstrap',
    patch: set('branchName', 'eso-bооtstrap'),
    error: /branchName: .*may contain only ASCII letters/,
  },
  {
    name: 'branchName with CR/LF',
    action: 'add',
    patch: set('branchName', 'x\r\nHost: evil'),
    error: /branchName: .*may contain only ASCII letters/,
  },
  {
    name: 'branchName starting with "-"',
    action: 'add',
    patch: set('branchName', '-f'),
    error: /branchName: .*must not start with "-"/,
  },
  {
    name: 'branchName over 200 characters',
    action: 'template',
    patch: set('branchName', 'b'.repeat(201)),
    error: /branchName: .*at most 200 characters/,
  },
  {
    name: 'branchName with a space',
    action: 'leaf',
    patch: set('branchName', 'my branch'),
    error: /branchName: .*may contain only ASCII letters/,
  },
  {
    name: 'branchName with a hidden segment',
    action: 'leaf',
    patch: set('branchName', 'a/.git'),
    error: /branchName: .*no path segment may start or end with "\."/,
  },

  // Branch ownership (the repositories are prepared in beforeAll).
  ...forAll(
    'branchName: the default branch, with targetBranch release',
    i => {
      i.branchName = 'main';
      i.targetBranch = 'release';
    },
    /branchName: must not be the default branch main of acme\/adv-\w+; .*/,
  ),
  ...forAll(
    'branchName: the target branch',
    set('branchName', 'main'),
    /branchName: must differ from the target branch main/,
  ),
  ...forAll(
    "branchName: someone else's branch",
    set('branchName', 'their-branch'),
    NOT_OURS,
  ),
  ...forAll(
    "branchName: someone else's branch with their open PR",
    set('branchName', 'their-pr-branch'),
    NOT_OURS,
  ),
  ...forAll(
    'branchName: a protected branch',
    set('branchName', 'protected/base'),
    /branchName: branch protected\/base of acme\/adv-\w+ is protected \(rule "protected\/\*"\); the action never writes to a protected branch/,
  ),
  ...forAll(
    'branchName: a branch just created at the base by someone (no commit of ours)',
    set('branchName', 'fresh-branch'),
    /branchName: branch fresh-branch already exists .* with 0 commit\(s\) since main/,
  ),
  ...forAll(
    'branchName: our commit with theirs on top',
    set('branchName', 'ours-then-theirs'),
    NOT_OURS,
  ),
  ...forAll(
    'branchName: our commits but an open PR we did not open',
    set('branchName', 'ours-their-pr'),
    /branchName: branch ours-their-pr of acme\/adv-\w+ has open pull request #\d+ that gitops:[a-z:-]+ did not open for this target; the action never rewrites a pull request it did not open/,
  ),
  ...forAll(
    'branchName: a branch another action made',
    set('branchName', 'other-action'),
    NOT_OURS,
  ),

  // Paths: traversal, absolute, separators, hidden, flux-system, a file where a folder is needed.
  {
    name: 'clusterPath traversal',
    action: 'bootstrap',
    patch: set('clusterPath', '../../etc'),
    error: /clusterPath: must not contain "\.\." segments/,
  },
  {
    name: 'clusterPath absolute',
    action: 'add',
    patch: set('clusterPath', '/etc/passwd'),
    error: /clusterPath: must be relative to the repository root/,
  },
  {
    name: 'clusterPath Windows drive',
    action: 'bootstrap',
    patch: set('clusterPath', 'C:/fleet'),
    error: /clusterPath: must be relative to the repository root/,
  },
  {
    name: 'clusterPath with backslashes',
    action: 'bootstrap',
    patch: set('clusterPath', 'clusters\\prod'),
    error: /clusterPath: must use "\/" as separator/,
  },
  {
    name: 'clusterPath into .git',
    action: 'add',
    patch: set('clusterPath', 'clusters/.git/hooks'),
    error: /clusterPath: must not contain hidden segments/,
  },
  {
    name: 'clusterPath with a control character',
    action: 'bootstrap',
    patch: set('clusterPath', 'clusters/a\u0007'),
    error: /clusterPath: must not contain control characters/,
  },
  {
    name: 'clusterPath with a homoglyph',
    action: 'bootstrap',
    patch: set('clusterPath', 'clusters/prоd'),
    error: /clusterPath: may contain only letters, digits/,
  },
  {
    name: 'clusterPath: the flux-system folder',
    action: 'bootstrap',
    patch: set('clusterPath', 'clusters/prod/flux-system'),
    error: /clusterPath: must not be a flux-system folder or inside one/,
  },
  {
    name: 'clusterPath: inside flux-system',
    action: 'add',
    patch: set('clusterPath', 'clusters/prod/flux-system/x'),
    error: /clusterPath: must not be a flux-system folder or inside one/,
  },
  {
    name: 'managementClusterPath inside flux-system',
    action: 'template',
    patch: set('managementClusterPath', `${MGMT}/flux-system`),
    error:
      /managementClusterPath: must not be a flux-system folder or inside one/,
  },
  {
    name: 'managementClusterPath traversal',
    action: 'leaf',
    patch: set('managementClusterPath', '../x'),
    error: /managementClusterPath: must not contain "\.\." segments/,
  },
  {
    name: 'clusterPath that is a file in the repository',
    action: 'bootstrap',
    patch: set('clusterPath', 'clusters/notes.txt'),
    // The repository model refuses first (Flux applies folders only); the file-versus-folder check of
    // publishPullRequest, which would refuse it next, is covered in github/publish.test.ts.
    error:
      /^clusterPath: no Flux Kustomization or FluxInstance in acme\/adv-bootstrap@main applies clusters\/notes\.txt/,
  },
  {
    name: 'clusterPath over 255 characters',
    action: 'bootstrap',
    patch: set('clusterPath', `clusters/${'a'.repeat(260)}`),
    error: /clusterPath: must be at most 255 characters/,
  },

  // System namespaces as namespaces the action would create.
  {
    name: 'operatorNamespace kube-system',
    action: 'bootstrap',
    patch: set('operatorNamespace', 'kube-system'),
    error: /operatorNamespace: must not be a system namespace/,
  },
  {
    name: 'operatorNamespace default',
    action: 'bootstrap',
    patch: set('operatorNamespace', 'default'),
    error: /operatorNamespace: must not be a system namespace/,
  },
  {
    name: 'operatorNamespace flux-system',
    action: 'bootstrap',
    patch: set('operatorNamespace', 'flux-system'),
    error: /operatorNamespace: must not be a system namespace/,
  },
  {
    name: 'created SecretStore namespace kube-public',
    action: 'bootstrap',
    patch: i => {
      i.store = {
        ...i.store,
        kind: 'SecretStore',
        namespace: 'kube-public',
        createNamespace: true,
      };
      i.externalSecrets = [];
    },
    error:
      /store\.namespace: with createNamespace: must not be a system namespace/,
  },
  {
    name: 'created namespace kube-system (add)',
    action: 'add',
    patch: i => {
      i.namespace = 'kube-system';
      i.createNamespace = true;
    },
    error: /namespace: with createNamespace: must not be a system namespace/,
  },
  {
    name: 'created namespace flux-system (add)',
    action: 'add',
    patch: i => {
      i.namespace = 'flux-system';
      i.createNamespace = true;
    },
    error: /namespace: with createNamespace: must not be a system namespace/,
  },

  // repoUrl: foreign hosts, userinfo, look-alike hosts, injection.
  ...forAll(
    'repoUrl on a host with no integration',
    set('repoUrl', 'evil.example.com?owner=acme&repo=fleet'),
    /repoUrl: no GitHub integration is configured for host evil\.example\.com/,
  ),
  {
    name: 'repoUrl with userinfo',
    action: 'bootstrap',
    patch: set('repoUrl', 'user:pass@github.com?owner=acme&repo=fleet'),
    error:
      /repoUrl: must be "host\?owner=…&repo=…" without a path or credentials/,
  },
  {
    name: 'repoUrl with a control character',
    action: 'add',
    patch: set('repoUrl', 'github.com\n?owner=acme&repo=fleet'),
    error: /repoUrl: must not contain control characters/,
  },
  {
    name: 'repoUrl owner with a path',
    action: 'bootstrap',
    patch: set('repoUrl', 'github.com?owner=acme/../x&repo=fleet'),
    error: /repoUrl: owner "acme\/\.\.\/x" is not a valid GitHub owner name/,
  },

  // Unknown fields and oversized values.
  ...forAll(
    'an unknown field',
    set('exec', 'rm -rf /'),
    /unknown field\(s\) "exec"/,
  ),
  {
    name: 'title over 256 characters',
    action: 'bootstrap',
    patch: set('title', 't'.repeat(300)),
    error: /title: must be at most 256 characters/,
  },
  {
    name: 'title with a line break',
    action: 'add',
    patch: set('title', 'a\nb'),
    error: /title: must be a single line/,
  },
  {
    name: 'description over 20,000 characters',
    action: 'bootstrap',
    patch: set('description', 'd'.repeat(20_001)),
    error: /description: must be at most 20000 characters/,
  },
  {
    name: 'commitMessage with an escape sequence',
    action: 'add',
    patch: set('commitMessage', 'x\u001b[31m'),
    error: /commitMessage: must not contain control characters/,
  },
  {
    name: 'over 20 labels',
    action: 'bootstrap',
    patch: set(
      'labels',
      Array.from({ length: 21 }, (_, n) => `l${n}`),
    ),
    error: /labels: must list at most 20 labels/,
  },
  {
    name: 'a reviewer that is no login',
    action: 'add',
    patch: set('reviewers', ['octo cat']),
    error: /reviewers\[0\]: must be a GitHub user login/,
  },
  {
    name: 'remoteRef key with a line break (YAML injection)',
    action: 'add',
    patch: i => {
      i.data[0].remoteRef.key = 'a\nkind: Secret';
    },
    error: /data\[0\]\.remoteRef\.key: must be a single line/,
  },
  {
    name: 'secretKey with a YAML special',
    action: 'add',
    patch: i => {
      i.data[0].secretKey = '*alias';
    },
    error: /data\[0\]\.secretKey: must contain only letters/,
  },
  {
    name: 'ExternalSecret name with a homoglyph',
    action: 'add',
    patch: set('name', 'strіpe'),
    error: /name: must be a DNS-1123 subdomain/,
  },

  // Credentials: a planted token or App key in every credential path must not surface.
  ...forAll(
    'token with CR/LF (header injection)',
    set('token', `${PLANTED}\r\nX-Injected: 1`),
    /token: must not contain spaces, line breaks or control characters \(the value is not shown\)/,
  ),
  {
    name: 'token GitHub rejects (401)',
    action: 'bootstrap',
    patch: set('token', PLANTED),
    error: /GitHub rejected the credentials configured for acme\/adv-bootstrap/,
    errorName: 'AuthenticationError',
  },
  {
    name: 'integration token with a line break',
    action: 'add',
    patch: () => {},
    error:
      /the GitHub credentials configured for .*: must not contain spaces, line breaks or control characters \(the value is not shown\)/,
    factory: 'badIntegrationToken',
  },
  {
    name: 'GitHub App private key that is not a key',
    action: 'bootstrap',
    patch: () => {},
    error: /secretOrPrivateKey must be an asymmetric key/,
    errorName: 'Error',
    factory: 'appKey',
  },
];

const ACTIONS = {
  bootstrap: createBootstrapAction,
  add: createAddExternalSecretAction,
  template: createAddTemplateAction,
  leaf: createCreateLeafAction,
};

describe('adversarial suite: hostile inputs are refused and nothing in GitHub changes', () => {
  let h: Harness;
  const factories: Record<string, OctokitFactory> = {};

  /** Every ref and pull request of the suite's repositories. */
  async function state() {
    const out: Record<string, unknown> = {};
    for (const fullName of Object.values(REPO)) {
      out[fullName] = {
        refs: await h.sim.listRefs(fullName),
        pulls: h.sim.listPulls(fullName),
      };
    }
    return JSON.stringify(out);
  }

  beforeAll(async () => {
    h = await startHarness();
    const admin = (
      await h.octokitFactory({ repoUrl: h.repoUrl(REPO.bootstrap) })
    ).octokit;
    const seeds: Record<ActionName, Record<string, string>> = {
      bootstrap: clusterFiles(CLUSTER),
      add: await bootstrappedFiles(CLUSTER),
      template: await managementRepo(),
      leaf: await fleetRepo(),
    };
    for (const action of ALL) {
      const fullName = REPO[action];
      const [owner, repo] = fullName.split('/');
      const files = {
        ...seeds[action],
        'clusters/notes.txt': 'not a folder\n',
      };
      const { headSha } = await h.sim.createRepo(fullName, { files });
      const { data: base } = await admin.rest.git.getCommit({
        owner,
        repo,
        commit_sha: headSha,
      });
      const commit = async (
        message: string,
        parent: string,
        author = 'Dana Dev',
      ) =>
        (
          await admin.rest.git.createCommit({
            owner,
            repo,
            message,
            tree: base.tree.sha,
            parents: [parent],
            author: { name: author, email: 'dana@example.com' },
          })
        ).data.sha;
      const branch = (name: string, sha: string) =>
        admin.rest.git.createRef({
          owner,
          repo,
          ref: `refs/heads/${name}`,
          sha,
        });
      const pull = (head: string, body: string) =>
        admin.rest.pulls.create({
          owner,
          repo,
          head,
          base: 'main',
          title: 'Their work',
          body,
        });
      const ours = (message: string, targetAction: string) =>
        withTrailers(
          message,
          { owner, repo, baseBranch: 'main' },
          { action: targetAction, target: TARGETS[action] },
        );
      const actionId = ACTIONS[action]({ integrations: h.integrations }).id;

      await branch('release', headSha);
      await branch('their-branch', await commit('Their work', headSha));
      await branch('their-pr-branch', await commit('Their work', headSha));
      await pull('their-pr-branch', 'Please review');
      await branch('protected/base', headSha);
      await h.sim.protectBranch(fullName, 'protected/*');
      await branch('fresh-branch', headSha);
      // A commit carrying this action's trailers for this very target, then someone's on top.
      const mine = await commit(ours('Ours', actionId), headSha, 'sim-admin');
      await branch('ours-then-theirs', await commit('Theirs on top', mine));
      // Only our commit, but the open PR was opened by hand.
      await branch('ours-their-pr', mine);
      await pull('ours-their-pr', 'Opened by hand');
      await branch(
        'other-action',
        await commit(
          ours(
            'Other action',
            action === 'add'
              ? 'gitops:secrets:bootstrap'
              : 'gitops:secrets:add-external-secret',
          ),
          headSha,
          'sim-admin',
        ),
      );
    }

    factories.badIntegrationToken = createOctokitFactory({
      integrations: ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: {
            github: [
              {
                host: h.sim.host,
                apiBaseUrl: h.sim.apiBaseUrl,
                token: `${PLANTED}\nX-Injected: 1`,
              },
            ],
          },
        }),
      ),
      paceWrites: false,
      retryAfterBaseValueMs: 1,
    });
    factories.appKey = createOctokitFactory({
      integrations: ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: {
            github: [
              {
                host: h.sim.host,
                apiBaseUrl: h.sim.apiBaseUrl,
                apps: [
                  {
                    appId: 1,
                    privateKey: PLANTED_KEY,
                    clientId: 'planted-client',
                    clientSecret: PLANTED,
                    webhookSecret: PLANTED,
                  },
                ],
              },
            ],
          },
        }),
      ),
      paceWrites: false,
      retryAfterBaseValueMs: 1,
    });
  });

  afterAll(async () => {
    await h.stop();
  });

  it('has at least 60 hostile inputs, across the four actions', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map(c => c.action))).toEqual(new Set(ALL));
  });

  it.each(cases.map(c => [c.action, c.name, c] as const))(
    '%s: %s',
    async (action, _name, c) => {
      const input: Input = {
        repoUrl: h.repoUrl(REPO[action]),
        ...bases[action](),
      };
      c.patch(input);
      const handler = ACTIONS[action]({
        integrations: h.integrations,
        octokitFactory: c.factory ? factories[c.factory] : h.octokitFactory,
      });
      const before = await state();
      h.sim.resetCounters();
      const { ctx, logs, outputs } = mockContext(input);
      const error = await handler.handler(ctx).then(
        () => undefined,
        e => e,
      );
      expect(error).toBeDefined();
      expect(error.name).toBe(c.errorName ?? 'InputError');
      expect(error.message).toMatch(c.error);
      expect(h.writes()).toEqual({});
      expect(await state()).toBe(before);
      const shown = [
        error.message,
        String(error.stack),
        String(error.cause?.message ?? ''),
        ...logs,
        JSON.stringify(outputs),
        JSON.stringify(Object.values(REPO).map(r => h.sim.listPulls(r))),
      ].join('\n');
      expect(shown).not.toContain(PLANTED);
      expect(shown).not.toContain('PLANTEDKEY');
    },
  );
  describe('branches the action made are still updated', () => {
    const esInput = (repoUrl: string, name: string, extra: Input = {}) => ({
      repoUrl,
      ...bases.bootstrap(),
      externalSecrets: [
        {
          name,
          namespace: 'payments',
          data: [
            { secretKey: 'password', remoteRef: { key: `payments/${name}` } },
          ],
        },
      ],
      ...extra,
    });
    const bootstrap = () =>
      createBootstrapAction({
        integrations: h.integrations,
        octokitFactory: h.octokitFactory,
      });

    it('an explicit branchName made earlier by the action: new inputs update it and its PR', async () => {
      const fullName = 'acme/adv-own-1';
      await h.sim.createRepo(fullName, { files: clusterFiles(CLUSTER) });
      const first = mockContext(
        esInput(h.repoUrl(fullName), 'db', { branchName: 'mine' }),
      );
      await bootstrap().handler(first.ctx);
      expect(first.outputs.outcome).toBe('created');
      const second = mockContext(
        esInput(h.repoUrl(fullName), 'cache', { branchName: 'mine' }),
      );
      await bootstrap().handler(second.ctx);
      expect(second.outputs).toMatchObject({
        outcome: 'updated',
        pullRequestNumber: first.outputs.pullRequestNumber,
      });
      expect((await h.sim.listRefs(fullName))['refs/heads/mine']).toBe(
        second.outputs.commitSha,
      );
    });

    it('derived branches: other inputs for the same cluster get their own branch and PR; the first is left as it was', async () => {
      const fullName = 'acme/adv-own-2';
      await h.sim.createRepo(fullName, { files: clusterFiles(CLUSTER) });
      const first = mockContext(esInput(h.repoUrl(fullName), 'db'));
      await bootstrap().handler(first.ctx);
      const refsAfterFirst = await h.sim.listRefs(fullName);
      const second = mockContext(esInput(h.repoUrl(fullName), 'cache'));
      await bootstrap().handler(second.ctx);
      expect(second.outputs.outcome).toBe('created');
      expect(second.outputs.branchName).not.toBe(first.outputs.branchName);
      const refs = await h.sim.listRefs(fullName);
      expect(refs[`refs/heads/${first.outputs.branchName}`]).toBe(
        refsAfterFirst[`refs/heads/${first.outputs.branchName}`],
      );
      expect(h.sim.listPulls(fullName)).toHaveLength(2);
      // The same inputs again find their own branch: nothing written.
      h.sim.resetCounters();
      const again = mockContext(esInput(h.repoUrl(fullName), 'db'));
      await bootstrap().handler(again.ctx);
      expect(again.outputs).toMatchObject({
        outcome: 'unchanged',
        branchName: first.outputs.branchName,
      });
      expect(h.writes()).toEqual({});
    });
  });
});
