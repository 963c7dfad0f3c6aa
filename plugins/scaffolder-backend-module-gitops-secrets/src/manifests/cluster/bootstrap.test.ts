import { validateAny, validateObject } from '@golden-gitops/crd-schemas';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { loadTemplate } from '../../render/template';
import {
  buildClusterBootstrapConfig,
  buildCredentialsClusterResourceSet,
  credentialsCommands,
  FLUX_CLI_IMAGE,
  RESOURCE_SET_SECRET_TYPE,
} from './bootstrap';
import { buildCluster, buildLeafCluster } from './capi';
import { buildLeafSecretsKustomization } from './leafFlux';
import { buildLeafClusterTemplate } from './leafTemplate';
import { matchesSelector } from './selectors';

const run = promisify(execFile);

const cbc = buildClusterBootstrapConfig({
  namespace: 'default',
  owner: 'acme',
  repository: 'gitops',
  branch: 'main',
  clustersPath: 'clusters',
  tokenSecret: { name: 'flux-bootstrap-github-token', key: 'GITHUB_TOKEN' },
});
const crs = buildCredentialsClusterResourceSet({
  namespace: 'default',
  wrapperSecretName: 'eso-credentials-crs',
});

function renderLeaf(name: string, namespace = 'default') {
  const t = loadTemplate(
    stringify(buildLeafClusterTemplate({ name: 'leaf', namespace: 'default' })),
    'leaf.yaml',
  );
  return t
    .render(t.resolveParams({ CLUSTER_NAME: name, NAMESPACE: namespace }), {
      namespace,
    })
    .files.flatMap(f => f.objects.map(o => o.object));
}

describe('ClusterBootstrapConfig', () => {
  it('validates against the cluster-bootstrap-controller CRD', () => {
    expect(validateObject(cbc).errors).toEqual([]);
  });

  it('runs flux bootstrap github with a current flux-cli, the given owner/repository/path, no hard-coded owner', () => {
    const container = (cbc.spec as any).jobTemplate.spec.containers[0];
    expect(container.image).toBe(FLUX_CLI_IMAGE);
    expect(FLUX_CLI_IMAGE).toMatch(/^ghcr\.io\/fluxcd\/flux-cli:v2\.9\.\d+$/);
    expect(container.args).toEqual([
      'bootstrap',
      'github',
      '--kubeconfig=/etc/gitops/value',
      '--owner=acme',
      '--repository=gitops',
      '--branch=main',
      '--path=./clusters/{{ .ObjectMeta.Namespace }}/{{ .ObjectMeta.Name }}',
    ]);
    expect(JSON.stringify(cbc)).not.toMatch(/waleedhammam|wge-dev|v0\.32/);
  });

  it('takes the token from a Secret through the environment, never from args', () => {
    const container = (cbc.spec as any).jobTemplate.spec.containers[0];
    expect(container.env).toEqual([
      {
        name: 'GITHUB_TOKEN',
        valueFrom: {
          secretKeyRef: {
            name: 'flux-bootstrap-github-token',
            key: 'GITHUB_TOKEN',
          },
        },
      },
    ]);
    expect(container.args.join(' ')).not.toMatch(/token/i);
    expect(container.envFrom).toBeUndefined();
  });

  it('adds --hostname for GitHub Enterprise and --personal for user-owned repositories', () => {
    const o = buildClusterBootstrapConfig({
      namespace: 'default',
      owner: 'me',
      repository: 'r',
      branch: 'trunk',
      clustersPath: 'fleet/leaves',
      hostname: 'ghe.example.com',
      personal: true,
      tokenSecret: { name: 't', key: 'token' },
    });
    const args = (o.spec as any).jobTemplate.spec.containers[0].args;
    expect(args).toEqual(
      expect.arrayContaining([
        '--personal',
        '--hostname=ghe.example.com',
        '--branch=trunk',
        '--path=./fleet/leaves/{{ .ObjectMeta.Namespace }}/{{ .ObjectMeta.Name }}',
      ]),
    );
    expect(validateObject(o).errors).toEqual([]);
  });

  it('selects the GitopsCluster the template renders, and not the CAPI Cluster', () => {
    const objects = renderLeaf('leaf-1');
    const gitopsCluster = objects.find(o => o.kind === 'GitopsCluster')!;
    const cluster = objects.find(o => o.kind === 'Cluster')!;
    const selector = (cbc.spec as any).clusterSelector;
    expect(matchesSelector(gitopsCluster.metadata.labels, selector)).toBe(true);
    expect(matchesSelector(cluster.metadata.labels, selector)).toBe(false);
    expect(gitopsCluster.metadata.namespace).toBe(cbc.metadata.namespace);
  });
});

