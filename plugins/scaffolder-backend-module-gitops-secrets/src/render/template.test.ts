import { validateObject } from '@golden-gitops/crd-schemas';
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { buildLeafClusterTemplate } from '../manifests/cluster/leafTemplate';
import { loadTemplate, ParamValidationError, TemplateError } from './template';
import { validateRendered } from './validateRendered';

const seedText = fs.readFileSync(
  path.join(__dirname, '__testdata__', 'seed-capi-template.yaml'),
  'utf8',
);
const seedParams = {
  CLUSTER_NAME: 'dev',
  NAMESPACE: 'default',
  KUBERNETES_VERSION: '1.23.3',
  CONTROL_PLANE_MACHINE_COUNT: '3',
  WORKER_MACHINE_COUNT: '2',
};

const objectsOf = (r: ReturnType<ReturnType<typeof loadTemplate>['render']>) =>
  r.files.flatMap(f => f.objects.map(o => o.object));

function expectAllValid(objects: Array<Record<string, any>>) {
  for (const o of objects) {
    const res = validateObject(o);
    expect({ id: `${o.kind}/${o.metadata?.name}`, errors: res.errors }).toEqual(
      {
        id: `${o.kind}/${o.metadata?.name}`,
        errors: [],
      },
    );
  }
}

describe('the seed guide’s CAPITemplate (compatibility with WGE users’ templates)', () => {
  const t = loadTemplate(seedText, 'seed-capi-template.yaml');

  it('declares the params WGE shows', () => {
    expect(t.params.map(p => p.name)).toEqual(Object.keys(seedParams));
  });

  it('renders with its params into objects that validate against CAPI v1beta1, CAPD and WGE CRDs', () => {
    const r = t.render(t.resolveParams(seedParams), { namespace: 'default' });
    const objects = objectsOf(r);
    expect(objects.map(o => `${o.apiVersion} ${o.kind}`)).toEqual([
      'gitops.weave.works/v1alpha1 GitopsCluster',
      'cluster.x-k8s.io/v1beta1 Cluster',
      'infrastructure.cluster.x-k8s.io/v1beta1 DockerCluster',
      'infrastructure.cluster.x-k8s.io/v1beta1 DockerMachineTemplate',
      'controlplane.cluster.x-k8s.io/v1beta1 KubeadmControlPlane',
      'infrastructure.cluster.x-k8s.io/v1beta1 DockerMachineTemplate',
      'bootstrap.cluster.x-k8s.io/v1beta1 KubeadmConfigTemplate',
      'cluster.x-k8s.io/v1beta1 MachineDeployment',
    ]);
    expectAllValid(objects);
    expect(validateRendered(r)).toEqual({
      paramProblems: [],
      templateProblems: [],
      unchecked: [],
    });
  });

  it('turns the quoted replicas into integers and drops matchLabels: null, with warnings', () => {
    const r = t.render(t.resolveParams(seedParams), { namespace: 'default' });
    const [kcp] = objectsOf(r).filter(o => o.kind === 'KubeadmControlPlane');
    const [md] = objectsOf(r).filter(o => o.kind === 'MachineDeployment');
    expect(kcp.spec.replicas).toBe(3);
    expect(md.spec.replicas).toBe(2);
    expect(md.spec.selector).toEqual({});
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /KubeadmControlPlane\/dev-control-plane: spec.replicas rendered as the string "3"; converted to number 3/,
      ),
      expect.stringMatching(
        /MachineDeployment\/dev-md-0: spec.replicas rendered as the string "2"/,
      ),
      expect.stringMatching(
        /MachineDeployment\/dev-md-0: dropped spec.selector.matchLabels: null/,
      ),
    ]);
    // Versions without a leading "v" are what the seed offers; they stay strings.
    expect(kcp.spec.version).toBe('1.23.3');
  });

  it('puts objects without a namespace into the cluster namespace, as WGE’s InNamespace does', () => {
    const r = t.render(t.resolveParams({ ...seedParams, NAMESPACE: '' }), {
      namespace: 'team-a',
    });
    expect(new Set(objectsOf(r).map(o => o.metadata.namespace))).toEqual(
      new Set(['team-a']),
    );
  });

  it('rejects a worker count that is not a whole number, naming the param and the field', () => {
    expect(() =>
      t.resolveParams({ ...seedParams, WORKER_MACHINE_COUNT: 'two' }),
    ).toThrow(
      /WORKER_MACHINE_COUNT: must be a whole number: it sets spec.replicas of MachineDeployment, got "two"/,
    );
  });
});

