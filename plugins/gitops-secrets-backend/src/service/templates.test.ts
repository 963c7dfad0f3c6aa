import { templatesInYaml, toPickerTemplate } from './templates';

describe('templatesInYaml', () => {
  it('keeps WGE templates of the versions read, by group and kind, and skips everything else', () => {
    // Synthetic documents.
    const text = [
      'apiVersion: capi.weave.works/v1alpha1',
      'kind: CAPITemplate',
      'metadata: {name: old}',
      '---',
      'apiVersion: templates.weave.works/v1alpha2',
      'kind: GitOpsTemplate',
      'metadata: {name: app, namespace: templates}',
      '---',
      '# same kind name, other group: not a WGE template',
      'apiVersion: example.com/v1',
      'kind: CAPITemplate',
      'metadata: {name: lookalike}',
      '---',
      'apiVersion: capi.weave.works/v1alpha2',
      'kind: CAPITemplate',
      'metadata: {}',
      '---',
      'just a string',
    ].join('\n');
    expect(templatesInYaml(text).map(t => [t.kind, t.metadata.name])).toEqual([
      ['CAPITemplate', 'old'],
      ['GitOpsTemplate', 'app'],
    ]);
  });

  it('skips a document that does not parse and reads the others', () => {
    const text =
      'kind: [unclosed\n---\napiVersion: capi.weave.works/v1alpha2\nkind: CAPITemplate\nmetadata: {name: ok}\n';
    expect(templatesInYaml(text).map(t => t.metadata.name)).toEqual(['ok']);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const text = `apiVersion: capi.weave.works/v1alpha2\nkind: CAPITemplate\nmetadata: {name: bomb}\nspec:\n  x:\n${lines
      .map(l => `    ${l}`)
      .join('\n')}\n`;
    expect(templatesInYaml(text)).toEqual([]);
  });
});

describe('toPickerTemplate', () => {
  it('reads an absent `required` as true (the CRD default) and drops empty options', () => {
    const [t] = templatesInYaml(
      'apiVersion: capi.weave.works/v1alpha2\nkind: CAPITemplate\nmetadata: {name: t}\nspec:\n  params:\n    - {name: A}\n    - {name: B, required: false, options: []}\n    - {name: C, default: ""}\n',
    );
    expect(toPickerTemplate(t, 'repository', 'x/t.yaml')).toEqual({
      kind: 'CAPITemplate',
      name: 't',
      source: 'repository',
      path: 'x/t.yaml',
      params: [
        { name: 'A', required: true },
        { name: 'B', required: false },
        { name: 'C', required: true, default: '' },
      ],
    });
  });
});
