import { cellCode } from './prBody';
import { stripInvisible } from '../../validation';

describe('PR body escaping', () => {
  it.each([
    ['a pipe ending the cell', 'a|b', '`a\\|b`'],
    [
      'a backtick ending the code span',
      'x`](https://evil.example)`',
      '`xˋ](https://evil.example)ˋ`',
    ],
    ['HTML', '<img src=x onerror=alert(1)>', '`‹img src=x onerror=alert(1)›`'],
    ['a line break', 'a\nb', '`a b`'],
    ['plain text', 'payments/db', '`payments/db`'],
  ])('cellCode: %s', (_name, value, expected) => {
    expect(cellCode(value)).toBe(expected);
    // One cell: the only pipes left are escaped.
    expect(cellCode(value).replace(/\\\|/g, '')).not.toContain('|');
  });

  it('strips bidi controls and zero-width characters (synthetic Trojan-Source title)', () => {
    expect(stripInvisible('Fix \u202egnp.exe\u202c for\u200b prod\ufeff')).toBe(
      'Fix gnp.exe for prod',
    );
  });
});
