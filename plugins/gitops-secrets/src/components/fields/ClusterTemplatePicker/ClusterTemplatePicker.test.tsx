import { fireEvent, screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { gitopsSecretsApiRef } from '../../../api';
import { MockGitopsSecretsApi } from '../../../testing/MockGitopsSecretsApi';
import { clusters, templates } from '../testData';
import { ClusterTemplatePicker } from './ClusterTemplatePicker';
import { validateClusterTemplate } from './validation';

const mgmt = { managementCluster: 'resource:default/management' };

function props(
  formData: Record<string, unknown>,
  over: Record<string, unknown> = {},
) {
  return {
    formData: undefined,
    onChange: jest.fn(),
    required: true,
    schema: { title: 'Template' },
    uiSchema: {},
    idSchema: { $id: 'root_template' },
    rawErrors: [],
    formContext: { formData },
    ...over,
  } as any;
}

function api(
  source: 'cluster' | 'repository' | 'none' = 'cluster',
  message?: string,
) {
  return new MockGitopsSecretsApi(
    {},
    {
      clusters,
      templates: {
        management: {
          items: source === 'none' ? [] : templates,
          source,
          message,
        },
      },
    },
  );
}

async function render(p: any, a = api()) {
  await renderInTestApp(
    <TestApiProvider apis={[[gitopsSecretsApiRef, a]]}>
      <ClusterTemplatePicker {...p} />
    </TestApiProvider>,
  );
  return a;
}

describe('ClusterTemplatePicker', () => {
  it("lists the management cluster's templates; choosing one starts from its declared defaults", async () => {
    const p = props(mgmt);
    const a = await render(p);
    fireEvent.mouseDown(
      await screen.findByRole('button', { name: /Template/ }),
    );
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual([
      'leaf-clusterCAPITemplate · on the cluster · 3 parameters · A CAPD leaf cluster',
      'eksGitOpsTemplate · in the repository (clusters/management/capi/templates/eks.yaml) · 1 parameter',
    ]);
    expect(a.pickerCalls).toContain('templates management');
    fireEvent.click(options[0]);
    expect(p.onChange).toHaveBeenCalledWith({
      name: 'leaf-cluster',
      kind: 'CAPITemplate',
      parameters: { NAMESPACE: 'default', CONTROL_PLANE_MACHINE_COUNT: '1' },
    });
  });

  it("renders the chosen template's params: required marked, options as a choice, description as help, value shown", async () => {
    const p = props(mgmt, {
      formData: {
        name: 'leaf-cluster',
        kind: 'CAPITemplate',
        parameters: { NAMESPACE: 'default', CONTROL_PLANE_MACHINE_COUNT: '1' },
      },
    });
    await render(p);
    const group = await screen.findByRole('group', {
      name: 'Parameters of leaf-cluster',
    });
    const name = within(group).getByRole('textbox', { name: /CLUSTER_NAME/ });
    expect(name).toBeRequired();
    expect(name).toHaveAccessibleDescription('Name of the cluster');
    expect(
      within(group).getByRole('textbox', { name: 'NAMESPACE' }),
    ).toHaveValue('default');
    expect(
      within(group).getByRole('textbox', { name: 'NAMESPACE' }),
    ).not.toBeRequired();
    const count = within(group).getByRole('button', {
      name: /CONTROL_PLANE_MACHINE_COUNT/,
    });
    expect(count).toHaveTextContent('1');
    fireEvent.mouseDown(count);
    const choices = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(choices.map(o => o.textContent)).toEqual(['1', '3', '5']);
    fireEvent.click(choices[1]);
    expect(p.onChange).toHaveBeenLastCalledWith({
      name: 'leaf-cluster',
      kind: 'CAPITemplate',
      parameters: { NAMESPACE: 'default', CONTROL_PLANE_MACHINE_COUNT: '3' },
    });
    fireEvent.change(name, { target: { value: 'dev-1' } });
    expect(p.onChange).toHaveBeenLastCalledWith({
      name: 'leaf-cluster',
      kind: 'CAPITemplate',
      parameters: {
        NAMESPACE: 'default',
        CONTROL_PLANE_MACHINE_COUNT: '1',
        CLUSTER_NAME: 'dev-1',
      },
    });
  });

  it('waits for the management cluster', async () => {
    const a = await render(props({}));
    expect(
      screen.getByText('Choose the management cluster first'),
    ).toBeInTheDocument();
    expect(a.pickerCalls).toEqual([]);
  });

  it("says why there is no template (the backend's message)", async () => {
    await render(
      props(mgmt),
      api('none', 'management is not reachable and its folder has no template'),
    );
    expect(
      await screen.findByText(
        'management is not reachable and its folder has no template',
      ),
    ).toBeInTheDocument();
  });
});

describe('validateClusterTemplate', () => {
  async function errors(value: any, formData: Record<string, unknown> = mgmt) {
    const found: string[] = [];
    await validateClusterTemplate(
      value,
      { addError: (m: string) => found.push(m) } as any,
      {
        apiHolder: { get: () => api() },
        formData,
        schema: {},
        uiSchema: {},
      } as any,
    );
    return found;
  }
  const leaf = (parameters: Record<string, unknown>) => ({
    name: 'leaf-cluster',
    kind: 'CAPITemplate',
    parameters,
  });

  it.each([
    [
      'all required given',
      leaf({ CLUSTER_NAME: 'dev-1', CONTROL_PLANE_MACHINE_COUNT: '3' }),
      [],
    ],
    [
      'a required param missing',
      leaf({ CONTROL_PLANE_MACHINE_COUNT: '1' }),
      ['CLUSTER_NAME is required by template leaf-cluster'],
    ],
    [
      'a value outside the options',
      leaf({ CLUSTER_NAME: 'dev-1', CONTROL_PLANE_MACHINE_COUNT: '2' }),
      ['CONTROL_PLANE_MACHINE_COUNT: "2" is not one of 1, 3, 5'],
    ],
    [
      'an undeclared param',
      leaf({
        CLUSTER_NAME: 'dev-1',
        CONTROL_PLANE_MACHINE_COUNT: '1',
        REGION: 'eu',
      }),
      [
        'REGION is not a parameter of template leaf-cluster (it declares CLUSTER_NAME, NAMESPACE, CONTROL_PLANE_MACHINE_COUNT)',
      ],
    ],
    [
      'a cluster name that is no Kubernetes name',
      leaf({ CLUSTER_NAME: 'Dev_1', CONTROL_PLANE_MACHINE_COUNT: '1' }),
      [
        expect.stringMatching(
          /^CLUSTER_NAME \(.*\): "Dev_1" must be a DNS-1123 label/,
        ),
      ],
    ],
    [
      'a template the cluster does not have',
      { name: 'gke', kind: 'CAPITemplate', parameters: {} },
      [
        'CAPITemplate/gke is not a template of management; there: CAPITemplate/leaf-cluster, GitOpsTemplate/eks',
      ],
    ],
    [
      'not a template value',
      { name: 'x', kind: 'Template' },
      [expect.stringContaining('A template is { name, kind')],
    ],
  ])('%s', async (_, value, expected) => {
    expect(await errors(value)).toEqual(expected);
  });
});
