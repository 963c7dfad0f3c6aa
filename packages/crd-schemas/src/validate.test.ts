import {
  assertValidObject,
  resolveServedVersion,
  validateAgainstSchema,
  validateAny,
  validateCoreObject,
  validateObject,
} from './validate';

const condition = (type: string, reason: string, message: string) => ({
  type,
  status: 'True',
  reason,
  message,
  lastTransitionTime: '2026-11-01T11:50:00Z',
  observedGeneration: 2,
});

const kustomization = () => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'external-secrets-crs', namespace: 'flux-system' },
  spec: {
    interval: '10m',
    retryInterval: '1m',
    path: './infrastructure/external-secrets/crs',
    prune: true,
    wait: true,
    dependsOn: [{ name: 'external-secrets-operator' }],
    sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    healthCheckExprs: [
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        current:
          "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')",
      },
    ],
  },
  status: {
    observedGeneration: 2,
    lastAppliedRevision: 'main@sha1:4f1c2e0b8a7d6c5b4a39281706f5e4d3c2b1a090',
    conditions: [
      condition(
        'Ready',
        'ReconciliationSucceeded',
        'Applied revision: main@sha1:4f1c2e0b8a7d6c5b4a39281706f5e4d3c2b1a090',
      ),
    ],
  },
});

const helmRelease = () => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'external-secrets', namespace: 'flux-system' },
  spec: {
    interval: '1h',
    releaseName: 'external-secrets',
    targetNamespace: 'external-secrets',
    chart: {
      spec: {
        chart: 'external-secrets',
        version: '2.9.0',
        sourceRef: { kind: 'HelmRepository', name: 'external-secrets' },
      },
    },
    install: { crds: 'Skip', createNamespace: true },
    // Preserved: anything goes below `values`.
    values: { installCRDs: false, webhook: { create: true, replicaCount: 1 } },
  },
});

const externalSecret = () => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'db-credentials', namespace: 'payments' },
  spec: {
    refreshInterval: '1h',
    secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
    target: { name: 'db-credentials', creationPolicy: 'Owner' },
    data: [
      {
        secretKey: 'password',
        remoteRef: { key: 'payments/db', property: 'password' },
      },
    ],
  },
  status: {
    refreshTime: '2026-11-01T11:50:00Z',
    syncedResourceVersion: '1-0f3b2c',
    binding: { name: 'db-credentials' },
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'SecretSynced',
        message: 'secret synced',
        lastTransitionTime: '2026-11-01T09:00:00Z',
      },
    ],
  },
});

const secretStore = () => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'SecretStore',
  metadata: { name: 'aws-secrets-manager', namespace: 'flux-system' },
  spec: {
    provider: {
      aws: {
        service: 'SecretsManager',
        region: 'eu-north-1',
        auth: {
          secretRef: {
            accessKeyIDSecretRef: { name: 'awssm-secret', key: 'access-key' },
            secretAccessKeySecretRef: {
              name: 'awssm-secret',
              key: 'secret-access-key',
            },
          },
        },
      },
    },
  },
});

const cluster = () => ({
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  kind: 'Cluster',
  metadata: {
    name: 'leaf-dev',
    namespace: 'default',
    labels: { secretmanager: 'aws', cni: 'calico' },
  },
  spec: {
    clusterNetwork: {
      pods: { cidrBlocks: ['192.168.0.0/16'] },
      services: { cidrBlocks: ['10.128.0.0/12'] },
      serviceDomain: 'cluster.local',
    },
    controlPlaneRef: {
      apiGroup: 'controlplane.cluster.x-k8s.io',
      kind: 'KubeadmControlPlane',
      name: 'leaf-dev-control-plane',
    },
    infrastructureRef: {
      apiGroup: 'infrastructure.cluster.x-k8s.io',
      kind: 'DevCluster',
      name: 'leaf-dev',
    },
  },
  status: {
    phase: 'Provisioned',
    observedGeneration: 1,
    conditions: [
      condition('Available', 'Available', ''),
      condition('ControlPlaneAvailable', 'Available', ''),
    ],
  },
});

