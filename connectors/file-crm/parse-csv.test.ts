import { describe, expect, it } from 'vitest';
import { parseCsv } from './parse-csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with delimiters, quotes and line breaks, CRLF, a BOM and blank lines', () => {
    const text = '\uFEFFname,note\r\n"Acme, S.A.","said ""hi""\ntwice"\r\n\r\nBeta,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['name', 'note'] },
      { line: 2, cells: ['Acme, S.A.', 'said "hi"\ntwice'] },
      { line: 5, cells: ['Beta', ''] },
    ]);
  });

  it('takes another delimiter and a last row without a newline', () => {
    expect(parseCsv('a;b\n1;"2"', ';')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', '2'] },
    ]);
  });

  it('refuses an unclosed quote and text after a closing quote', () => {
    expect(() => parseCsv('a\n"open')).toThrow('line 2: a quoted field is not closed');
    expect(() => parseCsv('a\n"x"y')).toThrow('line 2: text after a closing quote');
  });
});
