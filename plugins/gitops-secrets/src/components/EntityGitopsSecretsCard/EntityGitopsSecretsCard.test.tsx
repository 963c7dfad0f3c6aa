import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { ClusterStatus } from '@golden-gitops/plugin-gitops-secrets-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gitopsSecretsApiRef } from '../../api';
import type { GitopsSecretsApi } from '../../api';
import {
  clusterResource,
  clusterResourceFor,
  component,
  crdRaceCluster,
  erroredCluster,
  failingSecretCluster,
  managementCluster,
  noEsoCluster,
} from '../../testing/fixtures';
import { MockGitopsSecretsApi } from '../../testing/MockGitopsSecretsApi';
import { formatExactTime } from '../shared/time';
import { EntityGitopsSecretsCard } from './EntityGitopsSecretsCard';

async function renderCard(
  entity: Entity,
  api: GitopsSecretsApi | ClusterStatus[],
) {
  const impl = Array.isArray(api)
    ? new MockGitopsSecretsApi({ [stringifyEntityRef(entity)]: api })
    : api;
  await renderInTestApp(
    <TestApiProvider apis={[[gitopsSecretsApiRef, impl]]}>
      <EntityProvider entity={entity}>
        {/* Polling off: these tests drive refreshes by hand. */}
        <EntityGitopsSecretsCard pollIntervalMs={0} />
      </EntityProvider>
    </TestApiProvider>,
  );
  return impl;
}

const clusterSection = (name: string) => screen.getByRole('region', { name });

