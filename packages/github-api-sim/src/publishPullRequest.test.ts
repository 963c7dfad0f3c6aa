import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { ScmIntegrations } from '@backstage/integration';
import { createPublishGithubPullRequestAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { chmod } from 'node:fs/promises';
import { runGit } from './git';
import { allowFetchTo, GithubApiSim, startGithubApiSim } from './index';

// Every request spawns git at least once; on a loaded two-core machine that adds up.
jest.setTimeout(60_000);

/*
 * The anchor: Backstage's own `publish:github:pull-request` action, wired exactly as a Backstage backend wires it
 * (integration config with host + apiBaseUrl + token), runs against the simulator.
 */
describe('publish:github:pull-request against github-api-sim', () => {
  let sim: GithubApiSim;
  let restoreFetch: () => void;
  const unmatched: string[] = [];
  const workspace = createMockDirectory();

  const actionFor = (token: string) =>
    createPublishGithubPullRequestAction({
      integrations: ScmIntegrations.fromConfig(
        mockServices.rootConfig({
          data: {
            integrations: {
              github: [{ host: sim.host, apiBaseUrl: sim.apiBaseUrl, token }],
            },
          },
        }),
      ),
    });

  beforeAll(async () => {
    sim = await startGithubApiSim({
      onUnmatchedRoute: (method, path) => unmatched.push(`${method} ${path}`),
      tokens: {
        'bot-token': {
          login: 'scaffolder-bot',
          repos: ['gitops/fleet'],
          permission: 'write',
        },
      },
    });
    restoreFetch = allowFetchTo(sim.url);
    await sim.createRepo('gitops/fleet', {
      files: {
        'README.md': '# fleet\n',
        'clusters/mgmt/old-eso.yaml': 'obsolete: true\n',
      },
    });
  });

  afterAll(async () => {
    restoreFetch();
    await sim.stop();
  });

  it('opens a pull request whose branch holds the workspace files', async () => {
    workspace.setContent({
      'clusters/mgmt/eso/helmrelease.yaml': 'kind: HelmRelease\n',
      'clusters/mgmt/eso/kustomization.yaml': 'kind: Kustomization\n',
      'scripts/check.sh': '#!/bin/sh\n',
      // Backstage keeps only dangling symlinks as links (others are read through).
      'scripts/current': ctx => ctx.symlink('../generated/current.yaml'),
    });
    await chmod(workspace.resolve('scripts/check.sh'), 0o755);
    sim.resetCounters();
    const ctx = createMockActionContext({
      workspacePath: workspace.path,
      input: {
        repoUrl: `${sim.host}?owner=gitops&repo=fleet`,
        branchName: 'bootstrap-eso',
        title: 'Bootstrap External Secrets Operator',
        description: 'Adds ESO to the management cluster',
        filesToDelete: ['clusters/mgmt/old-eso.yaml'],
        reviewers: ['platform-lead'],
        commitMessage: 'Bootstrap ESO',
        gitAuthorName: 'Scaffolder',
        gitAuthorEmail: 'scaffolder@example.com',
      },
    });

    await actionFor('bot-token').handler(ctx as any);

    expect(unmatched).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith(
      'remoteUrl',
      `${sim.url}/gitops/fleet/pull/1`,
    );
    expect(ctx.output).toHaveBeenCalledWith('pullRequestNumber', 1);
    expect(ctx.output).toHaveBeenCalledWith('targetBranchName', 'main');

    const [pr] = sim.listPulls('gitops/fleet');
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      title: 'Bootstrap External Secrets Operator',
      body: 'Adds ESO to the management cluster',
      user: 'scaffolder-bot',
      head: { ref: 'bootstrap-eso', label: 'gitops:bootstrap-eso' },
      base: { ref: 'main' },
      requestedReviewers: ['platform-lead'],
    });
    const read = (path: string) =>
      sim.readFile('gitops/fleet', 'bootstrap-eso', path);
    expect(await read('clusters/mgmt/eso/helmrelease.yaml')).toBe(
      'kind: HelmRelease\n',
    );
    expect(await read('clusters/mgmt/eso/kustomization.yaml')).toBe(
      'kind: Kustomization\n',
    );
    expect(await read('README.md')).toBe('# fleet\n');
    expect(await read('clusters/mgmt/old-eso.yaml')).toBeUndefined();
    expect(
      await sim.readFile('gitops/fleet', 'main', 'clusters/mgmt/old-eso.yaml'),
    ).toBe('obsolete: true\n');
    // Modes survive: the executable stays executable, the symlink stays a link to the same target.
    const { stdout: scripts } = await runGit([
      '--git-dir',
      sim.repoDir('gitops/fleet'),
      'ls-tree',
      'bootstrap-eso',
      'scripts/',
    ]);
    expect(scripts.toString()).toMatch(
      /^100755 blob \w+\tscripts\/check\.sh\n120000 blob \w+\tscripts\/current\n$/,
    );
    expect(await read('scripts/current')).toBe('../generated/current.yaml');

    // What the action costs in API calls: the baseline later benchmarks compare with.
    expect(sim.counters().byEndpoint).toEqual({
      'GET /repos/{owner}/{repo}': 1,
      'GET /repos/{owner}/{repo}/commits': 1,
      'HEAD /repos/{owner}/{repo}/contents/{path}': 1, // checks the file to delete exists
      'POST /repos/{owner}/{repo}/git/blobs': 3, // one per regular file (base64); the symlink goes inline
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'POST /graphql': 1,
      'POST /repos/{owner}/{repo}/git/refs': 1,
      'POST /repos/{owner}/{repo}/pulls': 1,
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers': 1,
    });
  });

  it('updates the existing pull request on a re-run with update: true, and refuses without it', async () => {
    workspace.setContent({
      'clusters/mgmt/eso/helmrelease.yaml': 'kind: HelmRelease\nspec: {}\n',
    });
    const input = {
      repoUrl: `${sim.host}?owner=gitops&repo=fleet`,
      branchName: 'bootstrap-eso',
      title: 'Bootstrap External Secrets Operator (v2)',
      description: 'Second attempt',
    };

    const refused = createMockActionContext({
      workspacePath: workspace.path,
      input,
    });
    await expect(
      actionFor('bot-token').handler(refused as any),
    ).rejects.toThrow(/Pull request creation failed/);

    const updated = createMockActionContext({
      workspacePath: workspace.path,
      input: { ...input, update: true },
    });
    await actionFor('bot-token').handler(updated as any);
    expect(updated.output).toHaveBeenCalledWith('pullRequestNumber', 1);
    expect(sim.listPulls('gitops/fleet')).toEqual([
      expect.objectContaining({
        number: 1,
        title: 'Bootstrap External Secrets Operator (v2)',
        body: 'Second attempt',
      }),
    ]);
    expect(
      await sim.readFile(
        'gitops/fleet',
        'bootstrap-eso',
        'clusters/mgmt/eso/helmrelease.yaml',
      ),
    ).toBe('kind: HelmRelease\nspec: {}\n');
    expect(unmatched).toEqual([]);
  });

  it('fails when the token may not write to the repository', async () => {
    sim.addToken('read-token', {
      login: 'viewer',
      repos: ['gitops/fleet'],
      permission: 'read',
    });
    workspace.setContent({ 'x.yaml': 'x: 1\n' });
    const ctx = createMockActionContext({
      workspacePath: workspace.path,
      input: {
        repoUrl: `${sim.host}?owner=gitops&repo=fleet`,
        branchName: 'readonly',
        title: 't',
        description: 'd',
      },
    });
    await expect(actionFor('read-token').handler(ctx as any)).rejects.toThrow(
      /Pull request creation failed/,
    );
    expect(sim.listPulls('gitops/fleet')).toHaveLength(1);
  });
});
