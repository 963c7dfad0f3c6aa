import { Entity } from '@backstage/catalog-model';
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
    // A Resource that is not annotated.
    const bare: Entity = {
      ...clusterResource,
      metadata: { name: 'gitops-repo' },
    };
    expect(isGitopsSecretsAvailable(bare)).toBe(false);
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
