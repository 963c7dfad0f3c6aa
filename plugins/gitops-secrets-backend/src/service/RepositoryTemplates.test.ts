import { mockServices } from '@backstage/backend-test-utils';
import { NotModifiedError } from '@backstage/errors';
import { RepositoryTemplates } from './RepositoryTemplates';

// Synthetic repository folder: one template per file, plus files that are not templates.
const capi = (name: string) =>
  `apiVersion: capi.weave.works/v1alpha2\nkind: CAPITemplate\nmetadata: {name: ${name}}\nspec:\n  params: [{name: CLUSTER_NAME}]\n`;

function reader(files: Record<string, string>, etag = 'c1') {
  const readTree = jest.fn(
    async (
      _url: string,
      opts?: {
        etag?: string;
        filter?(p: string, i?: { size: number }): boolean;
      },
    ) => {
      if (opts?.etag === etag) throw new NotModifiedError();
      const kept = Object.entries(files).filter(
        ([p, c]) => opts?.filter?.(p, { size: c.length }) ?? true,
      );
      return {
        etag,
        files: async () =>
          kept.map(([p, c]) => ({
            path: p,
            content: async () => Buffer.from(c),
          })),
      } as any;
    },
  );
  return { readTree, readUrl: jest.fn(), search: jest.fn() };
}

describe('RepositoryTemplates', () => {
  const logger = mockServices.logger.mock();
  const URL = 'https://github.com/acme/gitops/tree/main/clusters/management';

  it('reads only YAML files, skipping those over the size or count limit', async () => {
    const r = reader({
      'a.yaml': capi('a'),
      'b.yml': capi('b'),
      'big.yaml': `${capi('big')}#${'x'.repeat(200)}`,
      'c.yaml': capi('c'),
      'notes.txt': capi('txt'),
    });
    const repo = new RepositoryTemplates({
      reader: r,
      logger,
      maxFileBytes: 150,
      maxFiles: 2,
    });
    const read = await repo.read(URL);
    expect(read.templates.map(t => [t.file, t.obj.metadata.name])).toEqual([
      ['a.yaml', 'a'],
      ['b.yml', 'b'],
    ]);
    // big.yaml is too large; c.yaml is beyond the two-file limit.
    expect(read.skippedFiles).toBe(2);
    expect(read.templates[0].obj.spec?.params).toEqual([
      { name: 'CLUSTER_NAME' },
    ]);
  });

  it('answers from memory within the TTL, then revalidates by etag (NotModified keeps the answer)', async () => {
    let now = 0;
    const r = reader({ 'a.yaml': capi('a') });
    const repo = new RepositoryTemplates({
      reader: r,
      logger,
      ttlMs: 1000,
      now: () => now,
    });
    const first = await repo.read(URL);
    now = 500;
    expect(await repo.read(URL)).toBe(first);
    expect(r.readTree).toHaveBeenCalledTimes(1);
    now = 1500;
    expect(await repo.read(URL)).toBe(first);
    expect(r.readTree).toHaveBeenCalledTimes(2);
    expect(r.readTree.mock.calls[1][1]?.etag).toBe('c1');
  });

  it('shares one read between concurrent requests, and passes a failure on without keeping it', async () => {
    const r = reader({ 'a.yaml': capi('a') });
    const repo = new RepositoryTemplates({ reader: r, logger });
    const [a, b] = await Promise.all([repo.read(URL), repo.read(URL)]);
    expect(a).toBe(b);
    expect(r.readTree).toHaveBeenCalledTimes(1);

    const failing = reader({});
    failing.readTree.mockRejectedValueOnce(new Error('HTTP 500'));
    const repo2 = new RepositoryTemplates({ reader: failing, logger });
    await expect(repo2.read(URL)).rejects.toThrow('HTTP 500');
    expect((await repo2.read(URL)).templates).toEqual([]);
  });
});