describe('credentials ClusterResourceSet', () => {
  it('validates as addons.cluster.x-k8s.io/v1beta2 and copies the wrapper Secret', () => {
    expect(crs.apiVersion).toBe('addons.cluster.x-k8s.io/v1beta2');
    expect(validateObject(crs).errors).toEqual([]);
    expect((crs.spec as any).resources).toEqual([
      { kind: 'Secret', name: 'eso-credentials-crs' },
    ]);
  });

  it('selects exactly the labelled Clusters of its namespace', () => {
    const labelled = renderLeaf('leaf-a').find(o => o.kind === 'Cluster')!;
    const labelledToo = renderLeaf('leaf-b').find(o => o.kind === 'Cluster')!;
    const elsewhere = renderLeaf('leaf-c', 'team-x').find(
      o => o.kind === 'Cluster',
    )!;
    const unlabelled = buildCluster({
      name: 'plain',
      namespace: 'default',
      kubernetesVersion: 'v1.35.0',
      controlPlaneReplicas: 1,
      workerReplicas: 1,
      clusterLabels: { cni: 'calico' },
    });
    const otherManager = buildCluster({
      name: 'gcp',
      namespace: 'default',
      kubernetesVersion: 'v1.35.0',
      controlPlaneReplicas: 1,
      workerReplicas: 1,
      clusterLabels: { secretmanager: 'gcp' },
    });
    const all = [labelled, labelledToo, elsewhere, unlabelled, otherManager];
    // A ClusterResourceSet only sees Clusters in its own namespace.
    const selected = all.filter(
      c =>
        c.metadata.namespace === crs.metadata.namespace &&
        matchesSelector(c.metadata.labels, (crs.spec as any).clusterSelector),
    );
    expect(selected.map(c => c.metadata.name)).toEqual(['leaf-a', 'leaf-b']);
    // None of the non-Cluster objects carries the label (so nothing else is meant to match).
    expect(
      renderLeaf('leaf-a')
        .filter(o => o.kind !== 'Cluster')
        .some(o => o.metadata.labels?.secretmanager),
    ).toBe(false);
  });

  it('the label selector evaluates matchExpressions as Kubernetes does', () => {
    const labels = { secretmanager: 'aws', cni: 'calico' };
    expect(matchesSelector(labels, {})).toBe(true);
    expect(
      matchesSelector(labels, {
        matchExpressions: [{ key: 'cni', operator: 'In', values: ['calico'] }],
      }),
    ).toBe(true);
    expect(
      matchesSelector(labels, {
        matchExpressions: [
          { key: 'cni', operator: 'NotIn', values: ['calico'] },
        ],
      }),
    ).toBe(false);
    expect(
      matchesSelector(labels, {
        matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }],
      }),
    ).toBe(true);
    expect(
      matchesSelector(labels, {
        matchLabels: { secretmanager: 'aws' },
        matchExpressions: [{ key: 'x', operator: 'Exists' }],
      }),
    ).toBe(false);
  });
});

