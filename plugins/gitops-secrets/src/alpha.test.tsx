import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import { gitopsSecretsEntityCard, gitopsSecretsEntityContent } from './alpha';
import plugin from './alpha';
import { gitopsSecretsApiRef } from './api';
import {
  clusterResource,
  component,
  managementCluster,
  plainComponent,
} from './testing/fixtures';
import { MockGitopsSecretsApi } from './testing/MockGitopsSecretsApi';

function render(entity: Entity, extension = gitopsSecretsEntityCard) {
  const api = new MockGitopsSecretsApi({
    [stringifyEntityRef(entity)]: [managementCluster()],
  });
  renderTestApp({
    extensions: [createTestEntityPage({ entity }), extension],
    apis: [[gitopsSecretsApiRef, api]],
  });
  return api;
}

describe('gitops-secrets (new frontend system)', () => {
  it('is the gitops-secrets plugin, with the API, the card and the tab', () => {
    expect(plugin.id).toBe('gitops-secrets');
  });

  it('renders the card on a kubernetes-cluster Resource', async () => {
    render(clusterResource);
    expect(
      await screen.findByRole('heading', { name: 'GitOps secrets' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('region', { name: 'management' }),
    ).toBeInTheDocument();
  });

  it('renders the card on a Component that depends on a cluster', async () => {
    render(component);
    expect(
      await screen.findByRole('region', { name: 'management' }),
    ).toBeInTheDocument();
  });

  it('does not render for entities without clusters', async () => {
    const api = render(plainComponent);
    // The page renders with no card: the filter removed it, and it never asked the backend.
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
    expect(
      screen.queryByRole('heading', { name: 'GitOps secrets' }),
    ).toBeNull();
    expect(screen.queryByTestId('gitops-secrets-card')).toBeNull();
    expect(api.calls).toEqual([]);
  });

  it('renders the content tab with its tables', async () => {
    render(clusterResource, gitopsSecretsEntityContent as any);
    expect(
      await screen.findByRole('heading', { name: /^ExternalSecrets \(\d+\)$/ }),
    ).toBeInTheDocument();
  });
});