const clusterResourceSet = () => ({
  apiVersion: 'addons.cluster.x-k8s.io/v1beta2',
  kind: 'ClusterResourceSet',
  metadata: { name: 'aws-sm-crs', namespace: 'default' },
  spec: {
    clusterSelector: { matchLabels: { secretmanager: 'aws' } },
    resources: [{ kind: 'Secret', name: 'aws-sm-crs-secret' }],
    strategy: 'Reconcile',
  },
});

const machineDeployment = (replicas: unknown, maxSurge: unknown = 1) => ({
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  kind: 'MachineDeployment',
  metadata: { name: 'leaf-dev-md-0', namespace: 'default' },
  spec: {
    clusterName: 'leaf-dev',
    replicas,
    rollout: {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge } },
    },
    selector: { matchLabels: {} },
    template: {
      spec: {
        clusterName: 'leaf-dev',
        version: 'v1.34.1',
        bootstrap: {
          configRef: {
            apiGroup: 'bootstrap.cluster.x-k8s.io',
            kind: 'KubeadmConfigTemplate',
            name: 'leaf-dev-md-0',
          },
        },
        infrastructureRef: {
          apiGroup: 'infrastructure.cluster.x-k8s.io',
          kind: 'DevMachineTemplate',
          name: 'leaf-dev-md-0',
        },
      },
    },
  },
});

/** Returns a copy of `obj` with `mutate` applied, so each case starts from a valid object. */
function edit<T>(obj: T, mutate: (o: any) => void): T {
  const copy = structuredClone(obj);
  mutate(copy);
  return copy;
}

