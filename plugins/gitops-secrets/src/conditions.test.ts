import { Entity } from '@backstage/catalog-model';
import { mapEntity } from '@golden-gitops/plugin-gitops-secrets-common';
import { bootstrapTemplateLink, isGitopsSecretsAvailable } from './conditions';
import { clusterResource, component, plainComponent } from './testing/fixtures';

describe('isGitopsSecretsAvailable', () => {
  it('is true for a Resource naming its cluster', () => {
    expect(isGitopsSecretsAvailable(clusterResource)).toBe(true);
  });

  it('is true for a Component that depends on a Resource and scopes its objects', () => {
    expect(isGitopsSecretsAvailable(component)).toBe(true);
    // Before the catalog processed it: spec.dependsOn only.
    expect(isGitopsSecretsAvailable({ ...component, relations: [] })).toBe(
      true,
    );
  });

  it('is false for entities without clusters', () => {
    expect(isGitopsSecretsAvailable(plainComponent)).toBe(false);
    // Depends on a Resource, but says nothing about which objects are its own.
    expect(
      isGitopsSecretsAvailable({
        ...component,
        metadata: { name: 'x', annotations: {} },
      }),
    ).toBe(false);
    // Scoped, but depends on no Resource.
    expect(
      isGitopsSecretsAvailable({
        ...component,
        spec: { ...component.spec, dependsOn: ['component:default/db'] },
        relations: [{ type: 'dependsOn', targetRef: 'component:default/db' }],
      }),
    ).toBe(false);
    // A Resource that is not a cluster, even with the cluster annotation.
    const database: Entity = {
      ...clusterResource,
      spec: { type: 'database', owner: 'group:default/platform-team' },
    };
    expect(isGitopsSecretsAvailable(database)).toBe(false);
  });

  // The cases where the card and the backend used to disagree (issue 15): the card now asks the same contract.
  it.each<[string, Entity, boolean]>([
    [
      'an unannotated kubernetes-cluster Resource (its name is the cluster)',
      { ...clusterResource, metadata: { name: 'edge', namespace: 'default' } },
      true,
    ],
    [
      'a Component scoped by backstage.io/kubernetes-namespace only',
      {
        ...component,
        metadata: {
          name: 'ns-only',
          annotations: { 'backstage.io/kubernetes-namespace': 'payments' },
        },
      },
      true,
    ],
    [
      'a Component naming only flux-system',
      {
        ...component,
        metadata: {
          name: 'sneaky',
          annotations: { 'gitops-secrets.io/namespaces': 'flux-system' },
        },
      },
      false,
    ],
    [
      'a Component carrying the cluster-name annotation (only cluster Resources stand for a cluster)',
      {
        ...component,
        metadata: {
          name: 'claims-cluster',
          annotations: { 'gitops-secrets.io/cluster-name': 'management' },
        },
      },
      false,
    ],
  ])('agrees with the backend contract: %s', (_what, entity, expected) => {
    expect(isGitopsSecretsAvailable(entity)).toBe(expected);
    expect(mapEntity(entity).type !== 'none').toBe(expected);
  });
});

describe('bootstrapTemplateLink', () => {
  const formData = (link: string) =>
    JSON.parse(new URL(link, 'http://x').searchParams.get('formData')!);

  it('prefills the cluster path and the cluster Resource on the cluster page', () => {
    const link = bootstrapTemplateLink(clusterResource, 'management');
    expect(
      link.startsWith('/create/templates/default/eso-flux-bootstrap?formData='),
    ).toBe(true);
    expect(formData(link)).toEqual({
      clusterPath: 'clusters/management',
      cluster: 'resource:default/management',
    });
  });

  it('prefills the cluster Resource a Component depends on', () => {
    expect(formData(bootstrapTemplateLink(component, 'management'))).toEqual({
      cluster: 'resource:default/management',
    });
    expect(formData(bootstrapTemplateLink(component, 'elsewhere'))).toEqual({});
  });
});
