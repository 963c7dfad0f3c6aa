import { startCluster } from './cluster';
import { wantsMetadata } from './metadata';
import { syntheticCrds } from './syntheticCrds';
import { request } from './testing';
import type { SimCluster } from './types';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const ONE = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const ES_CRD = 'externalsecrets.external-secrets.io';

describe('wantsMetadata', () => {
  it.each([
    [LIST, { form: 'PartialObjectMetadataList', version: 'v1' }],
    [
      `${ONE},application/json`,
      { form: 'PartialObjectMetadata', version: 'v1' },
    ],
    [
      'application/json; as=PartialObjectMetadataList; g=meta.k8s.io; v=v1beta1',
      { form: 'PartialObjectMetadataList', version: 'v1beta1' },
    ],
    ['application/json', undefined],
    // Only the first media range decides (as for Table).
    [`application/json,${LIST}`, undefined],
    ['application/json;as=Table;g=meta.k8s.io;v=v1', undefined],
    [
      'application/json;as=PartialObjectMetadataList;g=example.com;v=v1',
      undefined,
    ],
    [
      'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v2',
      undefined,
    ],
    [
      'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
      undefined,
    ],
    [undefined, undefined],
  ])('%s', (accept, want) => {
    expect(wantsMetadata(accept)).toEqual(want);
  });
});

describe('metadata-only answers (as=PartialObjectMetadata)', () => {
  let cluster: SimCluster;

  beforeAll(async () => {
    cluster = await startCluster({
      name: 'meta',
      crdSets: ['external-secrets'],
    });
  });
  afterAll(() => cluster.stop());

  it('lists as a PartialObjectMetadataList: items with only apiVersion, kind and metadata', async () => {
    const full = await request(cluster, 'GET', CRDS);
    const r = await request(cluster, 'GET', `${CRDS}?limit=3`, {
      accept: `${LIST},application/json`,
    });
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('PartialObjectMetadataList');
    expect(r.body.apiVersion).toBe('meta.k8s.io/v1');
    expect(r.body.metadata.resourceVersion).toBe(cluster.resourceVersion());
    expect(typeof r.body.metadata.continue).toBe('string');
    expect(r.body.items).toHaveLength(3);
    for (const [i, item] of (r.body.items as any[]).entries()) {
      expect(Object.keys(item).sort()).toEqual([
        'apiVersion',
        'kind',
        'metadata',
      ]);
      expect(item.kind).toBe('PartialObjectMetadata');
      expect(item.apiVersion).toBe('meta.k8s.io/v1');
      expect(item.metadata).toEqual(full.body.items[i].metadata);
    }
    // The continue token pages on as for full lists.
    const next = await request(
      cluster,
      'GET',
      `${CRDS}?limit=100&continue=${encodeURIComponent(
        r.body.metadata.continue,
      )}`,
      { accept: LIST },
    );
    expect(next.body.items.length + 3).toBe(full.body.items.length);
    // Without the schemas, a fraction of the bytes.
    expect(r.text.length * 10).toBeLessThan(full.text.length);
  });

  it('gets one object as PartialObjectMetadata', async () => {
    const full = await request(cluster, 'GET', `${CRDS}/${ES_CRD}`);
    const r = await request(cluster, 'GET', `${CRDS}/${ES_CRD}`, {
      accept: ONE,
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: full.body.metadata,
    });
  });

  it('sends watch events as PartialObjectMetadata', async () => {
    const rv = cluster.resourceVersion();
    const crd = (await request(cluster, 'GET', `${CRDS}/${ES_CRD}`)).body;
    cluster.upsert({
      ...crd,
      metadata: { ...crd.metadata, labels: { touched: 'yes' } },
    });
    const r = await request(
      cluster,
      'GET',
      `${CRDS}?watch=true&resourceVersion=${rv}&timeoutSeconds=1&allowWatchBookmarks=true`,
      { accept: `${ONE},application/json` },
    );
    expect(r.status).toBe(200);
    const events = r.text
      .split('\n')
      .filter(Boolean)
      .map(l => JSON.parse(l));
    const modified = events.find(e => e.type === 'MODIFIED');
    expect(modified.object.kind).toBe('PartialObjectMetadata');
    expect(modified.object.apiVersion).toBe('meta.k8s.io/v1');
    expect(modified.object.metadata.name).toBe(ES_CRD);
    expect(modified.object.metadata.labels).toEqual({ touched: 'yes' });
    expect(modified.object.spec).toBeUndefined();
    const bookmark = events.find(e => e.type === 'BOOKMARK');
    expect(bookmark.object.kind).toBe('PartialObjectMetadata');
  });

  it.each([
    ['a list asked for in the single-object form', `${CRDS}`, ONE],
    ['one object asked for in the List form', `${CRDS}/${ES_CRD}`, LIST],
    [
      'a watch asked for in the List form',
      `${CRDS}?watch=true&timeoutSeconds=1`,
      LIST,
    ],
  ])('refuses %s with 406 NotAcceptable', async (_what, path, accept) => {
    const r = await request(cluster, 'GET', path, {
      accept: `${accept},application/json`,
    });
    expect(r.status).toBe(406);
    expect(r.body.reason).toBe('NotAcceptable');
  });

  it('answers plain JSON instead under the metadataUnsupported fault', async () => {
    cluster.setFaults({ metadataUnsupported: true });
    try {
      const r = await request(cluster, 'GET', CRDS, {
        accept: `${LIST},application/json`,
      });
      expect(r.status).toBe(200);
      expect(r.body.kind).toBe('CustomResourceDefinitionList');
      expect(r.body.items[0].spec).toBeDefined();
    } finally {
      cluster.setFaults({});
    }
  });

  it('counts the body bytes sent per path', async () => {
    cluster.resetCounters();
    const full = await request(cluster, 'GET', CRDS);
    const meta = await request(cluster, 'GET', CRDS, { accept: LIST });
    const c = cluster.counters();
    expect(c.bytesByPath[`list ${CRDS}`]).toBe(
      Buffer.byteLength(full.text) + Buffer.byteLength(meta.text),
    );
    expect(c.bytes).toBe(c.bytesByPath[`list ${CRDS}`]);
  });
});

describe('syntheticCrds', () => {
  it('are served once upserted, and make the full CRD list large while the metadata list stays small', async () => {
    const cluster = await startCluster({ name: 'crowd' });
    try {
      for (const crd of syntheticCrds(50, { schemaBytes: 20_000 })) {
        cluster.upsert(crd);
      }
      const full = await request(cluster, 'GET', CRDS);
      const meta = await request(cluster, 'GET', CRDS, { accept: LIST });
      expect(full.body.items).toHaveLength(50);
      expect(meta.body.items).toHaveLength(50);
      expect(full.text.length).toBeGreaterThan(50 * 20_000);
      expect(meta.text.length).toBeLessThan(50 * 1_000);
      const served = await request(
        cluster,
        'GET',
        '/apis/g7.synthetic.example.com/v1/widget7s',
      );
      expect(served.status).toBe(200);
    } finally {
      await cluster.stop();
    }
  });
});