describe('validateObject', () => {
  it.each([
    ['Kustomization', kustomization()],
    ['HelmRelease', helmRelease()],
    ['ExternalSecret', externalSecret()],
    ['SecretStore', secretStore()],
    ['Cluster v1beta2', cluster()],
    ['ClusterResourceSet v1beta2', clusterResourceSet()],
    ['MachineDeployment v1beta2', machineDeployment(2)],
  ])('accepts a valid %s', (_name, obj) => {
    expect(validateObject(obj)).toEqual({ valid: true, errors: [] });
  });

  it.each<[string, unknown, RegExp]>([
    [
      'quoted integer replicas',
      machineDeployment('3'),
      /^spec\.replicas: must be integer, got string "3"$/,
    ],
    [
      'an integer that overflows int32',
      machineDeployment(2 ** 31),
      /^spec\.replicas: must match format "int32"/,
    ],
    [
      'an unknown spec field (typo)',
      edit(kustomization(), o => {
        o.spec.intervall = o.spec.interval;
      }),
      /^spec\.intervall: unknown field/,
    ],
    [
      'an unknown top-level field',
      edit(externalSecret(), o => {
        o.data = { a: 'b' };
      }),
      /^data: unknown field/,
    ],
    [
      'an unknown field in metadata',
      edit(secretStore(), o => {
        o.metadata.label = { a: 'b' };
      }),
      /^metadata\.label: unknown field/,
    ],
    [
      'a missing required field',
      edit(kustomization(), o => {
        delete o.spec.sourceRef;
      }),
      /^spec\.sourceRef: required field is missing$/,
    ],
    [
      'a missing required field in a list item',
      edit(externalSecret(), o => {
        delete o.spec.data[0].remoteRef.key;
      }),
      /^spec\.data\[0\]\.remoteRef\.key: required field is missing$/,
    ],
    [
      'a value outside an enum',
      edit(clusterResourceSet(), o => {
        o.spec.strategy = 'ApplyAlways';
      }),
      /^spec\.strategy: must be one of "ApplyOnce", "Reconcile"/,
    ],
    [
      'null where the schema is not nullable',
      edit(clusterResourceSet(), o => {
        o.spec.clusterSelector.matchLabels = null;
      }),
      /^spec\.clusterSelector\.matchLabels: must be object, got null$/,
    ],
    [
      'a malformed date-time',
      edit(kustomization(), o => {
        o.status.conditions[0].lastTransitionTime = 'yesterday';
      }),
      /^status\.conditions\[0\]\.lastTransitionTime: must match format "date-time"/,
    ],
    [
      'duplicate keys in a list-map',
      edit(cluster(), o => {
        o.status.conditions.push(o.status.conditions[0]);
      }),
      /^status\.conditions: has duplicate entries for map keys \[type\]/,
    ],
    [
      'a v1beta1 Cluster ref shape in v1beta2',
      edit(cluster(), o => {
        o.spec.controlPlaneRef = {
          apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
          kind: 'KubeadmControlPlane',
          name: 'leaf-dev-control-plane',
        };
      }),
      /^spec\.controlPlaneRef\.apiVersion: unknown field/,
    ],
    [
      'a name that is not a DNS-1123 subdomain',
      edit(externalSecret(), o => {
        o.metadata.name = 'DB_Credentials';
      }),
      /^metadata\.name: "DB_Credentials" is not a DNS-1123 subdomain/,
    ],
    [
      'an invalid label key',
      edit(cluster(), o => {
        o.metadata.labels['bad key'] = 'x';
      }),
      /^metadata\.labels\["bad key"\]: invalid key$/,
    ],
    [
      'missing metadata',
      edit(secretStore(), o => {
        delete o.metadata;
      }),
      /^metadata: required field is missing$/,
    ],
    [
      'metadata without a name',
      edit(secretStore(), o => {
        delete o.metadata.name;
      }),
      /^metadata\.name: required field is missing/,
    ],
    [
      'a namespace on a cluster-scoped kind',
      edit(secretStore(), o => {
        o.kind = 'ClusterSecretStore';
      }),
      /^metadata\.namespace: not allowed on cluster-scoped kind ClusterSecretStore$/,
    ],
    [
      'a removed Flux version (v2beta1)',
      edit(helmRelease(), o => {
        o.apiVersion = 'helm.toolkit.fluxcd.io/v2beta1';
      }),
      /unknown version "v2beta1" of HelmRelease.*served versions: v2\)/,
    ],
    [
      'a removed Flux version (v1beta2)',
      edit(kustomization(), o => {
        o.apiVersion = 'kustomize.toolkit.fluxcd.io/v1beta2';
      }),
      /unknown version "v1beta2" of Kustomization/,
    ],
    [
      'an ESO version that is defined but not served',
      edit(externalSecret(), o => {
        o.apiVersion = 'external-secrets.io/v1beta1';
      }),
      /version "v1beta1" of ExternalSecret is not served by CRD externalsecrets\.external-secrets\.io/,
    ],
    [
      'a kind no CRD defines',
      { ...secretStore(), kind: 'SecretStores' },
      /no CustomResourceDefinition defines kind "SecretStores" in group "external-secrets\.io"/,
    ],
    ['a non-object', 'kind: Kustomization', /^\(root\): must be an object/],
  ])('rejects %s', (_name, obj, expected) => {
    const result = validateObject(obj);
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(
      expect.arrayContaining([expect.stringMatching(expected)]),
    );
  });

  it('reports every error, not only the first', () => {
    const obj = edit(kustomization(), o => {
      o.spec.prune = 'yes';
      o.spec.typo = 1;
      delete o.spec.interval;
    });
    expect(validateObject(obj).errors).toEqual(
      expect.arrayContaining([
        'spec.interval: required field is missing',
        'spec.prune: must be boolean, got string "yes"',
        expect.stringMatching(/^spec\.typo: unknown field/),
      ]),
    );
  });

  it.each([
    ['an integer', 1],
    ['a percentage string', '25%'],
  ])('accepts %s where the schema is int-or-string', (_name, maxSurge) => {
    expect(validateObject(machineDeployment(1, maxSurge)).errors).toEqual([]);
  });

  it('rejects a boolean where the schema is int-or-string', () => {
    expect(validateObject(machineDeployment(1, true)).errors).toEqual([
      'spec.rollout.strategy.rollingUpdate.maxSurge: must be integer or string, got boolean true',
    ]);
  });

  it('accepts null where the schema is nullable', () => {
    const obj = edit(externalSecret(), o => {
      o.status.refreshTime = null;
    });
    expect(validateObject(obj).errors).toEqual([]);
  });

  it('accepts unknown fields below x-kubernetes-preserve-unknown-fields', () => {
    const obj = edit(helmRelease(), o => {
      o.spec.values = { anything: { at: ['all', 1, null] } };
    });
    expect(validateObject(obj).errors).toEqual([]);
  });

  it('rejects kinds of CRD sets the cluster does not install', () => {
    const result = validateObject(externalSecret(), { crdSets: ['flux'] });
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatch(
      /defined by CRD set "external-secrets", which is not installed \(installed: flux\)/,
    );
    expect(
      validateObject(kustomization(), { crdSets: ['flux'] }).errors,
    ).toEqual([]);
  });

  it('validates the 511 KB ClusterBootstrapConfig schema, PodSpec included', () => {
    const config = {
      apiVersion: 'capi.weave.works/v1alpha1',
      kind: 'ClusterBootstrapConfig',
      metadata: { name: 'capi-gitops', namespace: 'default' },
      spec: {
        clusterSelector: { matchLabels: { 'weave.works/flux': 'bootstrap' } },
        jobTemplate: {
          generateName: 'run-gitops-{{ .ObjectMeta.Name }}',
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'flux-bootstrap',
                image: 'ghcr.io/fluxcd/flux-cli:v2.9.4',
                args: ['bootstrap', 'github', '--owner=$(GITHUB_OWNER)'],
              },
            ],
          },
        },
      },
    };
    expect(validateObject(config).errors).toEqual([]);
    const broken = edit(config, o => {
      o.spec.jobTemplate.spec.containers[0].ports = [{ containerPort: '80' }];
      o.spec.jobTemplate.spec.containers[0].envFrom = [
        { secretRef: { name: 'github-token' }, prefix: 1 },
      ];
    });
    expect(validateObject(broken).errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^spec\.jobTemplate\.spec\.containers\[0\]\.ports\[0\]\.containerPort: must be integer/,
        ),
        'spec.jobTemplate.spec.containers[0].envFrom[0].prefix: must be string, got number 1',
      ]),
    );
  });
});

