import { mockServices } from '@backstage/backend-test-utils';
import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import type { GithubApiSim } from '@golden-gitops/github-api-sim';
import { startGithubApiSim } from '@golden-gitops/github-api-sim';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { RepositoryTemplates } from './RepositoryTemplates';
import { toPickerTemplate } from './templates';

// Every simulator request spawns git; on a loaded two-core machine that adds up.
jest.setTimeout(60_000);

const DEMO_REPO = path.resolve(
  __dirname,
  '../../../../packages/github-api-sim/demo-repo',
);

function filesOf(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(path.join(dir, prefix), {
    withFileTypes: true,
  })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, filesOf(dir, rel));
    else out[rel] = readFileSync(path.join(dir, rel), 'utf8');
  }
  return out;
}

/*
 * The repository fallback as the demo runs it: Backstage's own GitHub UrlReader, configured as app-config.yaml
 * configures it, reads the folder examples/entities.yaml names for the management cluster from the demo repository.
 */
describe('RepositoryTemplates with GitHub (the demo repository on github-api-sim)', () => {
  let sim: GithubApiSim;

  beforeAll(async () => {
    sim = await startGithubApiSim({
      tokens: {
        'portal-token': {
          login: 'portal',
          repos: ['acme/gitops'],
          permission: 'read',
        },
      },
    });
    await sim.createRepo('acme/gitops', { files: filesOf(DEMO_REPO) });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("lists the management cluster's leaf-cluster template with its params, in one tarball read per commit", async () => {
    const repo = new RepositoryTemplates({
      reader: UrlReaders.default({
        logger: mockServices.logger.mock(),
        config: mockServices.rootConfig({
          data: {
            integrations: {
              github: [
                {
                  host: sim.host,
                  apiBaseUrl: sim.apiBaseUrl,
                  token: 'portal-token',
                },
              ],
            },
          },
        }),
      }),
      logger: mockServices.logger.mock(),
      ttlMs: 0,
    });
    const url = `${sim.url}/acme/gitops/tree/main/clusters/management`;
    sim.resetCounters();
    const read = await repo.read(url);
    expect(read.skippedFiles).toBe(0);
    expect(
      read.templates.map(t => [t.file, t.obj.kind, t.obj.metadata.name]),
    ).toEqual([
      ['capi/templates/leaf-cluster.yaml', 'CAPITemplate', 'leaf-cluster'],
    ]);
    const picked = toPickerTemplate(read.templates[0].obj, 'repository');
    expect(picked.params.map(p => [p.name, p.required, p.default])).toEqual([
      ['CLUSTER_NAME', true, undefined],
      ['NAMESPACE', false, 'default'],
      ['KUBERNETES_VERSION', true, 'v1.35.0'],
      ['CONTROL_PLANE_MACHINE_COUNT', true, '1'],
      ['WORKER_MACHINE_COUNT', true, '1'],
    ]);
    // Read again (TTL 0): the commit is unchanged, so the reader answers NotModified and nothing is downloaded.
    expect(await repo.read(url)).toBe(read);
    expect(sim.counters().byEndpoint).toMatchObject({
      'GET /repos/{owner}/{repo}/commits/{ref}/status': 2,
      'GET /repos/{owner}/{repo}/tarball/{ref}': 1,
    });
  });
});
