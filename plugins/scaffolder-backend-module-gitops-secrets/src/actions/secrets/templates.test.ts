/*
 * The two templates in templates/ run end to end: form data (as the
 * gitops-secrets card prefills it, plus the schema defaults) is validated
 * against the template's parameters, each step input is rendered with the
 * scaffolder's own template renderer (nunjitsu), and the action runs against
 * the GitHub simulator.
 */
import Ajv from 'ajv';
import { createTemplateRenderer } from 'nunjitsu';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import {
  Harness,
  mockContext,
  startHarness,
} from '../../github/__testUtils__/harness';
import { createSecretsActions } from '.';
import { bootstrappedFiles, clusterFiles } from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../../../..');
const loadTemplate = (name: string) =>
  yaml.parse(
    readFileSync(path.join(ROOT, 'templates', name, 'template.yaml'), 'utf8'),
  );
const entities = yaml
  .parseAllDocuments(
    readFileSync(path.join(ROOT, 'examples/entities.yaml'), 'utf8'),
  )
  .map(d => d.toJS());

/** Fills JSON-schema defaults into form data, as the scaffolder form does (top-level and nested object properties). */
function withDefaults(schema: any, data: any): any {
  if (!schema || schema.type !== 'object' || !schema.properties) return data;
  const out = { ...(data ?? {}) };
  for (const [key, prop] of Object.entries<any>(schema.properties)) {
    if (out[key] === undefined && prop.default !== undefined)
      out[key] = prop.default;
    if (prop.type === 'object') {
      const filled = withDefaults(prop, out[key]);
      if (out[key] !== undefined || Object.keys(filled).length)
        out[key] = filled;
    }
  }
  return out;
}

function renderStep(
  input: Record<string, unknown>,
  context: Record<string, unknown>,
) {
  const renderer = createTemplateRenderer({});
  const prepared = renderer.prepareContext(context as any);
  // The scaffolder renders every string this way; undefined removes the key.
  return JSON.parse(JSON.stringify(input), (_key, value) =>
    typeof value === 'string' ? renderer.renderValue(value, prepared) : value,
  );
}

function checkPickers(template: any, eso?: 'installed' | 'absent') {
  const props = Object.assign(
    {},
    ...template.spec.parameters.map((p: any) => p.properties),
  );
  expect(props.repoUrl['ui:field']).toBe('RepoUrlPicker');
  // Adopter-ready: GitHub only and no demo host or default repository (the demo serves its own copy).
  expect(props.repoUrl['ui:options'].allowedHosts).toEqual(['github.com']);
  expect(props.repoUrl.default).toBeUndefined();
  // The frontend plugin's cluster picker: its value is the entity ref the catalog:fetch step reads.
  expect(props.cluster['ui:field']).toBe('GitopsClusterPicker');
  expect(props.cluster['ui:options']?.eso).toBe(eso);
}

function validateForm(template: any, formData: Record<string, unknown>) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const page of template.spec.parameters) {
    const validate = ajv.compile({ type: 'object', ...page });
    expect({
      page: page.title,
      valid: validate(formData),
      errors: validate.errors ?? null,
    }).toEqual({
      page: page.title,
      valid: true,
      errors: null,
    });
  }
}