describe('resolveServedVersion', () => {
  it('names the CRD set and scope of a served version', () => {
    const resolved = resolveServedVersion(
      'external-secrets.io/v1',
      'ClusterSecretStore',
    );
    expect(resolved).toMatchObject({
      set: 'external-secrets',
      version: 'v1',
      namespaced: false,
    });
  });

  it('accepts the deprecated but served CAPI v1beta1', () => {
    expect(
      resolveServedVersion('cluster.x-k8s.io/v1beta1', 'Cluster'),
    ).toMatchObject({ version: 'v1beta1', namespaced: true });
  });

  // CAPA's EKS kinds share API groups with CAPI's own (controlplane., infrastructure.cluster.x-k8s.io).
  it.each([
    ['controlplane.cluster.x-k8s.io/v1beta2', 'AWSManagedControlPlane'],
    ['infrastructure.cluster.x-k8s.io/v1beta2', 'AWSManagedCluster'],
    ['infrastructure.cluster.x-k8s.io/v1beta2', 'AWSManagedMachinePool'],
  ])('resolves CAPA %s %s to its own set', (apiVersion, kind) => {
    expect(resolveServedVersion(apiVersion, kind)).toMatchObject({
      set: 'cluster-api-provider-aws',
      version: 'v1beta2',
      namespaced: true,
    });
  });

  it('names CAPA v1beta1 as defined but not served', () => {
    expect(
      resolveServedVersion(
        'controlplane.cluster.x-k8s.io/v1beta1',
        'AWSManagedControlPlane',
      ),
    ).toEqual({ error: expect.stringMatching(/not served/) });
  });
});

