import { addKustomizeResources, listKustomizeResources, toYaml } from './yaml';
import { parseAllDocuments } from 'yaml';

describe('addKustomizeResources', () => {
  const commented = `# Cluster entry. Keep flux-system first.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
# namespaces are applied by flux-system
resources:
  - flux-system # from flux bootstrap
  # apps come next
  - apps.yaml
patches: [] # none yet
`;

  it('appends new entries, keeping comments, key order and existing entries', () => {
    expect(addKustomizeResources('k.yaml', commented, ['external-secrets']))
      .toBe(`# Cluster entry. Keep flux-system first.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
# namespaces are applied by flux-system
resources:
  - flux-system # from flux bootstrap
  # apps come next
  - apps.yaml
  - external-secrets
patches: [] # none yet
`);
  });

  it('returns the file unchanged when the entry is listed (also as ./entry or entry/)', () => {
    for (const listed of [
      'external-secrets',
      './external-secrets',
      'external-secrets/',
    ]) {
      const content = `resources:\n  - ${listed} # here\n`;
      expect(
        addKustomizeResources('k.yaml', content, ['external-secrets']),
      ).toBe(content);
    }
  });

  it('keeps a list flush with its key', () => {
    const content =
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n';
    expect(addKustomizeResources('k.yaml', content, ['extra.yaml'])).toBe(
      `${content}- extra.yaml\n`,
    );
  });

  it('adds resources to a kustomization without them, or with "resources:" empty', () => {
    expect(
      listKustomizeResources(
        addKustomizeResources('k.yaml', 'kind: Kustomization\n', [
          'a.yaml',
          'b',
        ]),
      ),
    ).toEqual(['a.yaml', 'b']);
    expect(
      listKustomizeResources(
        addKustomizeResources('k.yaml', 'resources:\n', ['a.yaml']),
      ),
    ).toEqual(['a.yaml']);
  });

  it('refuses broken YAML, other kinds and a non-list resources, naming the file', () => {
    expect(() =>
      addKustomizeResources('c/kustomization.yaml', 'resources: [a\n', ['x']),
    ).toThrow(/^c\/kustomization\.yaml is not valid YAML/);
    expect(() =>
      addKustomizeResources('c/kustomization.yaml', 'kind: Component\n', ['x']),
    ).toThrow(
      'c/kustomization.yaml has kind Component, expected a kustomize Kustomization',
    );
    expect(() =>
      addKustomizeResources('c/kustomization.yaml', 'resources: a.yaml\n', [
        'x',
      ]),
    ).toThrow('c/kustomization.yaml: "resources" is not a list');
    expect(() =>
      addKustomizeResources('c/kustomization.yaml', '- a\n', ['x']),
    ).toThrow(/is not a kustomization/);
  });
});

describe('toYaml', () => {
  it('writes a commented multi-document stream that parses back to the objects, quoting what YAML would misread', () => {
    const objects = [
      {
        kind: 'A',
        metadata: { name: 'a' },
        value: 'x: y # not a comment',
        n: '0123',
        yes: 'yes',
      },
      { kind: 'B', metadata: { name: 'b' }, long: 'z'.repeat(300) },
    ];
    const text = toYaml(objects, 'line one\nline two');
    expect(text.startsWith('# line one\n# line two\n')).toBe(true);
    expect(parseAllDocuments(text).map(d => d.toJS())).toEqual(objects);
    // Never folded over lines.
    expect(text).toContain(`long: ${'z'.repeat(300)}\n`);
  });
});
