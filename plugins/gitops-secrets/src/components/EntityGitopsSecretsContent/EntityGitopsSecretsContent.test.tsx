import { stringifyEntityRef } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
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

// Tables of hundreds to thousands of rows take seconds to render in jsdom on a loaded 2-core CI machine; the
// assertions, not the clock, are the test, so the tests get room (waits: src/setupTests.ts).
jest.setTimeout(120_000);

async function renderContent(clusters: ClusterStatus[]) {
  const api = new MockGitopsSecretsApi({
    [stringifyEntityRef(component)]: clusters,
  });
  await renderInTestApp(
    <TestApiProvider apis={[[gitopsSecretsApiRef, api]]}>
      <EntityProvider entity={component}>
        <EntityGitopsSecretsContent pollIntervalMs={0} />
      </EntityProvider>
    </TestApiProvider>,
  );
  return api;
}

/** A cluster with hundreds or thousands of ExternalSecrets, as big platforms have (synthetic). */
function bigCluster(count = 120): ClusterStatus {
  const secrets = Array.from({ length: count }, (_, i) =>
    externalSecret(`secret-${String(i).padStart(4, '0')}`, 'payments'),
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
    await screen.findByRole('heading', { name: /^ExternalSecrets \(/ });
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
      await screen.findByRole('heading', { name: 'ExternalSecrets (120)' }),
    ).toBeInTheDocument();
    const table = screen
      .getByRole('heading', { name: 'ExternalSecrets (120)' })
      .closest('.MuiPaper-root') as HTMLElement;

    // First page only.
    // (The name shows twice per row: the target Secret has the same name.)
    expect(within(table).getAllByText('secret-0000').length).toBeGreaterThan(0);
    expect(within(table).queryAllByText('secret-0050')).toHaveLength(0);

    const search = within(table).getByPlaceholderText(/filter/i);
    await userEvent.type(search, 'secret-0117');
    expect(
      (await within(table).findAllByText('secret-0117')).length,
    ).toBeGreaterThan(0);
    expect(within(table).queryAllByText('secret-0000')).toHaveLength(0);
  });

  it('shows all 2,000 ExternalSecrets of a cluster, page by page, saying how many more there are', async () => {
    const api = await renderContent([bigCluster(2000)]);
    // The cluster panel reads counts and findings only; the table its first page.
    expect(
      await screen.findByRole('heading', {
        name: 'ExternalSecrets (500 of 2000)',
      }),
    ).toBeInTheDocument();
    const more = screen.getByTestId('more-ExternalSecrets');
    expect(more).toHaveTextContent(
      'Showing 500 of 2000 ExternalSecrets; 1500 more not loaded',
    );
    expect(screen.getByTestId('step-externalSecrets')).toHaveTextContent(
      '2000/2000 synced',
    );

    for (const loaded of [1000, 1500]) {
      await userEvent.click(
        within(more).getByRole('button', {
          name: 'Load 500 more ExternalSecrets',
        }),
      );
      expect(
        await screen.findByRole('heading', {
          name: `ExternalSecrets (${loaded} of 2000)`,
        }),
      ).toBeInTheDocument();
    }
    await userEvent.click(
      within(screen.getByTestId('more-ExternalSecrets')).getByRole('button', {
        name: 'Load all ExternalSecrets',
      }),
    );
    const heading = await screen.findByRole('heading', {
      name: 'ExternalSecrets (2000)',
    });
    expect(screen.queryByTestId('more-ExternalSecrets')).toBeNull();
    expect(
      api.pageCalls.filter(c => c.startsWith('big externalsecrets')),
    ).toEqual([
      'big externalsecrets 0+500',
      'big externalsecrets 500+500',
      'big externalsecrets 1000+500',
      'big externalsecrets 1500+500',
    ]);

    // The last one is there: search finds it.
    const table = heading.closest('.MuiPaper-root') as HTMLElement;
    await userEvent.type(
      within(table).getByPlaceholderText(/filter/i),
      'secret-1999',
    );
    expect(
      (await within(table).findAllByText('secret-1999')).length,
    ).toBeGreaterThan(0);
  });

  it('reads again the pages already loaded on refresh, keeping them', async () => {
    const api = await renderContent([bigCluster(1200)]);
    await screen.findByRole('heading', {
      name: 'ExternalSecrets (500 of 1200)',
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Load 500 more ExternalSecrets' }),
    );
    await screen.findByRole('heading', {
      name: 'ExternalSecrets (1000 of 1200)',
    });
    const before = api.pageCalls.length;
    await userEvent.click(
      screen.getByRole('button', { name: 'Refresh GitOps secrets status' }),
    );
    await waitFor(() =>
      expect(
        api.pageCalls
          .slice(before)
          .filter(c => c.startsWith('big externalsecrets')),
      ).toEqual(['big externalsecrets 0+500', 'big externalsecrets 500+500']),
    );
    expect(
      screen.getByRole('heading', { name: 'ExternalSecrets (1000 of 1200)' }),
    ).toBeInTheDocument();
  });
});
