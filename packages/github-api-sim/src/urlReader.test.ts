import { mockServices } from '@backstage/backend-test-utils';
import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { GithubApiSim, startGithubApiSim } from './index';

// Every request spawns git at least once; on a loaded two-core machine that adds up.
jest.setTimeout(60_000);

/*
 * The anchor for plugins that read a repository the Backstage way: Backstage's own GitHub UrlReader, configured
 * as a backend configures it (integration host + apiBaseUrl + token), reads trees and files from the simulator.
 */
describe("Backstage's GitHub UrlReader against github-api-sim", () => {
  let sim: GithubApiSim;
  let reader: UrlReaderService;
  let headSha: string;
  const unmatched: string[] = [];

  beforeAll(async () => {
    sim = await startGithubApiSim({
      onUnmatchedRoute: (method, path) => unmatched.push(`${method} ${path}`),
      tokens: {
        'reader-token': {
          login: 'portal',
          repos: ['acme/gitops'],
          permission: 'read',
        },
      },
    });
    ({ headSha } = await sim.createRepo('acme/gitops', {
      files: {
        'README.md': '# gitops\n',
        'clusters/management/capi/templates/dev.yaml': 'kind: CAPITemplate\n',
        'clusters/management/flux-system/gotk-sync.yaml':
          'kind: Kustomization\n',
        'clusters/leaf/app.yaml': 'kind: HelmRelease\n',
      },
    }));
    reader = UrlReaders.default({
      logger: mockServices.logger.mock(),
      config: mockServices.rootConfig({
        data: {
          integrations: {
            github: [
              {
                host: sim.host,
                apiBaseUrl: sim.apiBaseUrl,
                token: 'reader-token',
              },
            ],
          },
        },
      }),
    });
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('reads a folder as a tree (one tarball), and answers NotModified for the same commit', async () => {
    const url = `${sim.url}/acme/gitops/tree/main/clusters/management`;
    sim.resetCounters();
    const tree = await reader.readTree(url);
    const files = await tree.files();
    const byPath = Object.fromEntries(
      await Promise.all(
        files.map(async f => [f.path, (await f.content()).toString('utf8')]),
      ),
    );
    expect(byPath).toEqual({
      'capi/templates/dev.yaml': 'kind: CAPITemplate\n',
      'flux-system/gotk-sync.yaml': 'kind: Kustomization\n',
    });
    expect(tree.etag).toBe(headSha);
    expect(sim.counters().byEndpoint).toMatchObject({
      'GET /repos/{owner}/{repo}/commits/{ref}/status': 1,
      'GET /repos/{owner}/{repo}/tarball/{ref}': 1,
    });
    await expect(
      reader.readTree(url, { etag: tree.etag }),
    ).rejects.toMatchObject({ name: 'NotModifiedError' });
  });

  it('reads the default branch when the URL names no ref', async () => {
    const tree = await reader.readTree(`${sim.url}/acme/gitops`);
    expect((await tree.files()).map(f => f.path).sort()).toEqual([
      'README.md',
      'clusters/leaf/app.yaml',
      'clusters/management/capi/templates/dev.yaml',
      'clusters/management/flux-system/gotk-sync.yaml',
    ]);
  });

  it('searches with a glob through the recursive tree and the blobs', async () => {
    const found = await reader.search(
      `${sim.url}/acme/gitops/tree/main/clusters/management/**/*.yaml`,
    );
    const contents = await Promise.all(
      found.files.map(async f => [f.url, (await f.content()).toString()]),
    );
    expect(contents.sort()).toEqual([
      [
        `${sim.url}/acme/gitops/tree/main/clusters/management/capi/templates/dev.yaml`,
        'kind: CAPITemplate\n',
      ],
      [
        `${sim.url}/acme/gitops/tree/main/clusters/management/flux-system/gotk-sync.yaml`,
        'kind: Kustomization\n',
      ],
    ]);
  });

  it('reports an unknown branch as not found', async () => {
    await expect(
      reader.readTree(`${sim.url}/acme/gitops/tree/nope/clusters`),
    ).rejects.toThrow(/422|not found/i);
  });

  it('needed no route the simulator lacks', () => {
    expect(unmatched).toEqual([]);
  });
});
