import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { clusterResource, component } from '../__testUtils__/entities';
import { clusterNameOf, resolveEntityTargets, scopeOf } from './entityMapping';

describe('entity mapping', () => {
  const catalog = catalogServiceMock({
    entities: [
      clusterResource('mgmt-resource', 'management'),
      clusterResource('leaf-dev'),
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'unannotated', namespace: 'default' },
        spec: { type: 'kubernetes-cluster' },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'db', namespace: 'default' },
        spec: { type: 'database' },
      },
    ],
  });
  const credentials = mockCredentials.user();

  it('maps a cluster Resource to its cluster by annotation, else by its name', () => {
    expect(clusterNameOf(clusterResource('mgmt-resource', 'management'))).toBe(
      'management',
    );
    expect(
      clusterNameOf({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'edge' },
        spec: { type: 'kubernetes-cluster' },
      }),
    ).toBe('edge');
    expect(clusterNameOf(component('x', { namespaces: 'a' }))).toBeUndefined();
  });

  it("reads a Component's scope from its namespaces and kubernetes-id annotations", () => {
    expect(
      scopeOf(component('x', { namespaces: ' a, b,a ', kubernetesId: 'x' })),
    ).toEqual({
      namespaces: ['a', 'b'],
      kubernetesId: 'x',
    });
    const withBackstageNs = component('y', {});
    withBackstageNs.metadata.annotations = {
      'backstage.io/kubernetes-namespace': 'team-y',
    };
    expect(scopeOf(withBackstageNs)).toEqual({ namespaces: ['team-y'] });
    expect(scopeOf(component('z', {}))).toBeUndefined();
  });

  it('maps a Component to its scope on every cluster Resource it depends on', async () => {
    const targets = await resolveEntityTargets(
      component('shop', {
        namespaces: 'shop',
        dependsOn: [
          'resource:default/mgmt-resource',
          'resource:default/leaf-dev',
          'resource:default/unannotated',
          'resource:default/db',
          'resource:default/missing',
          'component:default/other',
        ],
      }),
      catalog,
      credentials,
    );
    expect(targets).toEqual([
      { cluster: 'management', scope: { namespaces: ['shop'] } },
      { cluster: 'leaf-dev', scope: { namespaces: ['shop'] } },
      { cluster: 'unannotated', scope: { namespaces: ['shop'] } },
    ]);
  });

  it('maps a Component without a scope, or without cluster dependencies, to nothing', async () => {
    expect(
      await resolveEntityTargets(
        component('a', { dependsOn: ['resource:default/leaf-dev'] }),
        catalog,
        credentials,
      ),
    ).toEqual([]);
    expect(
      await resolveEntityTargets(
        component('b', { namespaces: 'b' }),
        catalog,
        credentials,
      ),
    ).toEqual([]);
  });
});
