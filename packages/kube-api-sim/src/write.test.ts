import { startCluster } from './cluster';
import { request } from './testing';
import type { KubeObject, SimCluster } from './types';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

const KS =
  '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations';
const CM = '/api/v1/namespaces/default/configmaps';

function kustomization(name: string, path = './apps'): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system' },
    spec: {
      interval: '10m',
      path,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
  };
}

describe('writes', () => {
  let cluster: SimCluster;

  beforeEach(async () => {
    cluster = await startCluster({
      name: 'writes',
      crdSets: ['flux', 'external-secrets'],
    });
    cluster.upsert({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'flux-system' },
    });
  });
  afterEach(() => cluster.stop());

  describe('create', () => {
    it('creates with 201, fills server metadata and drops status of a status-subresource kind', async () => {
      const r = await request(cluster, 'POST', KS, {
        body: {
          ...kustomization('apps'),
          status: { conditions: [{ type: 'Ready', status: 'True' }] },
        },
      });
      expect(r.status).toBe(201);
      expect(r.body.metadata).toMatchObject({
        name: 'apps',
        namespace: 'flux-system',
        generation: 1,
      });
      expect(r.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.body.metadata.resourceVersion).toBe(cluster.resourceVersion());
      expect(r.body.status).toBeUndefined();
      expect(
        cluster.get(
          'kustomize.toolkit.fluxcd.io/v1',
          'Kustomization',
          'flux-system',
          'apps',
        )?.spec,
      ).toEqual(kustomization('apps').spec);
    });

    it('answers 409 AlreadyExists with the apiserver body', async () => {
      await request(cluster, 'POST', KS, { body: kustomization('apps') });
      const r = await request(cluster, 'POST', KS, {
        body: kustomization('apps'),
      });
      expect(r.status).toBe(409);
      expect(r.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'kustomizations.kustomize.toolkit.fluxcd.io "apps" already exists',
        reason: 'AlreadyExists',
        details: {
          name: 'apps',
          group: 'kustomize.toolkit.fluxcd.io',
          kind: 'kustomizations',
        },
        code: 409,
      });
    });

    it('answers 404 for a missing namespace and 400 for a mismatched one', async () => {
      const missing = await request(
        cluster,
        'POST',
        '/api/v1/namespaces/nope/configmaps',
        {
          body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'c' },
          },
        },
      );
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe('namespaces "nope" not found');
      const mismatch = await request(cluster, 'POST', CM, {
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'c', namespace: 'other' },
        },
      });
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.message).toBe(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    });

    it('generates names from generateName and requires a name otherwise', async () => {
      const r = await request(cluster, 'POST', CM, {
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { generateName: 'cfg-' },
        },
      });
      expect(r.status).toBe(201);
      expect(r.body.metadata.name).toMatch(/^cfg-[a-z0-9]{5}$/);
      const noName = await request(cluster, 'POST', CM, {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
      });
      expect(noName.status).toBe(422);
      expect(noName.body.message).toBe(
        'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
      );
    });
  });

  describe('update', () => {
    it('updates with the current resourceVersion, bumps generation on spec change only, keeps status', async () => {
      cluster.upsert({
        ...kustomization('apps'),
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      });
      const cur = (await request(cluster, 'GET', `${KS}/apps`)).body;
      const changed = {
        ...cur,
        spec: { ...cur.spec, path: './other' },
        status: { conditions: [] },
      };
      const r = await request(cluster, 'PUT', `${KS}/apps`, { body: changed });
      expect(r.status).toBe(200);
      expect(r.body.metadata.generation).toBe(2);
      expect(r.body.spec.path).toBe('./other');
      expect(r.body.status).toEqual({
        conditions: [{ type: 'Ready', status: 'True' }],
      });
      expect(Number(r.body.metadata.resourceVersion)).toBeGreaterThan(
        Number(cur.metadata.resourceVersion),
      );

      const labelsOnly = {
        ...r.body,
        metadata: { ...r.body.metadata, labels: { a: 'b' } },
      };
      const r2 = await request(cluster, 'PUT', `${KS}/apps`, {
        body: labelsOnly,
      });
      expect(r2.body.metadata.generation).toBe(2);
      expect(r2.body.metadata.labels).toEqual({ a: 'b' });
    });

    it('does not write (nor bump resourceVersion) when nothing changes', async () => {
      cluster.upsert(kustomization('apps'));
      const cur = (await request(cluster, 'GET', `${KS}/apps`)).body;
      const r = await request(cluster, 'PUT', `${KS}/apps`, { body: cur });
      expect(r.status).toBe(200);
      expect(r.body.metadata.resourceVersion).toBe(
        cur.metadata.resourceVersion,
      );
    });

    it('answers 409 Conflict on a stale resourceVersion with the real message', async () => {
      cluster.upsert(kustomization('apps'));
      const cur = (await request(cluster, 'GET', `${KS}/apps`)).body;
      cluster.upsert(kustomization('apps', './changed'));
      const r = await request(cluster, 'PUT', `${KS}/apps`, { body: cur });
      expect(r.status).toBe(409);
      expect(r.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'Operation cannot be fulfilled on kustomizations.kustomize.toolkit.fluxcd.io "apps": the object has been modified; please apply your changes to the latest version and try again',
        reason: 'Conflict',
        details: {
          name: 'apps',
          group: 'kustomize.toolkit.fluxcd.io',
          kind: 'kustomizations',
        },
        code: 409,
      });
    });

    it('requires a resourceVersion for custom resources but not for ConfigMaps, and 404s a missing object', async () => {
      cluster.upsert(kustomization('apps'));
      const noRv = await request(cluster, 'PUT', `${KS}/apps`, {
        body: kustomization('apps', './x'),
      });
      expect(noRv.status).toBe(422);
      expect(noRv.body.message).toBe(
        'Kustomization.kustomize.toolkit.fluxcd.io "apps" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      );
      cluster.upsert({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'default' },
        data: { a: '1' },
      });
      const cm = await request(cluster, 'PUT', `${CM}/c`, {
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'c' },
          data: { a: '2' },
        },
      });
      expect(cm.status).toBe(200);
      expect(cm.body.data).toEqual({ a: '2' });
      const missing = await request(cluster, 'PUT', `${KS}/nope`, {
        body: {
          ...kustomization('nope'),
          metadata: { name: 'nope', resourceVersion: '1' },
        },
      });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe(
        'kustomizations.kustomize.toolkit.fluxcd.io "nope" not found',
      );
    });

    it('rejects a body whose name differs from the URL', async () => {
      cluster.upsert(kustomization('apps'));
      const r = await request(cluster, 'PUT', `${KS}/apps`, {
        body: {
          ...kustomization('other'),
          metadata: { name: 'other', resourceVersion: '1' },
        },
      });
      expect(r.status).toBe(400);
      expect(r.body.message).toBe(
        'the name of the object (other) does not match the name on the URL (apps)',
      );
    });
  });

  describe('status subresource', () => {
    it('GET/PUT/PATCH /status change only the status and keep generation', async () => {
      cluster.upsert(kustomization('apps'));
      const cur = (await request(cluster, 'GET', `${KS}/apps/status`)).body;
      expect(cur.metadata.name).toBe('apps');
      const put = await request(cluster, 'PUT', `${KS}/apps/status`, {
        body: {
          ...cur,
          spec: { ...cur.spec, path: './ignored' },
          metadata: { ...cur.metadata, labels: { ignored: 'yes' } },
          status: {
            observedGeneration: 1,
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'ReconciliationSucceeded',
              },
            ],
          },
        },
      });
      expect(put.status).toBe(200);
      expect(put.body.spec.path).toBe('./apps');
      expect(put.body.metadata.labels).toBeUndefined();
      expect(put.body.metadata.generation).toBe(1);
      expect(put.body.status.conditions[0].reason).toBe(
        'ReconciliationSucceeded',
      );

      const patch = await request(cluster, 'PATCH', `${KS}/apps/status`, {
        contentType: 'application/merge-patch+json',
        body: {
          spec: { suspend: true },
          status: { lastAppliedRevision: 'main@sha1:abc' },
        },
      });
      expect(patch.status).toBe(200);
      expect(patch.body.spec.suspend).toBeUndefined();
      expect(patch.body.status.lastAppliedRevision).toBe('main@sha1:abc');
      expect(patch.body.status.observedGeneration).toBe(1);
    });

    it('404s /status on a kind without the subresource', async () => {
      cluster.upsert({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'default' },
      });
      expect((await request(cluster, 'GET', `${CM}/c/status`)).status).toBe(
        404,
      );
    });
  });

  describe('patch', () => {
    beforeEach(() => {
      cluster.upsert({
        ...kustomization('apps'),
        metadata: {
          name: 'apps',
          namespace: 'flux-system',
          labels: { a: '1', b: '2' },
        },
      });
    });

    it('applies a merge patch (null deletes) and bumps generation', async () => {
      const r = await request(cluster, 'PATCH', `${KS}/apps`, {
        contentType: 'application/merge-patch+json',
        body: {
          metadata: { labels: { a: null, c: '3' } },
          spec: { suspend: true },
        },
      });
      expect(r.status).toBe(200);
      expect(r.body.metadata.labels).toEqual({ b: '2', c: '3' });
      expect(r.body.spec.suspend).toBe(true);
      expect(r.body.metadata.generation).toBe(2);
    });

    it('applies a JSON patch, failing a test op with 422', async () => {
      const r = await request(cluster, 'PATCH', `${KS}/apps`, {
        contentType: 'application/json-patch+json',
        body: [
          { op: 'test', path: '/spec/path', value: './apps' },
          { op: 'replace', path: '/spec/path', value: './next' },
          { op: 'add', path: '/metadata/labels/x~1y', value: 'z' },
          { op: 'remove', path: '/metadata/labels/a' },
        ],
      });
      expect(r.status).toBe(200);
      expect(r.body.spec.path).toBe('./next');
      expect(r.body.metadata.labels).toEqual({ b: '2', 'x/y': 'z' });
      const bad = await request(cluster, 'PATCH', `${KS}/apps`, {
        contentType: 'application/json-patch+json',
        body: [{ op: 'test', path: '/spec/path', value: './apps' }],
      });
      expect(bad.status).toBe(422);
    });

    it('answers 415 to a strategic merge patch on a custom resource, and accepts it on a ConfigMap', async () => {
      const r = await request(cluster, 'PATCH', `${KS}/apps`, {
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { suspend: true } },
      });
      expect(r.status).toBe(415);
      expect(r.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        reason: 'UnsupportedMediaType',
        details: {},
        code: 415,
      });
      cluster.upsert({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'default' },
        data: { a: '1' },
      });
      const cm = await request(cluster, 'PATCH', `${CM}/c`, {
        contentType: 'application/strategic-merge-patch+json',
        body: {
          data: { b: '2' },
          metadata: { '$setElementOrder/finalizers': [] },
        },
      });
      expect(cm.status).toBe(200);
      expect(cm.body.data).toEqual({ a: '1', b: '2' });
    });

    it('server-side apply (YAML) creates with 201 and then merges, requiring a fieldManager', async () => {
      const yaml = [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata:',
        '  name: ssa',
        '  namespace: flux-system',
        'spec:',
        '  interval: 5m',
        '  path: ./ssa',
        '  prune: true',
        '  sourceRef: {kind: GitRepository, name: flux-system}',
      ].join('\n');
      const noManager = await request(cluster, 'PATCH', `${KS}/ssa`, {
        contentType: 'application/apply-patch+yaml',
        body: yaml,
      });
      expect(noManager.status).toBe(422);
      expect(noManager.body.message).toBe(
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
      const created = await request(
        cluster,
        'PATCH',
        `${KS}/ssa?fieldManager=test`,
        { contentType: 'application/apply-patch+yaml', body: yaml },
      );
      expect(created.status).toBe(201);
      expect(created.body.spec.interval).toBe('5m');
      const updated = await request(
        cluster,
        'PATCH',
        `${KS}/ssa?fieldManager=test`,
        {
          contentType: 'application/apply-patch+yaml',
          body: yaml.replace('5m', '7m'),
        },
      );
      expect(updated.status).toBe(200);
      expect(updated.body.spec.interval).toBe('7m');
      expect(updated.body.metadata.generation).toBe(2);
    });

    it('404s a patch of a missing object and 409s a patch naming a stale resourceVersion', async () => {
      const missing = await request(cluster, 'PATCH', `${KS}/nope`, {
        contentType: 'application/merge-patch+json',
        body: {},
      });
      expect(missing.status).toBe(404);
      const stale = await request(cluster, 'PATCH', `${KS}/apps`, {
        contentType: 'application/merge-patch+json',
        body: { metadata: { resourceVersion: '1' }, spec: { suspend: true } },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.reason).toBe('Conflict');
    });
  });

  describe('delete', () => {
    it('returns the deleted custom resource, and a Status for a ConfigMap; 404 afterwards', async () => {
      cluster.upsert(kustomization('apps'));
      const r = await request(cluster, 'DELETE', `${KS}/apps`);
      expect(r.status).toBe(200);
      expect(r.body.kind).toBe('Kustomization');
      expect(r.body.metadata.name).toBe('apps');
      const again = await request(cluster, 'DELETE', `${KS}/apps`);
      expect(again.status).toBe(404);
      expect(again.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'kustomizations.kustomize.toolkit.fluxcd.io "apps" not found',
        reason: 'NotFound',
        details: {
          name: 'apps',
          group: 'kustomize.toolkit.fluxcd.io',
          kind: 'kustomizations',
        },
        code: 404,
      });
      const cm = cluster.upsert({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'default' },
      });
      const del = await request(cluster, 'DELETE', `${CM}/c`);
      expect(del.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'c', kind: 'configmaps', uid: cm.metadata.uid },
      });
    });

    it('only marks an object with finalizers, and deletes it when the last finalizer goes', async () => {
      cluster.upsert({
        ...kustomization('fin'),
        metadata: {
          name: 'fin',
          namespace: 'flux-system',
          finalizers: ['finalizers.fluxcd.io'],
        },
      });
      const r = await request(cluster, 'DELETE', `${KS}/fin`);
      expect(r.status).toBe(200);
      expect(r.body.metadata.deletionTimestamp).toBeDefined();
      expect((await request(cluster, 'GET', `${KS}/fin`)).status).toBe(200);
      const p = await request(cluster, 'PATCH', `${KS}/fin`, {
        contentType: 'application/merge-patch+json',
        body: { metadata: { finalizers: null } },
      });
      expect(p.status).toBe(200);
      expect((await request(cluster, 'GET', `${KS}/fin`)).status).toBe(404);
    });

    it('deletes the objects of a deleted namespace', async () => {
      cluster.upsert({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'doomed' },
      });
      const r = await request(cluster, 'DELETE', '/api/v1/namespaces/doomed');
      expect(r.status).toBe(200);
      expect(r.body.status.phase).toBe('Terminating');
      expect(cluster.get('v1', 'ConfigMap', 'doomed', 'c')).toBeUndefined();
    });

    it('deletes a collection by label selector', async () => {
      cluster.upsert({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a', namespace: 'default', labels: { x: '1' } },
      });
      cluster.upsert({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'b', namespace: 'default', labels: { x: '2' } },
      });
      const r = await request(cluster, 'DELETE', `${CM}?labelSelector=x%3D1`);
      expect(r.status).toBe(200);
      expect(
        cluster.list('v1', 'ConfigMap', 'default').map(o => o.metadata.name),
      ).toEqual(['b']);
    });
  });

  it('answers 405 for a method a path does not allow', async () => {
    const r = await request(cluster, 'POST', `${KS}/apps`, {
      body: kustomization('apps'),
    });
    expect(r.status).toBe(405);
    expect(r.body.reason).toBe('MethodNotAllowed');
  });

  it('folds Secret stringData into data and defaults the type, as the apiserver does', async () => {
    const r = await request(
      cluster,
      'POST',
      '/api/v1/namespaces/default/secrets',
      {
        body: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 's' },
          stringData: { k: 'v' },
        },
      },
    );
    expect(r.status).toBe(201);
    expect(r.body.stringData).toBeUndefined();
    expect(r.body.data).toEqual({ k: Buffer.from('v').toString('base64') });
    expect(r.body.type).toBe('Opaque');
  });

  it('does not persist dry runs', async () => {
    const r = await request(cluster, 'POST', `${CM}?dryRun=All`, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } },
    });
    expect(r.status).toBe(201);
    expect(cluster.get('v1', 'ConfigMap', 'default', 'dry')).toBeUndefined();
  });
});
