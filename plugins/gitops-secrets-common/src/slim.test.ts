import {
  WATCHED_KINDS,
  findWatchedKind,
  slimObject,
  watchedKindByKey,
} from './slim';

describe('slimObject', () => {
  const rawSecretLike = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: {
      name: 'db',
      namespace: 'team-a',
      uid: 'u1',
      generation: 2,
      resourceVersion: '999',
      managedFields: [{ manager: 'kubectl' }],
      labels: {
        'backstage.io/kubernetes-id': 'payments',
        'kustomize.toolkit.fluxcd.io/name': 'external-secrets-crs',
        team: 'a',
      },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration':
          '{"data":{"password":"aHVudGVyMg=="}}',
        'capi.weave.works/bootstrapped': 'true',
      },
    },
    data: { password: 'aHVudGVyMg==' },
    stringData: { password: 'hunter2' },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'SecretStore', name: 'aws' },
      target: {
        name: 'db-credentials',
        creationPolicy: 'Owner',
        template: { data: { x: 'hunter2' } },
      },
      data: [
        {
          secretKey: 'password',
          remoteRef: { key: 'prod/db', property: 'password' },
        },
      ],
      dataFrom: [{ extract: { key: 'prod/all' } }],
    },
    status: {
      refreshTime: '2026-08-01T00:00:00Z',
      syncedResourceVersion: '1-abc',
      binding: { name: 'db-credentials' },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'SecretSynced',
          message: 'ok',
          lastTransitionTime: 't',
          extra: 1,
        },
        { type: 'Broken', status: 'Maybe' },
      ],
    },
  };

  const slim = slimObject(rawSecretLike);
  const text = JSON.stringify(slim);

  it('never copies secret data, templates, remote keys or last-applied-configuration', () => {
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('aHVudGVyMg');
    expect(text).not.toContain('prod/db');
    expect(text).not.toContain('last-applied');
    expect(slim).not.toHaveProperty('data');
    expect(slim).not.toHaveProperty('stringData');
  });

  it('drops unknown fields', () => {
    expect(text).not.toContain('resourceVersion');
    expect(text).not.toContain('managedFields');
    expect(text).not.toContain('creationPolicy');
    expect(text).not.toContain('syncedResourceVersion');
    expect(slim.metadata.labels).not.toHaveProperty('team');
    expect(slim.status?.conditions?.[0]).not.toHaveProperty('extra');
  });

  it('keeps what the rules read', () => {
    expect(slim).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: 'db',
        namespace: 'team-a',
        uid: 'u1',
        generation: 2,
        labels: {
          'backstage.io/kubernetes-id': 'payments',
          'kustomize.toolkit.fluxcd.io/name': 'external-secrets-crs',
        },
        annotations: { 'capi.weave.works/bootstrapped': 'true' },
      },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'SecretStore', name: 'aws' },
        target: { name: 'db-credentials' },
      },
      status: {
        refreshTime: '2026-08-01T00:00:00Z',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'SecretSynced',
            message: 'ok',
            lastTransitionTime: 't',
          },
        ],
      },
    });
  });

  it("keeps an ExternalSecret's target only when it names a Secret other than ESO's default (its own name)", () => {
    const es = (target: unknown) =>
      slimObject({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'db', namespace: 'team-a' },
        spec: { target },
      });
    expect(
      es({ name: 'db', creationPolicy: 'Owner' }).spec?.target,
    ).toBeUndefined();
    expect(es({ creationPolicy: 'Owner' }).spec?.target).toBeUndefined();
    expect(es({ name: 'db-credentials' }).spec?.target).toEqual({
      name: 'db-credentials',
    });
  });

  it('keeps every label of CAPI and WGE clusters, which selectors match', () => {
    const c = slimObject({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: {
        name: 'leaf',
        labels: { secretmanager: 'aws', cni: 'calico' },
      },
    });
    expect(c.metadata.labels).toEqual({ secretmanager: 'aws', cni: 'calico' });
  });

  it('keeps the HelmRelease chart, version, installCRDs and only the latest history entry', () => {
    const hr = slimObject({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'external-secrets', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        chart: {
          spec: {
            chart: 'external-secrets',
            version: '2.9.0',
            sourceRef: { kind: 'HelmRepository', name: 'external-secrets' },
          },
        },
        values: {
          installCRDs: false,
          webhook: { create: true },
          env: { TOKEN: 'shh' },
        },
      },
      status: {
        lastAttemptedRevision: '2.9.0',
        history: [
          {
            chartName: 'external-secrets',
            chartVersion: '2.9.0',
            status: 'deployed',
            digest: 'sha256:x',
          },
          { chartVersion: '2.8.0' },
        ],
      },
    });
    expect(hr.spec).toEqual({
      interval: '10m',
      chart: {
        chart: 'external-secrets',
        version: '2.9.0',
        sourceRef: { kind: 'HelmRepository', name: 'external-secrets' },
      },
      values: { installCRDs: false },
    });
    expect(hr.status?.history).toEqual([
      {
        chartName: 'external-secrets',
        chartVersion: '2.9.0',
        status: 'deployed',
      },
    ]);
    expect(JSON.stringify(hr)).not.toContain('shh');
  });

  it('after a failed upgrade keeps the failed entry and the release still deployed, nothing between', () => {
    const hr = slimObject({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      status: {
        history: [
          { chartName: 'podinfo', chartVersion: '6.5.1', status: 'failed' },
          { chartName: 'podinfo', chartVersion: '6.5.1', status: 'failed' },
          { chartName: 'podinfo', chartVersion: '6.5.0', status: 'deployed' },
          { chartName: 'podinfo', chartVersion: '6.4.0', status: 'superseded' },
        ],
      },
    });
    expect(hr.status?.history).toEqual([
      { chartName: 'podinfo', chartVersion: '6.5.1', status: 'failed' },
      { chartName: 'podinfo', chartVersion: '6.5.0', status: 'deployed' },
    ]);
  });

  it('keeps a CRD version list but not its schemas', () => {
    const crd = slimObject({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        name: 'externalsecrets.external-secrets.io',
        labels: { 'app.kubernetes.io/version': 'v2.9.0' },
      },
      spec: {
        group: 'external-secrets.io',
        names: {
          kind: 'ExternalSecret',
          plural: 'externalsecrets',
          shortNames: ['es'],
        },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object' } },
          },
          {
            name: 'v1beta1',
            served: false,
            storage: false,
            deprecated: true,
            schema: {},
          },
        ],
      },
    });
    expect(crd.spec).toEqual({
      group: 'external-secrets.io',
      names: { kind: 'ExternalSecret', plural: 'externalsecrets' },
      versions: [
        { name: 'v1', served: true, storage: true },
        { name: 'v1beta1', served: false, storage: false, deprecated: true },
      ],
    });
  });

  it('records which provider a store uses, not its settings', () => {
    const store = slimObject({
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: 'aws', namespace: 'team-a' },
      spec: {
        provider: {
          aws: {
            service: 'SecretsManager',
            region: 'eu-north-1',
            auth: { secretRef: {} },
          },
        },
      },
    });
    expect(store.spec).toEqual({ provider: 'aws' });
  });

  it('lifts a ClusterExternalSecret store and target from externalSecretSpec', () => {
    const ces = slimObject({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterExternalSecret',
      metadata: { name: 'shared' },
      spec: {
        externalSecretName: 'shared',
        externalSecretSpec: {
          secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
          target: { name: 't' },
          data: [{ remoteRef: { key: 'k' } }],
        },
      },
      status: {
        provisionedNamespaces: ['a'],
        failedNamespaces: [{ namespace: 'b', reason: 'r' }],
      },
    });
    expect(ces.spec).toEqual({
      externalSecretName: 'shared',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
      target: { name: 't' },
    });
    expect(ces.status).toEqual({
      provisionedNamespaces: ['a'],
      failedNamespaces: [{ namespace: 'b', reason: 'r' }],
    });
  });

  it.each([
    ['capi.weave.works/v1alpha2', 'CAPITemplate'],
    ['templates.weave.works/v1alpha2', 'GitOpsTemplate'],
  ])(
    'keeps a %s %s description and params, never its resource templates',
    (apiVersion, kind) => {
      // Synthetic template, shaped as WGE's templates-controller CRD (spec.params, spec.resourcetemplates).
      const t = slimObject({
        apiVersion,
        kind,
        metadata: {
          name: 'dev',
          namespace: 'default',
          labels: { 'weave.works/template-type': 'cluster' },
        },
        spec: {
          description: 'A dev cluster',
          renderType: 'envsubst',
          params: [
            { name: 'CLUSTER_NAME', required: true, description: 'Name' },
            { name: 'VERSION', options: ['v1', 'v2', 3], default: 'v2' },
            { name: 'OPTIONAL', required: false },
            { description: 'no name: not a parameter' },
          ],
          resourcetemplates: [
            { content: [{ kind: 'Cluster', metadata: { name: 'x' } }] },
          ],
          charts: { items: [{ chart: 'podinfo' }] },
        },
      });
      expect(t.spec).toEqual({
        description: 'A dev cluster',
        params: [
          { name: 'CLUSTER_NAME', required: true, description: 'Name' },
          { name: 'VERSION', options: ['v1', 'v2'], default: 'v2' },
          { name: 'OPTIONAL', required: false },
        ],
      });
      expect(JSON.stringify(t)).not.toMatch(/resourcetemplates|podinfo/);
    },
  );

  it('keeps params and description only on WGE templates', () => {
    const o = slimObject({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'k' },
      spec: { description: 'x', params: [{ name: 'y' }], path: './' },
    });
    expect(o.spec).toEqual({ path: './' });
  });

  it('truncates very long condition messages', () => {
    const k = slimObject({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'k' },
      status: {
        conditions: [
          { type: 'Ready', status: 'False', message: 'x'.repeat(10_000) },
        ],
      },
    });
    expect(k.status!.conditions![0].message!.length).toBeLessThan(4200);
  });

  it.each([null, undefined, 42, 'str', []])('is total: %p', raw => {
    expect(slimObject(raw)).toEqual({
      apiVersion: '',
      kind: '',
      metadata: { name: '' },
    });
  });
});

