import {
  evalGoTemplate,
  goTemplateParams,
  GoTemplateError,
  parseGoTemplate,
} from './goTemplate';

const data = {
  params: { NAME: 'leaf-1', EMPTY: '', UP: 'ABC' },
  template: { meta: { name: 'tpl', namespace: 'default' } },
};
const render = (s: string, delims?: [string, string]) =>
  evalGoTemplate(parseGoTemplate(s, delims), data);

describe('templating render type (Go text/template subset)', () => {
  it.each([
    ['{{ .params.NAME }}', 'leaf-1'],
    ['{{.params.NAME}}-md-0', 'leaf-1-md-0'],
    ['{{ .template.meta.name }}/{{ .template.meta.namespace }}', 'tpl/default'],
    ['{{ .params.NAME | upper }}', 'LEAF-1'],
    ['{{ .params.UP | lower | quote }}', '"abc"'],
    ['{{ default "x" .params.EMPTY }}', 'x'],
    ['{{ .params.EMPTY | default "y" }}', 'y'],
    ['{{ default "x" .params.NAME }}', 'leaf-1'],
    ['{{ replace "-" "_" .params.NAME }}', 'leaf_1'],
    ['{{ trunc 4 .params.NAME }}', 'leaf'],
    ['a  {{- .params.NAME -}}  b', 'aleaf-1b'],
    ['{{/* a comment */}}x', 'x'],
    ['{{ (upper .params.NAME) }}', 'LEAF-1'],
    ['{{ index .params "NAME" }}', 'leaf-1'],
    ['{{ .params.UNKNOWN }}', ''],
    ['${NOT_ENVSUBST}', '${NOT_ENVSUBST}'],
  ])('%s → %s', (src, expected) => {
    expect(render(src)).toBe(expected);
  });

  it('honours custom delimiters', () => {
    expect(render('[[ .params.NAME ]]-{{ x }}', ['[[', ']]'])).toBe(
      'leaf-1-{{ x }}',
    );
  });

  it.each([
    ['{{ .params.NAME', /unclosed action/],
    ['{{ }}', /missing value/],
    ['{{ if .params.NAME }}x{{ end }}', /"if" is not supported/],
    ['{{ range .params }}{{ end }}', /"range" is not supported/],
    ['{{ $x := 1 }}', /variables/],
    ['{{ "unterminated }}', /unterminated quoted string/],
    ['{{ .params.NAME | }}', /missing value/],
    ['{{ .params.NAME .params.UP }}', /non-function/],
    [
      '{{ nope .params.NAME }}',
      /function "nope" not defined \(supported: default, lower/,
    ],
  ])('rejects %s', (src, message) => {
    expect(() => render(src)).toThrow(GoTemplateError);
    expect(() => render(src)).toThrow(message);
  });

  it('finds every .params reference, including several on one line and inside pipelines', () => {
    expect(
      goTemplateParams(
        parseGoTemplate(
          '{{ .params.A }}-{{ default .params.B (lower .params.C) }}',
        ),
      ),
    ).toEqual(['A', 'B', 'C']);
  });
});
