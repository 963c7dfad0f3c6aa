import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mapEntity } from '@golden-gitops/plugin-gitops-secrets-common';
import { clusterResource, component } from '../__testUtils__/entities';
import { resolveEntityTargets } from './entityMapping';

const resource = (name: string, type: string, annotations = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', annotations },
  spec: { type },
});

const withAnnotations = (e: Entity, annotations: Record<string, string>) => ({
  ...e,
  metadata: { ...e.metadata, annotations },
});

describe('entity mapping (the -common contract, resolved against the catalog)', () => {
  const catalog = catalogServiceMock({
    entities: [
      clusterResource('mgmt-resource', 'management'),
      clusterResource('leaf-dev'),
      resource('unannotated', 'kubernetes-cluster'),
      resource('db', 'database', {
        'gitops-secrets.io/cluster-name': 'management',
      }),
    ],
  });
  const credentials = mockCredentials.user();
  const ALL_DEPS = [
    'resource:default/mgmt-resource',
    'resource:default/leaf-dev',
    'resource:default/unannotated',
    'resource:default/db',
    'resource:default/missing',
    'component:default/other',
  ];

  // [what, entity, whether the card shows, the backend's targets]
  it.each<[string, Entity, boolean, unknown[]]>([
    [
      'a cluster Resource, by its annotation',
      clusterResource('mgmt-resource', 'management'),
      true,
      [{ cluster: 'management' }],
    ],
    [
      'an unannotated cluster Resource, by its name',
      resource('edge', 'kubernetes-cluster'),
      true,
      [{ cluster: 'edge' }],
    ],
    [
      'a Resource of another type with the cluster annotation: nothing',
      resource('db', 'database', {
        'gitops-secrets.io/cluster-name': 'management',
      }),
      false,
      [],
    ],
    [
      'a Component with the cluster annotation: nothing (issue 18)',
      withAnnotations(component('evil', {}), {
        'gitops-secrets.io/cluster-name': 'management',
      }),
      false,
      [],
    ],
    [
      'a System with the cluster annotation: nothing',
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'System',
        metadata: {
          name: 'sys',
          annotations: { 'gitops-secrets.io/cluster-name': 'management' },
        },
      },
      false,
      [],
    ],
    [
      'a Component: its scope on every cluster Resource it depends on',
      component('shop', { namespaces: ' shop, b,shop ', dependsOn: ALL_DEPS }),
      true,
      [
        { cluster: 'management', scope: { namespaces: ['shop', 'b'] } },
        { cluster: 'leaf-dev', scope: { namespaces: ['shop', 'b'] } },
        { cluster: 'unannotated', scope: { namespaces: ['shop', 'b'] } },
      ],
    ],
    [
      'a Component scoped by backstage.io/kubernetes-namespace and kubernetes-id',
      withAnnotations(component('y', { dependsOn: ALL_DEPS.slice(1, 2) }), {
        'backstage.io/kubernetes-namespace': 'team-y',
        'backstage.io/kubernetes-id': 'y',
      }),
      true,
      [
        {
          cluster: 'leaf-dev',
          scope: { namespaces: ['team-y'], kubernetesId: 'y' },
        },
      ],
    ],
    [
      'a Component naming flux-system and its own namespace: only its own',
      component('mixed', {
        namespaces: 'flux-system,external-secrets,kube-system,apps',
        dependsOn: ALL_DEPS.slice(1, 2),
      }),
      true,
      [{ cluster: 'leaf-dev', scope: { namespaces: ['apps'] } }],
    ],
    [
      'a Component naming only flux-system: nothing',
      component('flux', {
        namespaces: 'flux-system',
        dependsOn: ALL_DEPS.slice(1, 2),
      }),
      false,
      [],
    ],
    [
      'a Component without a scope: nothing',
      component('a', { dependsOn: ALL_DEPS.slice(1, 2) }),
      false,
      [],
    ],
    [
      'a Component depending on no Resource: nothing',
      component('b', { namespaces: 'b' }),
      false,
      [],
    ],
    [
      // The card cannot ask the catalog what the Resource is: it shows, and the card says no cluster was found.
      'a Component depending only on a database Resource: card shown, no cluster',
      component('c', { namespaces: 'c', dependsOn: ['resource:default/db'] }),
      true,
      [],
    ],
  ])('%s', async (_what, entity, available, targets) => {
    expect(mapEntity(entity).type !== 'none').toBe(available);
    expect(await resolveEntityTargets(entity, catalog, credentials)).toEqual(
      targets,
    );
    // Whatever the backend shows, the card offers.
    expect(available || !targets.length).toBe(true);
  });

  it('reads spec.dependsOn before the catalog has built relations', () => {
    const e = component('d', { namespaces: 'd' });
    e.spec = { ...e.spec, dependsOn: ['resource:leaf-dev', 'component:x'] };
    expect(mapEntity(e)).toEqual({
      type: 'scoped',
      scope: { namespaces: ['d'] },
      clusterRefs: ['resource:default/leaf-dev'],
      ignoredNamespaces: [],
    });
  });
});