describe('WATCHED_KINDS', () => {
  it('never watches Secrets', () => {
    expect(
      WATCHED_KINDS.some(k => k.kind === 'Secret' || k.plural === 'secrets'),
    ).toBe(false);
  });

  it('has unique keys named <plural>.<group> and a preferred version each', () => {
    const keys = WATCHED_KINDS.map(k => k.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of WATCHED_KINDS) {
      expect(k.key).toBe(`${k.plural}.${k.group}`);
      expect(k.versions.length).toBeGreaterThan(0);
      for (const removed of k.removedVersions ?? [])
        expect(k.versions).not.toContain(removed);
    }
  });

  it.each([
    [
      'kustomize.toolkit.fluxcd.io/v1',
      'Kustomization',
      'kustomizations.kustomize.toolkit.fluxcd.io',
    ],
    ['cluster.x-k8s.io/v1beta1', 'Cluster', 'clusters.cluster.x-k8s.io'],
    [
      'gitops.weave.works/v1alpha1',
      'GitopsCluster',
      'gitopsclusters.gitops.weave.works',
    ],
    ['apps/v1', 'Deployment', 'deployments.apps'],
    [
      'capi.weave.works/v1alpha2',
      'CAPITemplate',
      'capitemplates.capi.weave.works',
    ],
    [
      'templates.weave.works/v1alpha2',
      'GitOpsTemplate',
      'gitopstemplates.templates.weave.works',
    ],
  ])('finds %s %s', (apiVersion, kind, key) => {
    expect(findWatchedKind(apiVersion, kind)?.key).toBe(key);
    expect(watchedKindByKey(key)?.kind).toBe(kind);
  });

  it('prefers CAPI v1beta2 and lists the removed Flux/ESO versions', () => {
    expect(watchedKindByKey('clusters.cluster.x-k8s.io')?.versions).toEqual([
      'v1beta2',
      'v1beta1',
    ]);
    expect(
      watchedKindByKey('helmreleases.helm.toolkit.fluxcd.io')?.removedVersions,
    ).toContain('v2beta1');
    expect(
      watchedKindByKey('externalsecrets.external-secrets.io')?.removedVersions,
    ).toContain('v1beta1');
  });
});
