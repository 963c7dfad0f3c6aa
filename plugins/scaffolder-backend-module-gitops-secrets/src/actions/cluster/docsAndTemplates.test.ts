import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { addTemplateInputSchema, createLeafInputSchema } from './inputs';
import { buildLeafClusterTemplate } from '../../manifests/cluster';

const root = path.resolve(__dirname, '..', '..', '..', '..', '..');
const doc = fs.readFileSync(
  path.resolve(__dirname, '..', '..', '..', 'docs', 'cluster-actions.md'),
  'utf8',
);
const template = (name: string) =>
  parse(
    fs.readFileSync(
      path.join(root, 'templates', name, 'template.yaml'),
      'utf8',
    ),
  );

// Form defaults, and sample values for what has none, keyed by parameter name.
function formValues(t: any, samples: Record<string, unknown>) {
  const values: Record<string, unknown> = {};
  for (const page of t.spec.parameters)
    for (const [k, p] of Object.entries<any>(page.properties ?? {}))
      if (p.default !== undefined) values[k] = p.default;
  return { ...values, ...samples };
}

// Resolves `${{ parameters.x }}` and `${{ parameters.x.y }}` (whole value); other expressions come from `exprs`.
function resolve(
  value: unknown,
  params: Record<string, unknown>,
  exprs: Record<string, unknown>,
): unknown {
  if (typeof value === 'string') {
    const m = /^\$\{\{\s*parameters\.([\w.]+)\s*\}\}$/.exec(value);
    if (m)
      return m[1]
        .split('.')
        .reduce<any>((v, key) => (v === undefined ? v : v[key]), params);
    if (value.includes('${{')) {
      if (!(value in exprs))
        throw new Error(`no sample for expression ${value}`);
      return exprs[value];
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(v => resolve(v, params, exprs));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, resolve(v, params, exprs)])
        .filter(([, v]) => v !== undefined),
    );
  return value;
}

describe('docs/cluster-actions.md', () => {
  it.each([
    ['gitops:cluster:add-template', addTemplateInputSchema],
    ['gitops:cluster:create-leaf', createLeafInputSchema],
  ] as const)('documents every input of %s', (id, schema) => {
    expect(doc).toContain(`\`${id}\``);
    for (const key of Object.keys(schema.shape))
      expect({ key, documented: doc.includes(key) }).toEqual({
        key,
        documented: true,
      });
  });
});

describe('Backstage templates', () => {
  const mgmtExpr =
    "${{ parameters.managementClusterPath or steps['fetch-management'].output.entity.metadata.annotations['gitops-secrets.io/cluster-path'] }}";

  it('capi-leaf-template passes inputs the action accepts', () => {
    const t = template('capi-leaf-template');
    const step = t.spec.steps.find(
      (s: any) => s.action === 'gitops:cluster:add-template',
    );
    const input = resolve(
      step.input,
      formValues(t, {
        repoUrl: 'localhost:7010?owner=acme&repo=gitops',
        managementCluster: 'resource:default/management',
      }),
      { [mgmtExpr]: 'clusters/management' },
    );
    expect(addTemplateInputSchema.safeParse(input)).toMatchObject({
      success: true,
    });
    expect(t.spec.steps[0]).toMatchObject({ action: 'catalog:fetch' });
    expect(t.spec.parameters[0].properties.managementCluster['ui:field']).toBe(
      'GitopsClusterPicker',
    );
  });

  it('leaf-cluster passes the template chosen in the ClusterTemplatePicker, and inputs the action accepts', () => {
    const t = template('leaf-cluster');
    const step = t.spec.steps.find(
      (s: any) => s.action === 'gitops:cluster:create-leaf',
    );
    const declared = buildLeafClusterTemplate({
      name: 'leaf-cluster',
      namespace: 'default',
    }).spec.params!;
    // What the picker gives for the leaf-cluster template: its declared defaults, and the required CLUSTER_NAME.
    const picked = {
      name: 'leaf-cluster',
      kind: 'CAPITemplate',
      parameters: {
        ...Object.fromEntries(
          declared
            .filter(p => p.default !== undefined)
            .map(p => [p.name, String(p.default)]),
        ),
        CLUSTER_NAME: 'dev-1',
      },
    };
    const fields = t.spec.parameters[0].properties;
    expect(fields.managementCluster['ui:field']).toBe('GitopsClusterPicker');
    expect(fields.template['ui:field']).toBe('ClusterTemplatePicker');
    expect(fields.template['ui:options']).toEqual({
      clusterField: 'managementCluster',
    });
    const input: any = resolve(
      step.input,
      formValues(t, {
        repoUrl: 'localhost:7010?owner=acme&repo=gitops',
        managementCluster: 'resource:default/management',
        template: picked,
      }),
      { [mgmtExpr]: 'clusters/management' },
    );
    expect(createLeafInputSchema.safeParse(input)).toMatchObject({
      success: true,
    });
    expect(input.templateName).toBe('leaf-cluster');
    expect(input.parameters).toEqual(picked.parameters);
    const versions = declared.find(p => p.name === 'KUBERNETES_VERSION')!;
    expect(versions.options).toContain(input.parameters.KUBERNETES_VERSION);
    // The catalog link is empty, and so hidden, unless the lookup found the cluster.
    const link = t.spec.output.links.find(
      (l: any) => l.title === 'Cluster in the catalog',
    );
    expect(link.entityRef).toMatch(
      /if steps\['find-cluster-entity'\]\.output\.entity else ''/,
    );
    expect(
      t.spec.steps.find((s: any) => s.id === 'find-cluster-entity').input
        .optional,
    ).toBe(true);
  });

  it('are listed in templates/all.yaml', () => {
    const all = parse(
      fs.readFileSync(path.join(root, 'templates', 'all.yaml'), 'utf8'),
    );
    expect(all.spec.targets).toEqual(
      expect.arrayContaining([
        './capi-leaf-template/template.yaml',
        './leaf-cluster/template.yaml',
      ]),
    );
  });
});