describe('CAPA EKS objects', () => {
  const controlPlane = () => ({
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
    kind: 'AWSManagedControlPlane',
    metadata: { name: 'eks-1-control-plane', namespace: 'default' },
    spec: {
      region: 'eu-west-1',
      version: 'v1.33',
      associateOIDCProvider: true,
    },
  });
  it('accepts a managed control plane and rejects the wrong types and formats', () => {
    expect(validateObject(controlPlane()).errors).toEqual([]);
    const bad = edit(controlPlane(), o => {
      o.spec.version = 'latest';
      o.spec.associateOIDCProvider = 'yes';
      o.spec.identityRef = { kind: 'AWSClusterSecretIdentity', name: 'x' };
    });
    const errors = validateObject(bad).errors.join('\n');
    expect(errors).toMatch(/spec.version/);
    expect(errors).toMatch(/spec.associateOIDCProvider: must be boolean/);
    expect(errors).toMatch(/spec.identityRef.kind/);
  });
  it('accepts a v1beta2 MachinePool and requires its bootstrap', () => {
    const pool = {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachinePool',
      metadata: { name: 'eks-1-pool-0', namespace: 'default' },
      spec: {
        clusterName: 'eks-1',
        replicas: 2,
        template: {
          spec: {
            clusterName: 'eks-1',
            bootstrap: { dataSecretName: '' },
            infrastructureRef: {
              apiGroup: 'infrastructure.cluster.x-k8s.io',
              kind: 'AWSManagedMachinePool',
              name: 'eks-1-pool-0',
            },
          },
        },
      },
    };
    expect(validateObject(pool).errors).toEqual([]);
    const noBootstrap = edit(pool, o => delete o.spec.template.spec.bootstrap);
    expect(validateObject(noBootstrap).errors.join('\n')).toMatch(
      /spec.template.spec.bootstrap: required field is missing/,
    );
  });
});

describe('validateAgainstSchema (Kubernetes extensions)', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          template: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            'x-kubernetes-preserve-unknown-fields': true,
          },
          strict: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            properties: { spec: { type: 'object', properties: {} } },
          },
          note: { type: 'string', nullable: true, enum: ['a', 'b'] },
          count: { type: 'integer', format: 'int64' },
          blob: { type: 'string', format: 'byte' },
          ip: { type: 'string', format: 'ipv4-but-unknown' },
          tags: {
            type: 'array',
            items: { type: 'string' },
            'x-kubernetes-list-type': 'set',
          },
          ratio: { type: 'number', minimum: 0, exclusiveMinimum: true },
        },
      },
    },
  };
  const obj = (spec: Record<string, unknown>) => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'default' },
    spec,
  });

  it('accepts embedded resources, nullable enums, known and unknown formats', () => {
    expect(
      validateAgainstSchema(
        obj({
          template: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'x', labels: { a: 'b' } },
            data: { anything: 'goes' },
          },
          strict: { apiVersion: 'v1', kind: 'Pod', spec: {} },
          note: null,
          count: 9007199254740991,
          blob: 'aGVsbG8=',
          ip: 'not checked',
          tags: ['a', 'b'],
          ratio: 0.5,
        }),
        schema,
      ).errors,
    ).toEqual([]);
  });

  it('checks what the extensions imply', () => {
    const { errors } = validateAgainstSchema(
      obj({
        template: { metadata: { nam: 'x' } },
        strict: { apiVersion: 'v1', kind: 'Pod', extra: 1 },
        note: 'c',
        count: 1.5,
        blob: 'not base64!',
        tags: ['a', 'a'],
        ratio: 0,
      }),
      schema,
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        'spec.template.apiVersion: required field is missing',
        'spec.template.kind: required field is missing',
        expect.stringMatching(/^spec\.template\.metadata\.nam: unknown field/),
        expect.stringMatching(/^spec\.strict\.extra: unknown field/),
        expect.stringMatching(/^spec\.note: must be one of "a", "b", null/),
        'spec.count: must be integer, got number 1.5',
        expect.stringMatching(/^spec\.blob: must match format "byte"/),
        expect.stringMatching(/^spec\.tags: must NOT have duplicate items/),
        expect.stringMatching(/^spec\.ratio: must be > 0/),
      ]),
    );
    expect(errors).toHaveLength(9);
  });
});

