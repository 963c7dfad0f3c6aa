import { Harness, startHarness } from './__testUtils__/harness';
import { readBlobTexts } from './readBlobs';
import { openGitopsRepo } from './repo';

jest.setTimeout(60_000);

describe('reading many blobs by GraphQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('reads every file in one query per chunk, and the snapshot serves them without further requests', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 7; i++) files[`clusters/c/app-${i}.yaml`] = `kind: ConfigMap # ${i}\n`;
    files['same-as-0.yaml'] = files['clusters/c/app-0.yaml'];
    const { octokit, owner, repo } = await h.newRepo('blobs', files);
    const gitops = await openGitopsRepo(octokit, { owner, repo });
    h.sim.resetCounters();

    const read = await gitops.readFiles!([...Object.keys(files), 'missing.yaml']);
    expect(Object.fromEntries(read)).toEqual(files);
    // 7 distinct blobs (one file repeats another's content): one query.
    expect(h.sim.counters().byEndpoint).toEqual({ 'POST /graphql': 1 });
    await gitops.readFile('clusters/c/app-3.yaml');
    expect(h.sim.counters().total).toBe(1);

    h.sim.resetCounters();
    const shas = await Promise.all(Object.keys(files).map(p => gitops.blobSha!(p)));
    const texts = await readBlobTexts(octokit, owner, repo, shas as string[], 3);
    expect(texts.size).toBe(7);
    expect(h.sim.counters().byEndpoint).toEqual({ 'POST /graphql': 3 });
  });
});
