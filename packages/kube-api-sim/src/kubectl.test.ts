import {
  ChildProcess,
  execFile,
  execFileSync,
  spawn,
} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startFleet } from './cluster';
import type { KubeObject, SimFleet } from './types';

// Parsing the upstream CRDs (about 2 MB of YAML for ESO) takes seconds on a cold module registry.
jest.setTimeout(30_000);

function findKubectl(): string | undefined {
  try {
    return (
      execFileSync('which', ['kubectl'], { encoding: 'utf8' }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}

const kubectl = findKubectl();
const describeKubectl = kubectl ? describe : describe.skip;
if (!kubectl) {
  // eslint-disable-next-line no-console
  console.log('kubectl conformance tests skipped: kubectl is not on PATH');
}

function kustomization(
  namespace: string,
  name: string,
  ready: string,
): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace },
    spec: {
      interval: '10m',
      path: `./${name}`,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason:
            ready === 'True' ? 'ReconciliationSucceeded' : 'DependencyNotReady',
          message:
            ready === 'True'
              ? 'Applied revision: main@sha1:abc'
              : "dependency 'flux-system/infra' is not ready",
          lastTransitionTime: new Date(Date.now() - 10 * 60_000)
            .toISOString()
            .replace(/\.\d+Z$/, 'Z'),
        },
      ],
    },
  };
}