describe('credentials commands for the PR description', () => {
  const commands = credentialsCommands({
    namespace: 'default',
    wrapperSecretName: 'eso-credentials-crs',
    secretName: 'awssm-secret',
    secretNamespace: 'flux-system',
    keys: [
      { key: 'access-key', env: 'AWS_ACCESS_KEY_ID' },
      { key: 'secret-access-key', env: 'AWS_SECRET_ACCESS_KEY' },
    ],
    tokenSecret: {
      name: 'flux-bootstrap-github-token',
      key: 'GITHUB_TOKEN',
      namespace: 'default',
      env: 'GITHUB_TOKEN',
    },
  });

  it('hold no value, only variable names', () => {
    expect(commands).toContain('"$AWS_ACCESS_KEY_ID"');
    expect(commands).toContain('--type=addons.cluster.x-k8s.io/resource-set');
    expect(commands).not.toMatch(/--from-literal/);
  });

  const kubectl = async () => {
    try {
      await run('kubectl', ['version', '--client']);
      return true;
    } catch {
      return false;
    }
  };

  it('create a resource-set wrapper holding the namespace and the credentials Secret (kubectl, dry run)', async () => {
    if (!(await kubectl())) {
      // eslint-disable-next-line no-console
      console.log(
        'skipped: kubectl is not installed, so the commands cannot be run',
      );
      return;
    }
    // Without the token step (it creates a Secret on the cluster), and with the wrapper printed
    // instead of applied, every command runs offline.
    const script = credentialsCommands({
      namespace: 'default',
      wrapperSecretName: 'eso-credentials-crs',
      secretName: 'awssm-secret',
      secretNamespace: 'flux-system',
      keys: [
        { key: 'access-key', env: 'AWS_ACCESS_KEY_ID' },
        { key: 'secret-access-key', env: 'AWS_SECRET_ACCESS_KEY' },
      ],
    }).replace('| kubectl apply -f -', '> "$OUT"');
    const out = path.join(os.tmpdir(), `wrapper-${process.pid}.yaml`);
    await run('bash', ['-c', script], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 's3cr3t/with+chars=',
        OUT: out,
        KUBECONFIG: '/dev/null',
      },
    });
    const wrapper = parse(fs.readFileSync(out, 'utf8'));
    fs.rmSync(out);
    expect(wrapper).toMatchObject({
      kind: 'Secret',
      type: RESOURCE_SET_SECRET_TYPE,
      metadata: { name: 'eso-credentials-crs', namespace: 'default' },
    });
    const inner = parseAllDocuments(
      Buffer.from(wrapper.data['awssm-secret.yaml'], 'base64').toString('utf8'),
    ).map(d => d.toJS());
    expect(inner.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/flux-system',
      'Secret/awssm-secret',
    ]);
    expect(inner[1].metadata.namespace).toBe('flux-system');
    expect(
      Buffer.from(inner[1].data['secret-access-key'], 'base64').toString(),
    ).toBe('s3cr3t/with+chars=');
    for (const o of inner) expect(validateAny(o).errors).toEqual([]);
  });
});

describe('leaf Flux path', () => {
  it('applies the shared secrets bootstrap with a repository-root path and waits for it', () => {
    const k = buildLeafSecretsKustomization({ path: 'clusters/bases/secrets' });
    expect(validateObject(k).errors).toEqual([]);
    expect(k.spec).toMatchObject({
      path: './clusters/bases/secrets',
      wait: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    });
  });
});

describe('leaf-cluster builders', () => {
  it('build objects that validate directly (numbers, v1beta2 refs)', () => {
    const objects = buildLeafCluster({
      name: 'direct',
      namespace: 'default',
      kubernetesVersion: 'v1.34.0',
      controlPlaneReplicas: 3,
      workerReplicas: 2,
    });
    for (const o of objects) expect(validateObject(o).errors).toEqual([]);
    const md = objects.find(o => o.kind === 'MachineDeployment')!;
    expect((md.spec as any).selector.matchLabels).toEqual(
      (md.spec as any).template.metadata.labels,
    );
  });
});

describe('serialised template', () => {
  it('has no YAML anchors or aliases (every object is written out)', () => {
    const text = stringify(
      buildLeafClusterTemplate({ name: 'leaf', namespace: 'default' }),
    );
    expect(text).not.toMatch(/[&*]a\d+/);
  });
});