describe('the leaf-cluster template this project writes', () => {
  const cases = [
    { kind: 'CAPITemplate', capiVersion: 'v1beta2', infrastructure: 'dev' },
    {
      kind: 'GitOpsTemplate',
      capiVersion: 'v1beta2',
      infrastructure: 'docker',
    },
    { kind: 'CAPITemplate', capiVersion: 'v1beta1', infrastructure: 'dev' },
    {
      kind: 'GitOpsTemplate',
      capiVersion: 'v1beta1',
      infrastructure: 'docker',
    },
  ] as const;

  it.each(cases)(
    '$kind with Cluster API $capiVersion and CAPD $infrastructure: the template and every rendered object validate, integers without warnings',
    ({ kind, capiVersion, infrastructure }) => {
      const template = buildLeafClusterTemplate({
        name: 'leaf',
        namespace: 'default',
        kind,
        capiVersion,
        infrastructure,
      });
      expect(validateObject(template).errors).toEqual([]);
      const t = loadTemplate(stringify(template), 'leaf.yaml');
      const r = t.render(
        t.resolveParams({
          CLUSTER_NAME: 'leaf-1',
          CONTROL_PLANE_MACHINE_COUNT: 3,
          WORKER_MACHINE_COUNT: '0',
        }),
        { namespace: 'default' },
      );
      expect(r.warnings).toEqual([]);
      const objects = objectsOf(r);
      expectAllValid(objects);
      for (const o of objects)
        expect(
          o.apiVersion.endsWith(`/${capiVersion}`) ||
            o.kind === 'GitopsCluster',
        ).toBe(true);
      const kcp = objects.find(o => o.kind === 'KubeadmControlPlane')!;
      expect(kcp.spec.replicas).toBe(3);
      expect(kcp.spec.version).toBe('v1.35.0');
      expect(
        objects.find(o => o.kind === 'MachineDeployment')!.spec.replicas,
      ).toBe(0);
      expect(objects.map(o => o.metadata.namespace)).toEqual(
        objects.map(() => 'default'),
      );
    },
  );

  it('describes each param correctly, with required flags and defaults', () => {
    const t = buildLeafClusterTemplate({ name: 'leaf', namespace: 'default' });
    const byName = Object.fromEntries(t.spec.params!.map(p => [p.name, p]));
    expect(byName.CLUSTER_NAME).toMatchObject({ required: true });
    expect(byName.CLUSTER_NAME.default).toBeUndefined();
    expect(byName.NAMESPACE).toMatchObject({
      required: false,
      default: 'default',
    });
    expect(byName.KUBERNETES_VERSION.options).toContain(
      byName.KUBERNETES_VERSION.default,
    );
    expect(byName.CONTROL_PLANE_MACHINE_COUNT).toMatchObject({
      options: ['1', '3', '5'],
      default: '1',
    });
    expect(byName.CONTROL_PLANE_MACHINE_COUNT.description).toMatch(
      /control-plane/,
    );
    // The seed described the workers as "Number of control planes".
    expect(byName.WORKER_MACHINE_COUNT.description).toMatch(/worker/i);
    expect(byName.WORKER_MACHINE_COUNT.description).not.toMatch(/control/i);
  });
});