describe('EntityGitopsSecretsCard', () => {
  it('shows a healthy management cluster: health, the chain in order, leaf clusters', async () => {
    const status = managementCluster();
    await renderCard(clusterResource, [status]);

    expect(
      screen.getByRole('heading', { level: 2, name: 'GitOps secrets' }),
    ).toBeInTheDocument();
    const section = clusterSection('management');
    expect(within(section).getByTestId('health-chip')).toHaveTextContent(
      status.health,
    );
    expect(status.health).toBe('Healthy');

    const chain = within(section).getByRole('list', {
      name: 'Chain on management',
    });
    const steps = within(chain)
      .getAllByRole('listitem')
      .map(li => li.getAttribute('data-testid'));
    expect(steps).toEqual([
      'step-sources',
      'step-crds',
      'step-operator',
      'step-stores',
      'step-externalSecrets',
      'step-leafClusters',
    ]);
    expect(within(chain).getByTestId('step-crds')).toHaveTextContent(
      `v${status.eso!.crdVersion}`,
    );
    const { synced, total } = status.eso!.counts;
    expect(within(chain).getByTestId('step-externalSecrets')).toHaveTextContent(
      `${synced}/${total} synced, 0 failing, 0 stale`,
    );

    const leaves = within(section).getByRole('list', {
      name: 'Leaf clusters of management',
    });
    for (const leaf of status.leafClusters) {
      expect(within(leaves).getByText(leaf.name)).toBeInTheDocument();
    }
    expect(within(section).queryAllByTestId('finding')).toHaveLength(0);
  });

  it('reads the small summary and counts the whole lists it was cut from', async () => {
    const base = managementCluster();
    const leaves = Array.from({ length: 8 }, (_, i) => ({
      ...base.leafClusters[0],
      name: `leaf-${i}`,
      bootstrapped: i !== 6,
      health: i === 6 ? ('Progressing' as const) : ('Healthy' as const),
    }));
    const findings = Array.from({ length: 25 }, (_, i) => ({
      code: 'SECRET_SYNC_ERROR' as const,
      severity: 'error' as const,
      title: `finding ${i}`,
      detail: 'd',
      fix: 'f',
      objects: [],
    }));
    const api = await renderCard(clusterResource, [
      { ...base, leafClusters: leaves, findings },
    ]);
    expect((api as MockGitopsSecretsApi).calls).toHaveLength(1);
    const section = await screen.findByRole('region', { name: 'management' });
    expect(within(section).getByTestId('step-leafClusters')).toHaveTextContent(
      '8 leaf clusters: 7/8 bootstrapped',
    );
    const list = within(section).getByRole('list', {
      name: 'Leaf clusters of management',
    });
    // The worst first, five named, the rest counted.
    expect(within(list).getByText('leaf-6')).toBeInTheDocument();
    expect(list).toHaveTextContent('and 3 more');
    expect(within(section).getAllByTestId('finding')).toHaveLength(20);
    expect(within(section).getByTestId('more-findings')).toHaveTextContent(
      '5 less urgent findings are not shown here',
    );
  });

  it('shows relative times with the exact time on hover', async () => {
    const status = managementCluster();
    // Relative to the clock, not to the fixture's fixed dates (which age into "last month").
    const exact = new Date(Date.now() - 5 * 60_000);
    status.eso!.lastRefresh = exact.toISOString();
    await renderCard(clusterResource, [status]);
    const refresh = screen
      .getByTestId('step-externalSecrets')
      .querySelector('time')!;
    expect(refresh).toHaveAttribute('dateTime', exact.toISOString());
    expect(refresh).toHaveAttribute('title', formatExactTime(exact));
    expect(refresh).toHaveTextContent('5 minutes ago');
  });

  it('shows the CRD race with its fix and a copyable kubectl command', async () => {
    const status = crdRaceCluster();
    const race = status.findings.find(f => f.code === 'CRD_RACE')!;
    expect(race).toBeDefined();
    await renderCard(clusterResourceFor('crd-race'), [status]);

    const section = clusterSection('crd-race');
    expect(within(section).getByTestId('health-chip')).toHaveTextContent(
      'Degraded',
    );
    const finding = within(section)
      .getAllByTestId('finding')
      .find(f => f.getAttribute('data-code') === 'CRD_RACE')!;
    expect(finding).toHaveTextContent(race.title);
    expect(finding).toHaveTextContent(race.detail);
    expect(finding).toHaveTextContent(`Fix: ${race.fix}`);
    expect(within(finding).getByText(race.command!)).toBeInTheDocument();
    expect(
      within(finding).getByRole('button', {
        name: `Copy kubectl command: ${race.command}`,
      }),
    ).toBeInTheDocument();
  });

  it('shows one cluster’s error in its own row while the others render', async () => {
    const down = erroredCluster('edge-eu', 'TIMEOUT');
    await renderCard(component, [managementCluster(), down]);

    const broken = clusterSection('edge-eu');
    expect(within(broken).getByTestId('cluster-error')).toHaveTextContent(
      `Timed out: ${down.error!.message}`,
    );
    // The error's own finding says what to do.
    expect(within(broken).getByTestId('finding')).toHaveTextContent(
      down.findings[0].fix,
    );
    expect(within(broken).queryByRole('list', { name: /Chain/ })).toBeNull();

    const healthy = clusterSection('management');
    expect(within(healthy).getByTestId('health-chip')).toHaveTextContent(
      'Healthy',
    );
    expect(
      within(healthy).getByRole('list', { name: 'Chain on management' }),
    ).toBeInTheDocument();
  });

  it('leads to the bootstrap template, prefilled, when ESO is not installed', async () => {
    const entity = clusterResourceFor('no-eso');
    const status = noEsoCluster();
    await renderCard(entity, [status]);

    const section = clusterSection('no-eso');
    const empty = within(section).getByTestId('eso-not-installed');
    const link = within(empty).getByRole('link', {
      name: 'Install ESO on no-eso with Flux',
    });
    const url = new URL(link.getAttribute('href')!, 'http://app');
    expect(url.pathname).toBe('/create/templates/default/eso-flux-bootstrap');
    expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
      clusterPath:
        entity.metadata.annotations!['gitops-secrets.io/cluster-path'],
      cluster: stringifyEntityRef(entity),
    });
    // Shown once, as the call to action, not again as a finding.
    expect(
      within(section)
        .queryAllByTestId('finding')
        .map(f => f.getAttribute('data-code')),
    ).not.toContain('ESO_NOT_INSTALLED');
  });

  it('says how to annotate a Resource when no cluster is mapped', async () => {
    await renderCard(clusterResource, []);
    const empty = screen.getByTestId('no-cluster');
    expect(empty).toHaveTextContent('No cluster is mapped to this entity.');
    expect(empty).toHaveTextContent('gitops-secrets.io/cluster-name:');
  });

  it('says how to map a Component to clusters', async () => {
    await renderCard(component, []);
    const empty = screen.getByTestId('no-cluster');
    expect(empty).toHaveTextContent('gitops-secrets.io/namespaces:');
    expect(empty).toHaveTextContent('dependsOn:');
  });

  it('refreshes on the refresh button', async () => {
    const api = new MockGitopsSecretsApi({
      [stringifyEntityRef(clusterResource)]: [managementCluster()],
    });
    await renderCard(clusterResource, api);
    await screen.findByRole('region', { name: 'management' });
    expect(api.calls).toHaveLength(1);
    await userEvent.click(
      screen.getByRole('button', { name: 'Refresh GitOps secrets status' }),
    );
    expect(api.calls).toHaveLength(2);
  });

  it('shows a load error with the backend’s message', async () => {
    const denied = async () => {
      throw new Error('permission denied');
    };
    const api: GitopsSecretsApi = {
      getEntityStatus: denied,
      getEntitySummary: denied,
      getEntityObjects: denied,
      getClusters: async () => [],
      getClusterStatus: async () => {
        throw new Error('unused');
      },
      pickerClusters: denied,
      pickerStores: denied,
      pickerTemplates: denied,
    };
    await renderCard(clusterResource, api);
    expect(await screen.findByTestId('load-error')).toHaveTextContent(
      'permission denied',
    );
  });

  it('keeps many clusters small: unhealthy ones open, healthy ones behind a button', async () => {
    const clusters = [
      managementCluster('a-healthy'),
      managementCluster('b-healthy'),
      managementCluster('c-healthy'),
      failingSecretCluster('z-failing'),
    ];
    await renderCard(component, clusters);

    // Clusters needing attention come first.
    const names = screen
      .getAllByRole('region')
      .map(r => r.getAttribute('data-testid'));
    expect(names[0]).toBe('cluster-z-failing');

    const failing = clusterSection('z-failing');
    expect(
      within(failing).getByRole('button', {
        name: 'Hide details of cluster z-failing',
      }),
    ).toHaveAttribute('aria-expanded', 'true');

    const healthy = clusterSection('a-healthy');
    const toggle = within(healthy).getByRole('button', {
      name: 'Show details of cluster a-healthy',
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(
      within(healthy).queryByRole('list', { name: 'Chain on a-healthy' }),
    ).toBeNull();

    // Keyboard: focus the toggle and press Enter.
    toggle.focus();
    await userEvent.keyboard('{Enter}');
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(
      within(healthy).getByRole('list', { name: 'Chain on a-healthy' }),
    ).toBeInTheDocument();
  });
});
