import { fireEvent, screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { gitopsSecretsApiRef } from '../../../api';
import { MockGitopsSecretsApi } from '../../../testing/MockGitopsSecretsApi';
import { clusters } from '../testData';
import { GitopsClusterPicker } from './GitopsClusterPicker';
import { validateGitopsCluster } from './validation';

function props(over: Record<string, unknown> = {}) {
  return {
    formData: undefined,
    onChange: jest.fn(),
    required: true,
    schema: { title: 'Cluster', description: 'Where the secret goes' },
    uiSchema: {},
    idSchema: { $id: 'root_cluster' },
    rawErrors: [],
    formContext: { formData: {} },
    ...over,
  } as any;
}

async function render(
  p: any,
  api = new MockGitopsSecretsApi({}, { clusters }),
) {
  await renderInTestApp(
    <TestApiProvider apis={[[gitopsSecretsApiRef, api]]}>
      <GitopsClusterPicker {...p} />
    </TestApiProvider>,
  );
  return api;
}

async function openOptions() {
  fireEvent.mouseDown(await screen.findByRole('button', { name: /Cluster/ }));
  return within(await screen.findByRole('listbox')).getAllByRole('option');
}

describe('GitopsClusterPicker', () => {
  it('offers each cluster with its live state; choosing one gives its entity ref', async () => {
    const p = props();
    await render(p);
    const options = await openOptions();
    expect(options.map(o => o.textContent)).toEqual([
      'managementHealthy · Flux: 12 objects · ESO: ready, 2 stores',
      'stagingDegraded · Flux: 12 objects · ESO: not installed',
      expect.stringMatching(/^orphanNot selectable: no catalog entity/),
    ]);
    fireEvent.click(options[0]);
    expect(p.onChange).toHaveBeenCalledWith('resource:default/management');
  });

  it('does not let a cluster without a catalog entity be chosen', async () => {
    await render(props());
    const options = await openOptions();
    expect(options[2]).toHaveAttribute('aria-disabled', 'true');
    expect(options[0]).not.toHaveAttribute('aria-disabled', 'true');
  });

  it.each([
    ['installed', ['management', 'orphan']],
    ['absent', ['staging']],
  ])(
    'with eso: %s asks the backend for those clusters only',
    async (eso, names) => {
      const api = await render(props({ uiSchema: { 'ui:options': { eso } } }));
      const options = await openOptions();
      expect(
        options.map(o => o.textContent?.split(/Healthy|Degraded|Not/)[0]),
      ).toEqual(names);
      expect(api.pickerCalls).toEqual([`clusters eso=${eso}`]);
    },
  );

  it('shows the chosen cluster and its state, labelled', async () => {
    await render(props({ formData: 'resource:default/management' }));
    expect(
      await screen.findByText(
        'Healthy · Flux: 12 objects · ESO: ready, 2 stores',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Cluster/ })).toHaveTextContent(
      'management',
    );
  });

  it('keeps a prefilled cluster that is not offered visible, and says why', async () => {
    await render(
      props({
        formData: 'resource:default/management',
        uiSchema: { 'ui:options': { eso: 'absent' } },
      }),
    );
    expect(
      await screen.findByText(
        'resource:default/management is not offered here (only clusters where ESO is absent)',
      ),
    ).toBeInTheDocument();
  });

  it('says when the clusters cannot be listed', async () => {
    const api = new MockGitopsSecretsApi({});
    api.pickerClusters = async () => {
      throw new Error('403 Forbidden');
    };
    await render(props(), api);
    expect(
      await screen.findByText('Could not list the clusters: 403 Forbidden'),
    ).toBeInTheDocument();
  });
});

describe('validateGitopsCluster', () => {
  const api = new MockGitopsSecretsApi({}, { clusters });
  const apiHolder = { get: () => api } as any;

  async function errors(value: any, eso?: string, holder = apiHolder) {
    const found: string[] = [];
    await validateGitopsCluster(
      value,
      { addError: (m: string) => found.push(m) } as any,
      {
        apiHolder: holder,
        formData: {},
        schema: {},
        uiSchema: eso ? { 'ui:options': { eso } } : {},
      } as any,
    );
    return found;
  }

  it.each([
    ['an offered cluster', 'resource:default/management', undefined, []],
    ['a ref in another case', 'Resource:default/Management', undefined, []],
    ['empty (required is the schema’s job)', undefined, undefined, []],
    [
      'a cluster outside the eso filter',
      'resource:default/management',
      'absent',
      [
        'resource:default/management is not a cluster the gitops-secrets backend offers with ESO absent; choose one of: resource:default/staging',
      ],
    ],
    [
      'an entity that is no watched cluster',
      'resource:default/elsewhere',
      undefined,
      [
        expect.stringContaining(
          'choose one of: resource:default/management, resource:default/staging',
        ),
      ],
    ],
    [
      'not an entity ref',
      ':/',
      undefined,
      [expect.stringContaining('is not a catalog entity ref')],
    ],
  ])('%s', async (_, value, eso, expected) => {
    expect(await errors(value, eso)).toEqual(expected);
  });

  it('checks only the form of the value when the app has no gitops-secrets API', async () => {
    expect(
      await errors('resource:default/elsewhere', undefined, {
        get: () => undefined,
      } as any),
    ).toEqual([]);
  });
});