describe('templates', () => {
  let h: Harness;
  const management = entities.find(e => e.metadata?.name === 'management');

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  const actionById = (id: string) =>
    createSecretsActions({
      integrations: h.integrations,
      octokitFactory: h.octokitFactory,
    }).find(a => a.id === id)!;

  it("eso-flux-bootstrap: the card's formData runs, the folder coming from the cluster entity's annotation", async () => {
    const template = loadTemplate('eso-flux-bootstrap');
    expect(template.metadata.name).toBe('eso-flux-bootstrap');
    checkPickers(template);
    const clusterPath =
      management.metadata.annotations['gitops-secrets.io/cluster-path'];
    await h.sim.createRepo('acme/tpl-bootstrap', {
      files: clusterFiles(clusterPath),
    });

    // As linked by the card: /create/templates/default/eso-flux-bootstrap?formData={"cluster":…,"clusterPath":…}
    let formData: Record<string, any> = {
      cluster: 'resource:default/management',
      repoUrl: h.repoUrl('acme/tpl-bootstrap'),
      store: {
        provider: { type: 'aws', auth: { type: 'secretRef' } },
      },
    };
    for (const page of template.spec.parameters)
      formData = withDefaults({ type: 'object', ...page }, formData);
    // Nested oneOf branches: the form fills their defaults too.
    formData.store.provider = {
      service: 'SecretsManager',
      region: 'eu-west-1',
      ...formData.store.provider,
    };
    formData.store.provider.auth = {
      secretName: 'aws-credentials',
      ...formData.store.provider.auth,
    };
    validateForm(template, formData);

    const [fetch, step] = template.spec.steps;
    expect(fetch.action).toBe('catalog:fetch');
    expect(step.action).toBe('gitops:secrets:bootstrap');
    const context = {
      parameters: formData,
      steps: { [fetch.id]: { output: { entity: management } } },
    };
    const input = renderStep(step.input, context);
    expect(input.clusterPath).toBe('clusters/management');
    expect(input).not.toHaveProperty('targetBranch');

    const action = actionById(step.action);
    const dry = mockContext(input, { isDryRun: true });
    await action.handler(dry.ctx);
    expect(dry.outputs.outcome).toBe('would-change');

    const run = mockContext(input);
    await action.handler(run.ctx);
    expect(run.outputs.outcome).toBe('created');

    // The output links point at the step's outputs.
    const output = renderStep(template.spec.output, {
      ...context,
      steps: { ...context.steps, [step.id]: { output: run.outputs } },
    });
    expect(output.links[0].url).toBe(run.outputs.pullRequestUrl);
    expect(output.links[1].entityRef).toBe('resource:default/management');
    expect(output.text[0].content).toMatch(/^Pull request #1 created/);
    expect(h.sim.listPulls('acme/tpl-bootstrap')[0].labels).toEqual([
      'gitops',
      'external-secrets',
    ]);
  });

  it('eso-flux-bootstrap: an explicit clusterPath wins over the annotation', () => {
    const template = loadTemplate('eso-flux-bootstrap');
    const step = template.spec.steps[1];
    const input = renderStep(step.input, {
      parameters: { clusterPath: 'clusters/other' },
      steps: { 'fetch-cluster': { output: { entity: management } } },
    });
    expect(input.clusterPath).toBe('clusters/other');
  });

  it('external-secret: form data runs against a bootstrapped cluster', async () => {
    const template = loadTemplate('external-secret');
    expect(template.metadata.name).toBe('external-secret');
    checkPickers(template, 'installed');
    const store = template.spec.parameters[1].properties.storeRef;
    expect(store['ui:field']).toBe('SecretStorePicker');
    expect(store['ui:options']).toEqual({
      clusterField: 'cluster',
      namespaceField: 'namespace',
    });
    await h.sim.createRepo('acme/tpl-es', {
      files: await bootstrappedFiles('clusters/management'),
    });

    let formData: Record<string, any> = {
      repoUrl: h.repoUrl('acme/tpl-es'),
      cluster: 'resource:default/management',
      name: 'db-credentials',
      namespace: 'payments',
      // What the SecretStorePicker gives: { kind, name } of a store on the cluster.
      storeRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
      data: [
        {
          secretKey: 'password',
          remoteRef: { key: 'payments/db', property: 'password' },
        },
      ],
    };
    for (const page of template.spec.parameters)
      formData = withDefaults({ type: 'object', ...page }, formData);
    validateForm(template, formData);

    const [fetch, step] = template.spec.steps;
    const context = {
      parameters: formData,
      steps: { [fetch.id]: { output: { entity: management } } },
    };
    const input = renderStep(step.input, context);
    expect(input).toMatchObject({
      clusterPath: 'clusters/management',
      storeRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
    });
    const { ctx, outputs } = mockContext(input);
    await actionById(step.action).handler(ctx);
    expect(outputs.outcome).toBe('created');
    const output = renderStep(template.spec.output, {
      ...context,
      steps: { ...context.steps, [step.id]: { output: outputs } },
    });
    expect(output.links[0].url).toBe(outputs.pullRequestUrl);
  });
});
