import { ObjectIndex } from '../objects';
import { findRootCause } from '../rules';
import { cond, healthyEso, kustomization } from '../testing/builders';
import { findings, notReady, run } from '../testing/rules';

describe('DEPENDENCY_NOT_READY', () => {
  const waiting = (on: string) =>
    notReady(
      'DependencyNotReady',
      `dependency 'flux-system/${on}' is not ready`,
    );

  it('follows a 3-deep chain to the failing root: one finding there, listing what it blocks', () => {
    const crds = kustomization('external-secrets-crds', {
      conditions: notReady('HealthCheckFailed', 'timeout waiting for CRDs'),
    });
    const operator = kustomization('external-secrets-operator', {
      spec: { dependsOn: [{ name: 'external-secrets-crds' }] },
      conditions: waiting('external-secrets-crds'),
    });
    const crs = kustomization('external-secrets-crs', {
      spec: { dependsOn: [{ name: 'external-secrets-operator' }] },
      conditions: waiting('external-secrets-operator'),
    });
    const status = run([...healthyEso(), crds, operator, crs]);
    expect(
      status.findings.filter(f => f.code === 'DEPENDENCY_NOT_READY'),
    ).toEqual([]);
    const root = status.findings.filter(f => f.code === 'KUSTOMIZATION_FAILED');
    expect(root).toHaveLength(1);
    const [f] = root;
    expect(f.severity).toBe('error');
    expect(f.category).toBe('health-check-failed');
    expect(f.objects.map(o => o.name)).toEqual(['external-secrets-crds']);
    expect(f.blocks?.map(o => o.name)).toEqual([
      'external-secrets-operator',
      'external-secrets-crs',
    ]);
    expect(f.detail).toContain('timeout waiting for CRDs');
    // The blocked objects are data (`blocks`), not repeated in the text.
    expect(f.detail).not.toContain('external-secrets-operator');
    expect(f.command).toBe(
      'kubectl --context mgmt -n flux-system describe kustomization external-secrets-crds',
    );
    // The blocked objects point at the root.
    const crsStatus = status.flux.objects.find(
      o => o.ref.name === 'external-secrets-crs',
    );
    expect(crsStatus?.blockedBy?.name).toBe('external-secrets-crds');
  });

  it('stops at the first not-ready dependency whose own dependencies are ready', () => {
    const a = kustomization('a');
    const b = kustomization('b', {
      spec: { dependsOn: [{ name: 'a' }] },
      conditions: [
        cond('Reconciling', 'True'),
        cond('Ready', 'Unknown', 'Progressing'),
      ],
    });
    const c = kustomization('c', {
      spec: { dependsOn: [{ name: 'b' }] },
      conditions: waiting('b'),
    });
    const index = new ObjectIndex([a, b, c]);
    expect(findRootCause(index, c)).toMatchObject({ type: 'notReady', obj: b });
    const [f] = findings([...healthyEso(), a, b, c], 'DEPENDENCY_NOT_READY');
    // A dependency still reconciling is worth a warning, not an error.
    expect(f.severity).toBe('warning');
    expect(f.objects[0].name).toBe('b');
  });

  it('reports a cycle', () => {
    const a = kustomization('a', {
      spec: { dependsOn: [{ name: 'b' }] },
      conditions: waiting('b'),
    });
    const b = kustomization('b', {
      spec: { dependsOn: [{ name: 'c' }] },
      conditions: waiting('c'),
    });
    const c = kustomization('c', {
      spec: { dependsOn: [{ name: 'a' }] },
      conditions: waiting('a'),
    });
    const root = findRootCause(new ObjectIndex([a, b, c]), a);
    expect(root?.type).toBe('cycle');
    const list = findings([...healthyEso(), a, b, c], 'DEPENDENCY_NOT_READY');
    expect(list).toHaveLength(1);
    expect(list[0].title).toMatch(/^dependsOn cycle: /);
    expect(list[0].severity).toBe('error');
    expect(list[0].objects.map(o => o.name).sort()).toEqual(['a', 'b', 'c']);
  });

  it('reports a missing dependency, resolving its namespace', () => {
    const a = kustomization('a', {
      spec: { dependsOn: [{ name: 'infra', namespace: 'platform' }] },
      conditions: waiting('infra'),
    });
    const [f] = findings([...healthyEso(), a], 'DEPENDENCY_NOT_READY');
    expect(f.title).toBe('Kustomization platform/infra does not exist');
    expect(f.objects[0]).toEqual({
      kind: 'Kustomization',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      namespace: 'platform',
      name: 'infra',
    });
    expect(f.fix).toContain('correct the dependsOn entry');
  });

  it('groups everything blocked by one root into the root’s one finding', () => {
    const root = kustomization('root', {
      conditions: notReady('BuildFailed', 'kustomize build failed'),
    });
    const x = kustomization('x', {
      spec: { dependsOn: [{ name: 'root' }] },
      conditions: waiting('root'),
    });
    const y = kustomization('y', {
      spec: { dependsOn: [{ name: 'root' }] },
      conditions: waiting('root'),
    });
    const all = run([...healthyEso(), root, x, y]).findings;
    expect(all.map(f => f.code)).toEqual(['KUSTOMIZATION_FAILED']);
    expect(all[0].blocks?.map(o => o.name)).toEqual(['x', 'y']);
  });

  it.each([
    [
      'all are ready',
      [
        kustomization('a'),
        kustomization('b', { spec: { dependsOn: [{ name: 'a' }] } }),
      ],
    ],
    [
      'the dependent is ready though its dependency is not',
      [
        kustomization('a', { conditions: notReady('BuildFailed', 'x') }),
        kustomization('b', { spec: { dependsOn: [{ name: 'a' }] } }),
      ],
    ],
    [
      'the object has no dependsOn',
      [kustomization('a', { conditions: notReady('BuildFailed', 'x') })],
    ],
  ])('does not fire when %s', (_n, objects) => {
    expect(
      findings([...healthyEso(), ...objects], 'DEPENDENCY_NOT_READY'),
    ).toEqual([]);
  });
});
