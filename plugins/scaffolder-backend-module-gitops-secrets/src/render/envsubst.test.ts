import {
  EnvsubstSyntaxError,
  envsubstVariables,
  evalEnvsubst,
  parseEnvsubst,
} from './envsubst';

const vars: Record<string, string> = {
  X: 'abcabc',
  E: '',
  Y: 'why',
  UP: 'ABC',
  P: 'dir/sub/file.yaml',
};
const render = (s: string) =>
  evalEnvsubst(parseEnvsubst(s), n => vars[n] ?? '');

describe('envsubst (drone/envsubst v2 semantics, as WGE renders)', () => {
  it.each([
    ['${X}', 'abcabc'],
    ['pre-${X}-post', 'pre-abcabc-post'],
    ['${E:=dflt}', 'dflt'],
    ['${X:=dflt}', 'abcabc'],
    ['${E:-dflt}', 'dflt'],
    ['${E=dflt}', 'dflt'],
    // clusterctl's lookup cannot tell unset from empty, so every default form is "empty → default".
    ['${MISSING:=d}', 'd'],
    ['${E:?msg}', 'msg'],
    ['${E:+alt}', 'alt'],
    ['${E:-${Y}}', 'why'],
    ['${E:-a${Y}b}', 'awhyb'],
    ['${E:-}', ''],
    ['${#X}', '6'],
    ['${X^}', 'Abcabc'],
    ['${X^^}', 'ABCABC'],
    ['${UP,}', 'aBC'],
    ['${UP,,}', 'abc'],
    ['${X:1}', 'bcabc'],
    ['${X:1:2}', 'bc'],
    ['${X:10}', ''],
    ['${X:4:100}', 'bc'],
    // Go's Atoi does not trim: the value comes back unchanged, as in bash for a bad offset.
    ['${X: 1}', 'abcabc'],
    ['${X#a*}', 'bcabc'],
    ['${X##a*}', ''],
    ['${X%c*}', 'abcab'],
    ['${X%%b*}', 'a'],
    // `*` never crosses "/" (Go's path.Match), so the longest match is "dir/", not bash's "dir/sub/".
    ['${P##*/}', 'sub/file.yaml'],
    ['${P%/*}', 'dir/sub'],
    ['${X/b/B}', 'aBcabc'],
    ['${X//b/B}', 'aBcaBc'],
    ['${X//b/}', 'acac'],
    ['${X/#ab/Z}', 'Zcabc'],
    ['${X/#zz/Z}', 'abcabc'],
    ['${X/%bc/Z}', 'abcaZ'],
    ['$${X}', '${X}'],
    ['cost: $$5', 'cost: $5'],
    ['$X stays', '$X stays'],
    ['a\\\\b', 'a\\b'],
    ['${ Y }', 'why'],
    ['${Y }', 'why'],
    // `-` is part of a name, so `${X-d}` reads a variable called "X-d" (drone does not support `-`).
    ['${X-d}', ''],
    ['{{ .params.X }}', '{{ .params.X }}'],
  ])('%s → %s', (src, expected) => {
    expect(render(src)).toBe(expected);
  });

  it.each(['${', '${}', '${X', '${X!}', '${X+d}', '${X/b}', '${#}', '${X:}'])(
    'rejects %s as a bad substitution',
    src => {
      expect(() => parseEnvsubst(src)).toThrow(EnvsubstSyntaxError);
      expect(() => parseEnvsubst(src)).toThrow(/bad substitution|unterminated/);
    },
  );

  it('lists top-level variables with their inline defaults, not those nested in defaults', () => {
    expect(
      envsubstVariables(parseEnvsubst('${A}-${B:=x${C}}-${A:=ignored}')),
    ).toEqual([
      { name: 'A', defaultText: '' },
      { name: 'B', defaultText: 'x${C}' },
    ]);
  });

  it('never evaluates a value: substituted text is not parsed again', () => {
    const out = evalEnvsubst(parseEnvsubst('${V}'), () => '${Y}');
    expect(out).toBe('${Y}');
  });
});
