import { fireEvent, screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { gitopsSecretsApiRef } from '../../../api';
import { MockGitopsSecretsApi } from '../../../testing/MockGitopsSecretsApi';
import { clusters, stores } from '../testData';
import { SecretStorePicker } from './SecretStorePicker';
import { validateSecretStore } from './validation';

function props(
  formData: Record<string, unknown>,
  over: Record<string, unknown> = {},
) {
  return {
    formData: undefined,
    onChange: jest.fn(),
    required: true,
    schema: { title: 'Secret store' },
    uiSchema: {},
    idSchema: { $id: 'root_storeRef' },
    rawErrors: [],
    formContext: { formData },
    ...over,
  } as any;
}

async function render(p: any) {
  const api = new MockGitopsSecretsApi({}, { clusters, stores });
  await renderInTestApp(
    <TestApiProvider apis={[[gitopsSecretsApiRef, api]]}>
      <SecretStorePicker {...p} />
    </TestApiProvider>,
  );
  return api;
}

async function openOptions() {
  fireEvent.mouseDown(
    await screen.findByRole('button', { name: /Secret store/ }),
  );
  return within(await screen.findByRole('listbox')).getAllByRole('option');
}

describe('SecretStorePicker', () => {
  it("lists the chosen cluster's ClusterSecretStores and the namespace's SecretStores, with kind, provider and Ready", async () => {
    const p = props({
      cluster: 'resource:default/management',
      namespace: 'payments',
    });
    const api = await render(p);
    const options = await openOptions();
    expect(options.map(o => o.textContent)).toEqual([
      'aws-secrets-managerClusterSecretStore · aws · Ready',
      'vaultClusterSecretStore · vault · Not ready (InvalidProviderConfig): unable to log in to Vault',
      'team-storeSecretStore in payments · gcpsm · Ready',
    ]);
    expect(api.pickerCalls).toContain('stores management namespace=payments');
    fireEvent.click(options[2]);
    expect(p.onChange).toHaveBeenCalledWith({
      kind: 'SecretStore',
      name: 'team-store',
    });
  });

  it('reads the cluster and namespace from the fields named in ui:options', async () => {
    const api = await render(
      props(
        { target: 'resource:default/management', ns: 'other' },
        {
          uiSchema: {
            'ui:options': { clusterField: 'target', namespaceField: 'ns' },
          },
        },
      ),
    );
    const options = await openOptions();
    expect(options).toHaveLength(2);
    expect(api.pickerCalls).toContain('stores management namespace=other');
  });

  it('offers a store that is not Ready, and warns once it is chosen', async () => {
    await render(
      props(
        { cluster: 'resource:default/management' },
        { formData: { kind: 'ClusterSecretStore', name: 'vault' } },
      ),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Warning: this store is not Ready, the ExternalSecret will not sync until it is.',
    );
    expect(
      screen.getByRole('button', { name: /Secret store/ }),
    ).toHaveTextContent('vault (ClusterSecretStore, not Ready)');
  });

  it('waits for a cluster, disabled, saying so', async () => {
    const api = await render(props({}));
    expect(screen.getByText('Choose the cluster first')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /Secret store/ }),
    ).toHaveAttribute('aria-disabled', 'true');
    expect(api.pickerCalls).toEqual([]);
  });

  it('says when the cluster cannot be read, rather than that it has no store', async () => {
    const api = new MockGitopsSecretsApi({}, { clusters, stores });
    api.pickerStores = async cluster => ({
      cluster,
      reachable: false,
      total: 0,
      offset: 0,
      limit: 500,
      items: [],
    });
    await renderInTestApp(
      <TestApiProvider apis={[[gitopsSecretsApiRef, api]]}>
        <SecretStorePicker
          {...props({ cluster: 'resource:default/management' })}
        />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        'management is not reachable: its stores are not known yet',
      ),
    ).toBeInTheDocument();
  });

  it('says when a cluster has no store', async () => {
    await render(
      props({ cluster: 'resource:default/staging', namespace: 'payments' }),
    );
    expect(
      await screen.findByText(
        'No ClusterSecretStore on staging, and no SecretStore in payments',
      ),
    ).toBeInTheDocument();
  });
});

describe('validateSecretStore', () => {
  const api = new MockGitopsSecretsApi({}, { clusters, stores });
  async function errors(
    value: any,
    formData: Record<string, unknown>,
    withApi = true,
  ) {
    const found: string[] = [];
    await validateSecretStore(
      value,
      { addError: (m: string) => found.push(m) } as any,
      {
        apiHolder: { get: () => (withApi ? api : undefined) },
        formData,
        schema: {},
        uiSchema: {},
      } as any,
    );
    return found;
  }
  const on = { cluster: 'resource:default/management', namespace: 'payments' };

  it.each([
    [
      'a Ready ClusterSecretStore',
      { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
      on,
      [],
    ],
    [
      'a store that is not Ready (the field warns)',
      { kind: 'ClusterSecretStore', name: 'vault' },
      on,
      [],
    ],
    [
      "a SecretStore of the ExternalSecret's namespace",
      { kind: 'SecretStore', name: 'team-store' },
      on,
      [],
    ],
    [
      'a SecretStore of another namespace',
      { kind: 'SecretStore', name: 'team-store' },
      { ...on, namespace: 'shop' },
      [
        'SecretStore/team-store is not on cluster management for namespace shop; there: ClusterSecretStore/aws-secrets-manager, ClusterSecretStore/vault',
      ],
    ],
    [
      'a SecretStore without a namespace',
      { kind: 'SecretStore', name: 'team-store' },
      { cluster: on.cluster },
      [
        expect.stringContaining(
          'set the namespace first or choose a ClusterSecretStore',
        ),
      ],
    ],
    [
      'an unknown kind',
      { kind: 'Store', name: 'x' },
      on,
      [
        'A store is { kind, name } with kind one of ClusterSecretStore, SecretStore',
      ],
    ],
    [
      'a name missing',
      { kind: 'ClusterSecretStore' },
      on,
      [expect.stringContaining('A store is { kind, name }')],
    ],
  ])('%s', async (_, value, formData, expected) => {
    expect(await errors(value, formData)).toEqual(expected);
  });

  it('checks only the form when the app has no gitops-secrets API', async () => {
    expect(
      await errors({ kind: 'ClusterSecretStore', name: 'nope' }, on, false),
    ).toEqual([]);
  });
});
