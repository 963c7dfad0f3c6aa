import { parseAllDocuments } from 'yaml';
import { addToSeq, setIn } from './yamlEdit';

const KS = `---
# the operator
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: &app external-secrets
  namespace: flux-system
spec:
  targetNamespace: security # keep me
  path: ./app
  wait: false
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: stores
spec:
  dependsOn:
  - name: external-secrets # a comment
  path: ./stores
`;

const sel = (name: string) => ({ kind: 'Kustomization', name });
const docs = (text: string) => parseAllDocuments(text).map(d => d.toJS());

/** Every line of `before` is still in `after`, in order. */
function kept(before: string, after: string, except: RegExp[] = []) {
  const out = after.split('\n');
  let i = 0;
  return before.split('\n').filter(line => {
    if (except.some(e => e.test(line))) return false;
    const at = out.indexOf(line, i);
    if (at < 0) return true;
    i = at + 1;
    return false;
  });
}

describe('yamlEdit', () => {
  it.each([
    [
      'a new key in the selected document only',
      (t: string) => setIn(t, sel('stores'), ['spec', 'wait'], true),
      (d: any[]) => [d[0].spec.wait, d[1].spec.wait],
      [false, true],
    ],
    [
      'a scalar replaced in place',
      (t: string) => setIn(t, sel('external-secrets'), ['spec', 'wait'], true),
      (d: any[]) => d[0].spec.wait,
      true,
    ],
    [
      'nested maps created under an existing one',
      (t: string) =>
        setIn(
          t,
          sel('external-secrets'),
          ['spec', 'commonMetadata', 'annotations', 'helm.sh/resource-policy'],
          'keep',
        ),
      (d: any[]) => d[0].spec.commonMetadata,
      { annotations: { 'helm.sh/resource-policy': 'keep' } },
    ],
    [
      'an item appended to a block sequence at its indentation',
      (t: string) =>
        addToSeq(
          t,
          sel('stores'),
          ['spec', 'dependsOn'],
          { name: 'crds' },
          e => e.name === 'crds',
        ),
      (d: any[]) => d[1].spec.dependsOn,
      [{ name: 'external-secrets' }, { name: 'crds' }],
    ],
    [
      'a sequence created where there is none',
      (t: string) =>
        addToSeq(
          t,
          sel('external-secrets'),
          ['spec', 'dependsOn'],
          { name: 'crds', namespace: 'other' },
          e => e.name === 'crds',
        ),
      (d: any[]) => d[0].spec.dependsOn,
      [{ name: 'crds', namespace: 'other' }],
    ],
  ])('%s, every other line kept', (_what, edit, pick, expected) => {
    const after = edit(KS);
    expect(pick(docs(after))).toEqual(expected);
    expect(kept(KS, after, [/^ {2}wait: false$/])).toEqual([]);
    // The anchor, the comments and the other document are untouched.
    expect(docs(after)[0].metadata.name).toBe('external-secrets');
  });

  it('an item already there is not added twice', () => {
    expect(
      addToSeq(
        KS,
        sel('stores'),
        ['spec', 'dependsOn'],
        { name: 'external-secrets' },
        e => e.name === 'external-secrets',
      ),
    ).toBe(KS);
  });

  it('an inline collection is rewritten as one flow value', () => {
    const text =
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: eso\nspec:\n  values: {}\n';
    const after = setIn(
      text,
      { kind: 'HelmRelease', name: 'eso' },
      ['spec', 'values', 'installCRDs'],
      false,
    );
    expect(docs(after)[0].spec.values).toEqual({ installCRDs: false });
  });

  it('refuses a document that is not there', () => {
    expect(() => setIn(KS, sel('nope'), ['spec', 'wait'], true)).toThrow(
      /no Kustomization nope/,
    );
  });
});
