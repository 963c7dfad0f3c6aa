import { stringify } from 'yaml';
import { loadTemplate } from './template';
import { validateRendered } from './validateRendered';

const template = (content: unknown[]) =>
  loadTemplate(
    stringify({
      apiVersion: 'templates.weave.works/v1alpha2',
      kind: 'GitOpsTemplate',
      metadata: { name: 't', namespace: 'default' },
      spec: {
        params: [{ name: 'NAME', required: true }],
        resourcetemplates: [{ content }],
      },
    }),
    't.yaml',
  );

describe('validateRendered', () => {
  it('writes kinds without a known schema unvalidated, and says so', () => {
    const t = template([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: '${NAME}' },
        spec: { ports: [{ port: 80 }] },
      },
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: '${NAME}' },
        spec: { size: 'XL' },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: '${NAME}' },
        data: { a: 'b' },
      },
    ]);
    const r = t.render(t.resolveParams({ NAME: 'w' }), {
      namespace: 'default',
    });
    expect(validateRendered(r)).toEqual({
      paramProblems: [],
      templateProblems: [],
      unchecked: ['v1 Service/w', 'example.com/v1 Widget/w'],
    });
  });

  it('blames the template, not a param, for an invalid fixed field', () => {
    const t = template([
      {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'MachineDeployment',
        metadata: { name: '${NAME}' },
        spec: {
          clusterName: '${NAME}',
          replicas: 2,
          selector: {},
          template: { spec: {} },
          unknownField: 1,
        },
      },
    ]);
    const v = validateRendered(
      t.render(t.resolveParams({ NAME: 'md' }), { namespace: 'default' }),
    );
    expect(v.paramProblems).toEqual([]);
    expect(v.templateProblems.join('\n')).toMatch(
      /MachineDeployment\/md: spec.unknownField/,
    );
  });

  it('applies Cluster API’s replica rules (odd control planes with stacked etcd)', () => {
    const t = template([
      {
        apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
        kind: 'KubeadmControlPlane',
        metadata: { name: 'cp' },
        spec: {
          replicas: '${NAME}',
          version: 'v1.35.0',
          machineTemplate: {
            spec: {
              infrastructureRef: {
                apiGroup: 'infrastructure.cluster.x-k8s.io',
                kind: 'DevMachineTemplate',
                name: 'x',
              },
            },
          },
        },
      },
    ]);
    const check = (n: string) =>
      validateRendered(t.render(t.resolveParams({ NAME: n }))).paramProblems;
    expect(check('3')).toEqual([]);
    expect(check('2')).toEqual([
      {
        param: 'NAME',
        message: expect.stringMatching(/must be odd with stacked etcd/),
      },
    ]);
    expect(check('0')).toEqual([
      { param: 'NAME', message: expect.stringMatching(/at least 1/) },
    ]);
  });
});