describe('parameter validation', () => {
  const t = loadTemplate(
    stringify(buildLeafClusterTemplate({ name: 'leaf', namespace: 'default' })),
    'leaf.yaml',
  );
  const ok = { CLUSTER_NAME: 'leaf-1' };
  const problemsOf = (given: Record<string, unknown>) => {
    try {
      t.resolveParams(given);
    } catch (e) {
      if (e instanceof ParamValidationError) return e.problems;
      throw e;
    }
    return [];
  };

  it('applies declared defaults to missing and empty values', () => {
    expect(t.resolveParams({ ...ok, NAMESPACE: '' })).toEqual({
      CLUSTER_NAME: 'leaf-1',
      NAMESPACE: 'default',
      KUBERNETES_VERSION: 'v1.35.0',
      CONTROL_PLANE_MACHINE_COUNT: '1',
      WORKER_MACHINE_COUNT: '1',
    });
  });

  it.each([
    [{}, 'CLUSTER_NAME', /is required/],
    [
      { ...ok, KUBERNETES_VERSION: 'v1.18.0' },
      'KUBERNETES_VERSION',
      /not one of the allowed values: v1.35.0/,
    ],
    [
      { ...ok, CONTROL_PLANE_MACHINE_COUNT: '2' },
      'CONTROL_PLANE_MACHINE_COUNT',
      /not one of the allowed values: 1, 3, 5/,
    ],
    [
      { ...ok, WORKER_MACHINE_COUNT: '1.5' },
      'WORKER_MACHINE_COUNT',
      /must be a whole number/,
    ],
    [
      { ...ok, WORKER_MACHINE_COUNT: 'many' },
      'WORKER_MACHINE_COUNT',
      /must be a whole number/,
    ],
    [{ ...ok, CLUSTER_NAME: 'a\nkind: Secret' }, 'CLUSTER_NAME', /single line/],
    [{ ...ok, CLUSTER_NAME: ['a'] }, 'CLUSTER_NAME', /must be a string/],
    [
      { ...ok, CLUSTR_NAME: 'typo' },
      'CLUSTR_NAME',
      /not a parameter of template leaf/,
    ],
    [{ ...ok, NAMESPACE: 'x'.repeat(2000) }, 'NAMESPACE', /at most 1024/],
  ])('%j → %s', (given, param, message) => {
    const problems = problemsOf(given);
    expect(problems).toEqual([
      { param, message: expect.stringMatching(message) },
    ]);
  });

  it('traces schema errors in rendered objects back to the param', () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ CLUSTER_NAME: 'Leaf_1' }, 'CLUSTER_NAME', /metadata.name/],
      [{ ...ok, NAMESPACE: 'a: b' }, 'NAMESPACE', /metadata.namespace/],
      [
        { ...ok, WORKER_MACHINE_COUNT: '-1' },
        'WORKER_MACHINE_COUNT',
        /spec.replicas: must be 0 or more/,
      ],
      [
        { ...ok, WORKER_MACHINE_COUNT: '99999999999' },
        'WORKER_MACHINE_COUNT',
        /spec.replicas/,
      ],
      [{ CLUSTER_NAME: 'x'.repeat(64) }, 'CLUSTER_NAME', /63|must/],
    ];
    for (const [given, param, message] of cases) {
      const r = t.render(t.resolveParams(given), { namespace: 'default' });
      const v = validateRendered(r);
      expect(v.templateProblems).toEqual([]);
      expect(v.paramProblems.length).toBeGreaterThan(0);
      expect(new Set(v.paramProblems.map(p => p.param))).toEqual(
        new Set([param]),
      );
      expect(v.paramProblems.map(p => p.message).join('\n')).toMatch(message);
    }
  });
});