describe('validateCoreObject', () => {
  const deployment = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'external-secrets-webhook',
      namespace: 'external-secrets',
    },
    spec: {
      replicas: 1,
      selector: {
        matchLabels: { 'app.kubernetes.io/name': 'external-secrets-webhook' },
      },
      template: {
        metadata: {
          labels: { 'app.kubernetes.io/name': 'external-secrets-webhook' },
        },
        spec: {
          containers: [
            {
              name: 'webhook',
              image: 'ghcr.io/external-secrets/external-secrets:v2.9.0',
            },
          ],
        },
      },
    },
    status: { replicas: 1, readyReplicas: 0, unavailableReplicas: 1 },
  });

  it.each([
    ['Deployment', deployment()],
    [
      'Namespace',
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } },
    ],
    [
      'Secret without data',
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name: 'awssm-secret', namespace: 'external-secrets' },
      },
    ],
    [
      'ConfigMap',
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cluster-vars', namespace: 'flux-system' },
        data: { CLUSTER_NAME: 'leaf-dev' },
      },
    ],
    [
      'ServiceAccount',
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'external-secrets', namespace: 'external-secrets' },
      },
    ],
  ])('accepts a valid %s', (_name, obj) => {
    expect(validateCoreObject(obj)).toEqual({ valid: true, errors: [] });
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a Deployment without selector',
      edit(deployment(), o => delete o.spec.selector),
      /^spec\.selector: required field is missing$/,
    ],
    [
      'a Deployment whose selector misses its pods',
      edit(deployment(), o => {
        o.spec.template.metadata.labels = { app: 'other' };
      }),
      /selector` does not match template `labels`/,
    ],
    [
      'quoted Deployment replicas',
      edit(deployment(), o => {
        o.spec.replicas = '1';
      }),
      /^spec\.replicas: must be integer/,
    ],
    [
      'a container without image',
      edit(deployment(), o => delete o.spec.template.spec.containers[0].image),
      /^spec\.template\.spec\.containers\[0\]\.image: required field is missing$/,
    ],
    [
      'a namespaced Namespace',
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'a', namespace: 'b' },
      },
      /^metadata\.namespace: not allowed on cluster-scoped kind Namespace$/,
    ],
    [
      'Secret data that is not base64',
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'a' },
        data: { key: 'plain text' },
      },
      /^data\.key: must match format "byte"/,
    ],
    [
      'a Service (unknown to this validator)',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } },
      /not a core kind this validator knows/,
    ],
  ])('rejects %s', (_name, obj, expected) => {
    const result = validateCoreObject(obj);
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(
      expect.arrayContaining([expect.stringMatching(expected)]),
    );
  });
});

describe('validateAny and assertValidObject', () => {
  it('dispatches core kinds and custom resources', () => {
    expect(
      validateAny({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'team-a' },
      }).valid,
    ).toBe(true);
    expect(validateAny(kustomization()).valid).toBe(true);
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'db.1', namespace: 'apps' },
      involvedObject: { kind: 'ExternalSecret', name: 'db', namespace: 'apps' },
      type: 'Warning',
      reason: 'UpdateFailed',
      message: 'x',
      count: 3,
      lastTimestamp: '2026-11-01T11:59:00Z',
    };
    expect(validateAny(event).valid).toBe(true);
    expect(validateAny({ ...event, type: 'Error' }).valid).toBe(false);
    expect(validateAny({ ...event, involvedObject: { kind: 'X' } }).valid).toBe(
      false,
    );
    expect(
      validateAny({
        apiVersion: 'v1',
        kind: 'Kustomization',
        metadata: { name: 'x' },
      }).valid,
    ).toBe(false);
  });

  it('throws naming the object and the path of every error', () => {
    const obj = edit(machineDeployment('3'), o => {
      o.spec.selector.matchLabels = null;
    });
    expect(() => assertValidObject(obj)).toThrow(
      'Invalid cluster.x-k8s.io/v1beta2 MachineDeployment default/leaf-dev-md-0:\n' +
        '  - spec.replicas: must be integer, got string "3"\n' +
        '  - spec.selector.matchLabels: must be object, got null',
    );
    expect(() => assertValidObject(kustomization())).not.toThrow();
  });
});
