import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  allowFetchTo,
  startGithubApiSim,
  GithubApiSim,
} from '@golden-gitops/github-api-sim';
import { createOctokitFactory } from './octokit';
import { parseRepoUrl } from './parseRepoUrl';

describe('parseRepoUrl', () => {
  it('parses the RepoUrlPicker form, keeping the port', () => {
    expect(parseRepoUrl('127.0.0.1:7010?owner=acme&repo=gitops')).toEqual({
      host: '127.0.0.1:7010',
      owner: 'acme',
      repo: 'gitops',
    });
    expect(parseRepoUrl('github.com?repo=my.repo_1&owner=Acme-Org')).toEqual({
      host: 'github.com',
      owner: 'Acme-Org',
      repo: 'my.repo_1',
    });
  });
  it.each([
    ['github.com/acme/gitops', /must look like/],
    ['github.com?owner=acme', /the "repo" parameter is missing/],
    ['github.com?repo=gitops', /the "owner" parameter is missing/],
    [
      'github.com?owner=-acme&repo=x',
      /owner "-acme" is not a valid GitHub owner name/,
    ],
    ['github.com?owner=acme&repo=a/b', /repo "a\/b" is not a valid/],
    ['github.com/path?owner=acme&repo=x', /without a path/],
    ['user:pw@github.com?owner=acme&repo=x', /without a path or credentials/],
  ])('%s is an InputError naming repoUrl', (value, message) => {
    expect(() => parseRepoUrl(value)).toThrow(message);
    expect(() => parseRepoUrl(value)).toThrow(/^repoUrl: /);
  });
});

describe('createOctokitFactory', () => {
  let sim: GithubApiSim;
  let restore: () => void;
  beforeAll(async () => {
    sim = await startGithubApiSim();
    restore = allowFetchTo(sim.url);
    await sim.createRepo('acme/gitops');
  });
  afterAll(async () => {
    restore();
    await sim.stop();
  });

  const integrations = (token?: string) =>
    ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [
            {
              host: sim.host,
              apiBaseUrl: sim.apiBaseUrl,
              ...(token ? { token } : {}),
            },
          ],
        },
      }),
    );

  it('uses the integration of the host (GitHub Enterprise apiBaseUrl) and its token via the credentials provider', async () => {
    const factory = createOctokitFactory({
      integrations: integrations(sim.adminToken),
    });
    const { octokit, owner, repo, host } = await factory({
      repoUrl: `${sim.host}?owner=acme&repo=gitops`,
    });
    expect({ owner, repo, host }).toEqual({
      owner: 'acme',
      repo: 'gitops',
      host: sim.host,
    });
    const { data } = await octokit.rest.users.getAuthenticated();
    expect(data.login).toBe('sim-admin');
  });

  it('prefers an explicit token, and asks the given credentials provider otherwise', async () => {
    sim.addToken('user-token', {
      login: 'alice',
      repos: '*',
      permission: 'write',
    });
    const getCredentials = jest.fn(async () => ({
      type: 'token' as const,
      token: 'user-token',
      headers: {},
    }));
    const factory = createOctokitFactory({
      integrations: integrations(),
      credentialsProvider: { getCredentials },
    });
    const viaProvider = await factory({
      repoUrl: `${sim.host}?owner=acme&repo=gitops`,
    });
    expect(
      (await viaProvider.octokit.rest.users.getAuthenticated()).data.login,
    ).toBe('alice');
    expect(getCredentials).toHaveBeenCalledWith({
      url: `https://${sim.host}/acme/gitops`,
    });
    getCredentials.mockClear();
    const explicit = await factory({
      repoUrl: `${sim.host}?owner=acme&repo=gitops`,
      token: sim.adminToken,
    });
    expect(
      (await explicit.octokit.rest.users.getAuthenticated()).data.login,
    ).toBe('sim-admin');
    expect(getCredentials).not.toHaveBeenCalled();
  });

  it('paces writes one second apart, as GitHub asks, but not GraphQL queries (mutations stay paced)', async () => {
    const factory = createOctokitFactory({
      integrations: integrations(sim.adminToken),
    });
    const { octokit } = await factory({
      repoUrl: `${sim.host}?owner=acme&repo=gitops`,
    });
    const write = () =>
      octokit.rest.git.createBlob({
        owner: 'acme',
        repo: 'gitops',
        content: 'x',
        encoding: 'utf-8',
      });
    const timed = async (fn: () => Promise<unknown>) => {
      const start = Date.now();
      await fn().catch(() => undefined);
      return Date.now() - start;
    };
    // The pacing is shared by every client in the process: start a second after any earlier write.
    await new Promise(resolve => setTimeout(resolve, 1100));
    const queryThenWrite = await timed(async () => {
      const viewer: any = await octokit.graphql('query { viewer { login } }');
      expect(viewer.viewer.login).toBe('sim-admin');
      await octokit.graphql('{ viewer { login } }');
      await write();
    });
    // Paced queries would put the write ≥ 2 s after the start; unpaced, three requests take milliseconds.
    expect(queryThenWrite).toBeLessThan(1500);
    expect(await timed(write)).toBeGreaterThanOrEqual(900);
    // The simulator refuses mutations, but only after the pacing let it through.
    expect(
      await timed(() =>
        octokit.graphql('mutation { addStar { clientMutationId } }'),
      ),
    ).toBeGreaterThanOrEqual(900);
  });

  it('no integration or no credentials: InputError naming repoUrl', async () => {
    const factory = createOctokitFactory({ integrations: integrations() });
    await expect(
      factory({ repoUrl: 'ghe.example.com?owner=a&repo=b' }),
    ).rejects.toThrow(
      'repoUrl: no GitHub integration is configured for host ghe.example.com',
    );
    await expect(
      factory({ repoUrl: `${sim.host}?owner=acme&repo=gitops` }),
    ).rejects.toThrow(/^repoUrl: no GitHub credentials for/);
  });
});
