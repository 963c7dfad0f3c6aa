import type { MappableEntity } from './mapping';
import { clusterNameOf, isProtectedNamespace, mapEntity } from './mapping';

const entity = (
  kind: string,
  annotations: Record<string, string> = {},
  spec: Record<string, unknown> = {},
  relations: MappableEntity['relations'] = [],
): MappableEntity => ({
  kind,
  metadata: { name: 'x', namespace: 'team', annotations },
  spec,
  relations,
});

describe('mapEntity: the one entity-to-cluster contract', () => {
  it.each<[string, MappableEntity, ReturnType<typeof mapEntity>['type']]>([
    [
      'cluster Resource',
      entity('Resource', {}, { type: 'kubernetes-cluster' }),
      'cluster',
    ],
    [
      'cluster annotation on a Component',
      entity('Component', { 'gitops-secrets.io/cluster-name': 'm' }),
      'none',
    ],
    [
      'cluster annotation on a database Resource',
      entity(
        'Resource',
        { 'gitops-secrets.io/cluster-name': 'm' },
        { type: 'database' },
      ),
      'none',
    ],
    [
      'scoped Component depending on a Resource',
      entity('component', { 'gitops-secrets.io/namespaces': 'apps' }, {}, [
        { type: 'dependsOn', targetRef: 'resource:default/m' },
      ]),
      'scoped',
    ],
    [
      'scoped System (only Components have a scope)',
      entity(
        'System',
        { 'gitops-secrets.io/namespaces': 'apps' },
        {
          dependsOn: ['resource:m'],
        },
      ),
      'none',
    ],
  ])('%s', (_what, e, type) => {
    expect(mapEntity(e).type).toBe(type);
  });

  it('names the cluster by annotation, else by the Resource name; never for other entities', () => {
    const r = entity(
      'Resource',
      { 'gitops-secrets.io/cluster-name': ' prod ' },
      { type: 'kubernetes-cluster' },
    );
    expect(clusterNameOf(r)).toBe('prod');
    expect(
      clusterNameOf(entity('Resource', {}, { type: 'kubernetes-cluster' })),
    ).toBe('x');
    expect(
      clusterNameOf(
        entity('Component', { 'gitops-secrets.io/cluster-name': 'prod' }),
      ),
    ).toBeUndefined();
  });

  it('drops protected namespaces from a scope and says which', () => {
    const e = entity(
      'Component',
      {
        'gitops-secrets.io/namespaces': 'flux-system, apps',
        'backstage.io/kubernetes-namespace': 'external-secrets',
      },
      { dependsOn: ['resource:m', 'component:c', 'not a ref'] },
    );
    expect(mapEntity(e)).toEqual({
      type: 'scoped',
      scope: { namespaces: ['apps'] },
      // spec.dependsOn without a namespace: the entity's own.
      clusterRefs: ['resource:team/m'],
      ignoredNamespaces: ['flux-system', 'external-secrets'],
    });
    expect(
      ['kube-system', 'flux-system', 'external-secrets', 'apps'].map(
        isProtectedNamespace,
      ),
    ).toEqual([true, true, true, false]);
  });
});