describe('YAML injection through parameter values', () => {
  const template = {
    apiVersion: 'templates.weave.works/v1alpha2',
    kind: 'GitOpsTemplate',
    metadata: { name: 'notes', namespace: 'default' },
    spec: {
      params: [{ name: 'NOTE' }, { name: 'NAME', required: true }],
      resourcetemplates: [
        {
          content: [
            {
              apiVersion: 'gitops.weave.works/v1alpha1',
              kind: 'GitopsCluster',
              metadata: {
                name: '${NAME}',
                annotations: { note: '${NOTE}', other: 'fixed' },
              },
              spec: { secretRef: { name: '${NAME}-kubeconfig' } },
            },
          ],
        },
      ],
    },
  };
  const t = loadTemplate(stringify(template), 'notes.yaml');

  it.each(
    [
      '{evil: true}',
      'x", "evil": "y',
      "x'\n", // rejected below, shown here for completeness
      'a: b',
      '- item',
      '&anchor *alias',
      '!!binary aGVsbG8=',
      '${NAME}',
      '--- ',
    ].filter(v => !v.includes('\n')),
  )('%j stays one string value in one field', note => {
    const r = t.render(t.resolveParams({ NAME: 'c1', NOTE: note }), {
      namespace: 'default',
    });
    const [o] = objectsOf(r);
    expect(o.metadata.annotations).toEqual({ note, other: 'fixed' });
    // What is written is what was rendered: serialising and parsing again changes nothing.
    expect(parse(stringify(o))).toEqual(o);
    expect(Object.keys(o)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(validateObject(o).errors).toEqual([]);
  });

  it('rejects line breaks, which text substitution would have turned into new keys', () => {
    expect(() =>
      t.resolveParams({ NAME: 'c1', NOTE: 'x\nkind: Secret' }),
    ).toThrow(/NOTE: must be a single line/);
  });
});

describe('template shapes and render types', () => {
  it('renders v1alpha2 paths and raw resource templates, and discovers undeclared params', () => {
    const text = stringify({
      apiVersion: 'templates.weave.works/v1alpha2',
      kind: 'GitOpsTemplate',
      metadata: { name: 'paths', namespace: 'default' },
      spec: {
        params: [{ name: 'NAME', required: true }],
        resourcetemplates: [
          {
            path: 'clusters/${NAMESPACE:=default}/${NAME}/extra.yaml',
            raw: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${NAME}-cfg # comment\ndata:\n  size: "${SIZE:=3}"\n',
          },
        ],
      },
    });
    const t = loadTemplate(text, 'paths.yaml');
    expect(t.params.map(p => p.name)).toEqual(['NAME', 'NAMESPACE', 'SIZE']);
    const r = t.render(t.resolveParams({ NAME: 'n1' }), {
      namespace: 'default',
    });
    expect(r.files[0].path).toBe('clusters/default/n1/extra.yaml');
    expect(r.files[0].objects[0].object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'n1-cfg', namespace: 'default' },
      data: { size: '3' },
    });
  });

  it('renders the templating type with custom delimiters', () => {
    const text = stringify({
      apiVersion: 'capi.weave.works/v1alpha2',
      kind: 'CAPITemplate',
      metadata: {
        name: 'go',
        namespace: 'default',
        annotations: { 'templates.weave.works/delimiters': '((,))' },
      },
      spec: {
        renderType: 'templating',
        params: [
          { name: 'CLUSTER_NAME', required: true },
          { name: 'REPLICAS', default: '3' },
        ],
        resourcetemplates: [
          {
            content: [
              {
                apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
                kind: 'KubeadmControlPlane',
                metadata: { name: '(( .params.CLUSTER_NAME ))-cp' },
                spec: {
                  replicas: '(( .params.REPLICAS ))',
                  version: '(( .params.VERSION | default "v1.35.0" ))',
                  machineTemplate: {
                    spec: {
                      infrastructureRef: {
                        apiGroup: 'infrastructure.cluster.x-k8s.io',
                        kind: 'DevMachineTemplate',
                        name: '(( .params.CLUSTER_NAME | lower ))-cp',
                      },
                    },
                  },
                },
              },
            ],
          },
        ],
      },
    });
    const t = loadTemplate(text, 'go.yaml');
    expect(t.params.map(p => p.name)).toEqual([
      'CLUSTER_NAME',
      'REPLICAS',
      'VERSION',
    ]);
    expect(() =>
      t.resolveParams({ CLUSTER_NAME: 'x', REPLICAS: 'three' }),
    ).toThrow(/REPLICAS: must be a whole number/);
    const r = t.render(t.resolveParams({ CLUSTER_NAME: 'go1' }), {
      namespace: 'default',
    });
    const [o] = objectsOf(r);
    expect(o.spec.replicas).toBe(3);
    expect(o.spec.version).toBe('v1.35.0');
    expect(r.warnings).toEqual([]);
    expectAllValid([o]);
  });

  it('converts booleans the schema asks for', () => {
    const t = loadTemplate(
      stringify({
        apiVersion: 'templates.weave.works/v1alpha2',
        kind: 'GitOpsTemplate',
        metadata: { name: 'b', namespace: 'default' },
        spec: {
          params: [{ name: 'PAUSED', options: ['true', 'false'] }],
          resourcetemplates: [
            {
              content: [
                {
                  apiVersion: 'cluster.x-k8s.io/v1beta2',
                  kind: 'Cluster',
                  metadata: { name: 'c' },
                  spec: { paused: '${PAUSED}' },
                },
              ],
            },
          ],
        },
      }),
      'b.yaml',
    );
    const [o] = objectsOf(t.render(t.resolveParams({ PAUSED: 'true' })));
    expect(o.spec.paused).toBe(true);
  });

  it.each([
    [
      'not YAML',
      'apiVersion: capi.weave.works/v1alpha2\nkind: CAPITemplate\nmetadata: {name: x\n',
      /not valid YAML/,
    ],
    [
      'a bad substitution',
      stringify({
        apiVersion: 'capi.weave.works/v1alpha2',
        kind: 'CAPITemplate',
        metadata: { name: 'x' },
        spec: {
          resourcetemplates: [
            {
              content: [
                {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: { name: '${NAME' },
                },
              ],
            },
          ],
        },
      }),
      /syntax error in resourcetemplates\[0\] ConfigMap\/\$\{NAME at metadata.name: bad substitution/,
    ],
    [
      'an unknown render type',
      stringify({
        apiVersion: 'capi.weave.works/v1alpha2',
        kind: 'CAPITemplate',
        metadata: { name: 'x' },
        spec: { renderType: 'jinja' },
      }),
      /renderType "jinja" is not supported/,
    ],
    [
      'a control structure',
      stringify({
        apiVersion: 'capi.weave.works/v1alpha2',
        kind: 'CAPITemplate',
        metadata: { name: 'x' },
        spec: {
          renderType: 'templating',
          resourcetemplates: [
            {
              content: [
                {
                  kind: 'A',
                  metadata: { name: '{{ if .params.X }}a{{ end }}' },
                },
              ],
            },
          ],
        },
      }),
      /"if" is not supported/,
    ],
    [
      'an unsupported version',
      stringify({
        apiVersion: 'capi.weave.works/v1beta1',
        kind: 'CAPITemplate',
        metadata: { name: 'x' },
      }),
      /not supported/,
    ],
  ])('reports %s as a TemplateError', (_what, text, message) => {
    expect(() => loadTemplate(text, 't.yaml')).toThrow(TemplateError);
    expect(() => loadTemplate(text, 't.yaml')).toThrow(message);
  });

  it('names the templates it found when the wanted one is missing', () => {
    expect(() => loadTemplate(seedText, 'seed.yaml', 'other')).toThrow(
      /no CAPITemplate or GitOpsTemplate named other \(found: cluster-template-development\)/,
    );
  });
});
