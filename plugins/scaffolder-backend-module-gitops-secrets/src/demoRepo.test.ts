/*
 * The local demo's GitOps repository (packages/github-api-sim/demo-repo) is the state the golden path leaves
 * behind on the management cluster: the race-free ESO bootstrap, the shared secrets bootstrap leaves apply, and a
 * leaf-cluster template. So the leaf-cluster template works in the demo at once, and the repository matches the
 * simulated management cluster. This test proves those files are exactly what the actions write: running the
 * same steps on the seeded repository changes nothing. `UPDATE_DEMO_REPO=1` regenerates them (each step's PR
 * merged, the result copied back).
 */
import { Octokit } from '@octokit/rest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createAddTemplateAction } from './actions/cluster/addTemplate';
import { createBootstrapAction } from './actions/secrets/bootstrap';
import {
  Harness,
  mockContext,
  startHarness,
} from './github/__testUtils__/harness';

jest.setTimeout(120_000);

const DEMO_REPO = path.resolve(
  __dirname,
  '../../../packages/github-api-sim/demo-repo',
);
const UPDATE = process.env.UPDATE_DEMO_REPO === '1';
/** The demo's GitHub host (scripts/portal.sh); this test's simulator listens on a free port instead. */
const DEMO_GITHUB_HOST = 'localhost:7010';

const store = {
  kind: 'ClusterSecretStore',
  name: 'aws-secrets-manager',
  provider: {
    type: 'aws',
    service: 'SecretsManager',
    region: 'eu-west-1',
    auth: { type: 'secretRef', secretName: 'aws-credentials' },
  },
};

/** The golden path's steps on the demo repository, in the order a platform team runs them. */
const steps: Array<{
  name: string;
  action: 'bootstrap' | 'add-template';
  input: Record<string, unknown>;
}> = [
  {
    name: 'ESO on the management cluster',
    action: 'bootstrap',
    input: { clusterPath: 'clusters/management', store },
  },
  {
    name: 'the shared secrets bootstrap leaf clusters apply',
    action: 'bootstrap',
    input: { clusterPath: 'clusters/bases/secrets', sharedBase: true, store },
  },
  {
    name: 'the leaf-cluster template',
    action: 'add-template',
    input: {
      managementClusterPath: 'clusters/management',
      templateName: 'leaf-cluster',
      bootstrap: { owner: 'acme', repository: 'gitops', personal: false },
    },
  },
];

async function readTree(
  dir: string,
  prefix = '',
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(path.join(dir, prefix), {
    withFileTypes: true,
  })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, await readTree(dir, rel));
    else out[rel] = await readFile(path.join(dir, rel), 'utf8');
  }
  return out;
}

describe('the demo GitOps repository', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('holds exactly what the bootstrap and add-template actions write (re-running them changes nothing)', async () => {
    const fullName = 'acme/gitops';
    const seeded = await readTree(DEMO_REPO);
    // Files naming the GitHub host (flux bootstrap --hostname) name this simulator's.
    const atThisHost = (text: string) =>
      text.split(DEMO_GITHUB_HOST).join(h.sim.host);
    const atDemoHost = (text: string) =>
      text.split(h.sim.host).join(DEMO_GITHUB_HOST);
    await h.sim.createRepo(fullName, {
      files: Object.fromEntries(
        Object.entries(seeded).map(([p, c]) => [p, atThisHost(c)]),
      ),
    });
    const octokit = new Octokit({
      baseUrl: h.sim.apiBaseUrl,
      auth: h.sim.adminToken,
    });

    const outcomes: string[] = [];
    for (const step of steps) {
      const action =
        step.action === 'bootstrap'
          ? createBootstrapAction({
              integrations: h.integrations,
              octokitFactory: h.octokitFactory,
            })
          : createAddTemplateAction({
              integrations: h.integrations,
              octokitFactory: h.octokitFactory,
            });
      const m = mockContext({
        repoUrl: h.repoUrl(fullName),
        ...step.input,
        // Regenerating: files the actions now write differently replace the old ones.
        ...(UPDATE ? { overwrite: true } : {}),
      });
      await action.handler(m.ctx as any);
      outcomes.push(`${step.name}: ${m.outputs.outcome}`);
      if (UPDATE && m.outputs.pullRequestNumber) {
        await octokit.pulls.merge({
          owner: 'acme',
          repo: 'gitops',
          pull_number: m.outputs.pullRequestNumber as number,
          merge_method: 'squash',
        });
      }
    }

    if (UPDATE) {
      const dir = await h.clone(fullName, 'main');
      const files = await readTree(dir);
      for (const [rel, text] of Object.entries(files)) {
        const content = atDemoHost(text);
        if (rel.startsWith('.git/') || seeded[rel] === content) continue;
        await mkdir(path.dirname(path.join(DEMO_REPO, rel)), {
          recursive: true,
        });
        await writeFile(path.join(DEMO_REPO, rel), content);
      }
      return;
    }
    expect(outcomes).toEqual(steps.map(s => `${s.name}: nothing-to-change`));
  });
});