describeKubectl('kubectl conformance', () => {
  let fleet: SimFleet;
  let dir: string;
  let kubeconfig: string;

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>(resolve => {
      execFile(
        kubectl!,
        [
          `--kubeconfig=${kubeconfig}`,
          `--cache-dir=${path.join(dir, 'cache')}`,
          '--context=management',
          ...args,
        ],
        { timeout: 30_000 },
        (err, stdout, stderr) =>
          resolve({
            code: err ? Number((err as { code?: number }).code ?? 1) : 0,
            stdout,
            stderr,
          }),
      );
    });

  beforeAll(async () => {
    fleet = await startFleet([
      {
        name: 'management',
        crdSets: ['flux', 'external-secrets'],
        objects: [
          kustomization('flux-system', 'infra', 'True'),
          kustomization('flux-system', 'apps', 'False'),
          kustomization('tenants', 'team-a', 'True'),
        ],
      },
    ]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sim-kubectl-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    fleet.writeKubeconfig(kubeconfig);
  });

  afterAll(async () => {
    await fleet.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('get -A lists the Kustomizations with their printer columns', async () => {
    const r = await run([
      'get',
      'kustomizations.kustomize.toolkit.fluxcd.io',
      '-A',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual([
      'NAMESPACE',
      'NAME',
      'AGE',
      'READY',
      'STATUS',
    ]);
    expect(lines.slice(1).map(l => l.split(/\s{2,}/).slice(0, 4))).toEqual([
      ['flux-system', 'apps', expect.stringMatching(/^\d+[smhd]/), 'False'],
      ['flux-system', 'infra', expect.stringMatching(/^\d+[smhd]/), 'True'],
      ['tenants', 'team-a', expect.stringMatching(/^\d+[smhd]/), 'True'],
    ]);
    const short = await run(['get', 'ks', '-n', 'tenants', '-o', 'name']);
    expect(short.stdout.trim()).toBe(
      'kustomization.kustomize.toolkit.fluxcd.io/team-a',
    );
  });

  it('get -w prints an event after an upsert', async () => {
    const child: ChildProcess = spawn(kubectl!, [
      `--kubeconfig=${kubeconfig}`,
      `--cache-dir=${path.join(dir, 'cache')}`,
      'get',
      'kustomizations.kustomize.toolkit.fluxcd.io',
      '-n',
      'flux-system',
      '-w',
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', d => (stdout += d));
    child.stderr!.on('data', d => (stderr += d));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(stdout); i++)
        await new Promise(r => setTimeout(r, 50));
      if (!re.test(stdout))
        throw new Error(`kubectl -w printed no ${re}: ${stdout} ${stderr}`);
    };
    try {
      await waitFor(/infra/);
      fleet
        .cluster('management')
        .upsert(kustomization('flux-system', 'watched', 'False'));
      await waitFor(/watched\s+\S+\s+False/);
      fleet
        .cluster('management')
        .upsert(kustomization('flux-system', 'watched', 'True'));
      await waitFor(/watched\s+\S+\s+True/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(
      stdout.split('\n').filter(l => l.startsWith('watched')),
    ).toHaveLength(2);
  });

  it('apply -f creates then updates a ConfigMap and an ExternalSecret', async () => {
    const cm = (value: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default' },
      data: { mode: value },
    });
    const es = (interval: string) => ({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        refreshInterval: interval,
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' },
        target: { name: 'db' },
        data: [{ secretKey: 'password', remoteRef: { key: 'apps/db' } }],
      },
    });
    const file = path.join(dir, 'manifests.yaml');
    const cluster = fleet.cluster('management');

    fs.writeFileSync(file, `${stringify(cm('a'))}---\n${stringify(es('1h'))}`);
    const created = await run(['apply', '-f', file]);
    expect(created.stderr).toBe('');
    expect(created.stdout.trim().split('\n')).toEqual([
      'configmap/settings created',
      'externalsecret.external-secrets.io/db created',
    ]);
    expect(cluster.get('v1', 'ConfigMap', 'default', 'settings')?.data).toEqual(
      { mode: 'a' },
    );
    const esCreated = cluster.get(
      'external-secrets.io/v1',
      'ExternalSecret',
      'default',
      'db',
    )!;
    expect(
      (esCreated.spec as { refreshInterval: string }).refreshInterval,
    ).toBe('1h');
    expect(
      esCreated.metadata.annotations?.[
        'kubectl.kubernetes.io/last-applied-configuration'
      ],
    ).toBeDefined();

    const unchanged = await run(['apply', '-f', file]);
    expect(unchanged.stdout.trim().split('\n')).toEqual([
      'configmap/settings unchanged',
      'externalsecret.external-secrets.io/db unchanged',
    ]);

    fs.writeFileSync(file, `${stringify(cm('b'))}---\n${stringify(es('15m'))}`);
    const updated = await run(['apply', '-f', file]);
    expect(updated.stderr).toBe('');
    expect(updated.stdout.trim().split('\n')).toEqual([
      'configmap/settings configured',
      'externalsecret.external-secrets.io/db configured',
    ]);
    expect(cluster.get('v1', 'ConfigMap', 'default', 'settings')?.data).toEqual(
      { mode: 'b' },
    );
    const esUpdated = cluster.get(
      'external-secrets.io/v1',
      'ExternalSecret',
      'default',
      'db',
    )!;
    expect(
      (esUpdated.spec as { refreshInterval: string }).refreshInterval,
    ).toBe('15m');
    expect(esUpdated.metadata.generation).toBe(2);
  });

  it('create namespace / secret / configmap (kubectl sends these as protobuf)', async () => {
    const cluster = fleet.cluster('management');
    expect(
      (await run(['create', 'namespace', 'created-ns'])).stdout.trim(),
    ).toBe('namespace/created-ns created');
    const secret = await run([
      'create',
      'secret',
      'generic',
      'creds',
      '-n',
      'created-ns',
      '--from-literal=user=admin',
    ]);
    expect(secret.stderr).toBe('');
    expect(secret.stdout.trim()).toBe('secret/creds created');
    const cm = await run([
      'create',
      'configmap',
      'cfg',
      '-n',
      'created-ns',
      '--from-literal=mode=fast',
    ]);
    expect(cm.stdout.trim()).toBe('configmap/cfg created');

    const ns = cluster.get('v1', 'Namespace', undefined, 'created-ns')!;
    expect(ns.metadata.generateName).toBeUndefined();
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    const s = cluster.get('v1', 'Secret', 'created-ns', 'creds')!;
    expect(s.type).toBe('Opaque');
    expect(Object.keys(s.data as object)).toEqual(['user']);
    const c = cluster.get('v1', 'ConfigMap', 'created-ns', 'cfg')!;
    expect(c.data).toEqual({ mode: 'fast' });
  });

  it('apply of an unserved version fails like a real server', async () => {
    const file = path.join(dir, 'old.yaml');
    fs.writeFileSync(
      file,
      stringify({
        apiVersion: 'external-secrets.io/v1beta1',
        kind: 'ExternalSecret',
        metadata: { name: 'old', namespace: 'default' },
        spec: {},
      }),
    );
    const r = await run(['apply', '-f', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /no matches for kind "ExternalSecret" in version "external-secrets.io\/v1beta1"/,
    );
  });
});
