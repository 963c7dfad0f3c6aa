import { stringifyEntityRef } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsSecretsApiRef } from '../../api';
import {
  component,
  erroredCluster,
  externalSecret,
  failingSecretCluster,
  healthyChain,
  managementCluster,
  NOW,
} from '../../testing/fixtures';
import { MockGitopsSecretsApi } from '../../testing/MockGitopsSecretsApi';
import {
  ClusterStatus,
  summarizeCluster,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { EntityGitopsSecretsContent } from './EntityGitopsSecretsContent';

async function renderContent(clusters: ClusterStatus[]) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [
          gitopsSecretsApiRef,
          new MockGitopsSecretsApi({
            [stringifyEntityRef(component)]: clusters,
          }),
        ],
      ]}
    >
      <EntityProvider entity={component}>
        <EntityGitopsSecretsContent pollIntervalMs={0} />
      </EntityProvider>
    </TestApiProvider>,
  );
}

/** A cluster with hundreds of ExternalSecrets, as big platforms have. */
function bigCluster(): ClusterStatus {
  const secrets = Array.from({ length: 120 }, (_, i) =>
    externalSecret(`secret-${String(i).padStart(3, '0')}`, 'payments'),
  );
  return summarizeCluster({
    cluster: 'big',
    objects: [...healthyChain(), ...secrets],
    servedVersions: {
      'externalsecrets.external-secrets.io': 'v1',
      'clustersecretstores.external-secrets.io': 'v1',
    },
    now: NOW,
  });
}

describe('EntityGitopsSecretsContent', () => {
  it('lists every cluster and tables of ExternalSecrets, stores and Flux objects across them', async () => {
    const clusters = [
      managementCluster(),
      failingSecretCluster(),
      erroredCluster(),
    ];
    await renderContent(clusters);

    for (const c of clusters) {
      expect(
        screen.getByRole('region', { name: c.cluster }),
      ).toBeInTheDocument();
    }
    const esCount = clusters.reduce(
      (n, c) => n + (c.eso?.externalSecrets.length ?? 0),
      0,
    );
    const storeCount = clusters.reduce(
      (n, c) => n + (c.eso?.stores.length ?? 0),
      0,
    );
    const fluxCount = clusters.reduce((n, c) => n + c.flux.objects.length, 0);
    expect(
      screen.getByRole('heading', { name: `ExternalSecrets (${esCount})` }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: `Secret stores (${storeCount})` }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: `Flux objects (${fluxCount})` }),
    ).toBeInTheDocument();

    // The failing ExternalSecret carries its state and ESO's message.
    const failing = failingSecretCluster().eso!.externalSecrets.find(
      e => !e.synced,
    )!;
    const row = screen.getAllByText(failing.ref.name)[0].closest('tr')!;
    expect(row).toHaveTextContent('Failing');
    expect(row).toHaveTextContent(failing.message!);
  });

  it('pages and searches hundreds of ExternalSecrets', async () => {
    await renderContent([bigCluster()]);
    expect(
      screen.getByRole('heading', { name: 'ExternalSecrets (120)' }),
    ).toBeInTheDocument();
    const table = screen
      .getByRole('heading', { name: 'ExternalSecrets (120)' })
      .closest('.MuiPaper-root') as HTMLElement;

    // First page only.
    // (The name shows twice per row: the target Secret has the same name.)
    expect(within(table).getAllByText('secret-000').length).toBeGreaterThan(0);
    expect(within(table).queryAllByText('secret-050')).toHaveLength(0);

    const search = within(table).getByPlaceholderText(/filter/i);
    await userEvent.type(search, 'secret-117');
    expect(
      (await within(table).findAllByText('secret-117')).length,
    ).toBeGreaterThan(0);
    expect(within(table).queryAllByText('secret-000')).toHaveLength(0);
  });
});
