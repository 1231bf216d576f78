import { describe, expect, it } from 'vitest';
import { compilePatterns, foldText, foldedText, foldedTextOf, parsePattern, patternProblem, textOf, tokenize } from './text-match.js';

describe('foldText / tokenize', () => {
  it('folds case and Polish diacritics', () => {
    expect(foldText('Zażółć GĘŚLĄ JAŹŃ')).toBe('zazolc gesla jazn');
    expect(tokenize('Zażółć GĘŚLĄ jaźń!')).toEqual(['zazolc', 'gesla', 'jazn']);
  });

  it('folds letters without a decomposition and compatibility forms', () => {
    expect(tokenize('Straße Łódź Øre Æther ﬁle ２０２５')).toEqual(['strasse', 'lodz', 'ore', 'aether', 'file', '2025']);
  });

  it('drops combining marks of decomposed input (NFD) without splitting the word', () => {
    expect(tokenize('Fakture\u0328 pro\u0301sze\u0328')).toEqual(['fakture', 'prosze']);
  });

  it('splits on anything but letters and digits', () => {
    expect(tokenize('FV/2025/0312 – e-mail, (pilne)…')).toEqual(['fv', '2025', '0312', 'e', 'mail', 'pilne']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('  ...  ')).toEqual([]);
  });

  it('keeps other scripts as words', () => {
    expect(tokenize('Привет мир 中文')).toEqual(['привет', 'мир', '中文']);
  });
});

describe('patterns', () => {
  it('parses words, stems and phrases', () => {
    expect(parsePattern('Faktur*')).toEqual([{ text: 'faktur', stem: true }]);
    expect(parsePattern('awari* KRYTYCZNĄ')).toEqual([
      { text: 'awari', stem: true },
      { text: 'krytyczna', stem: false },
    ]);
  });

  it('rejects misplaced stars and empty patterns', () => {
    expect(patternProblem('faktur*')).toBeUndefined();
    expect(patternProblem('awari* krytyczn*')).toBeUndefined();
    expect(patternProblem('*faktura')).toMatch(/does not end a word/);
    expect(patternProblem('fak*tura')).toMatch(/does not end a word/);
    expect(patternProblem('*')).toMatch(/does not end a word/);
    expect(patternProblem('!!!')).toMatch(/no letters or digits/);
  });
});

describe('compilePatterns', () => {
  const any = (patterns: string[], text: string): boolean => compilePatterns(patterns, 'any')(foldedText(text));
  const all = (patterns: string[], text: string): boolean => compilePatterns(patterns, 'all')(foldedText(text));

  it('matches whole words only, ignoring case and diacritics', () => {
    expect(any(['faktura'], 'Prośba o FAKTURA VAT')).toBe(true);
    expect(any(['faktura'], 'Prośba o fakturę')).toBe(false);
    expect(any(['fakturę'], 'Prośba o FAKTURE')).toBe(true);
    expect(any(['invoice'], 'invoices attached')).toBe(false);
  });

  it('matches stems against any ending', () => {
    for (const text of ['Faktura', 'FAKTURĘ', 'fakture', 'faktury', 'w fakturze']) expect(any(['faktur*'], text)).toBe(true);
    expect(any(['faktur*'], 'fakt')).toBe(false);
    expect(any(['faktur*'], 'refaktura')).toBe(false);
  });

  it('matches phrases on consecutive tokens', () => {
    expect(any(['awaria krytyczna'], 'AWARIA  krytyczna!')).toBe(true);
    expect(any(['awaria krytyczna'], 'Awaria krytyczna systemu')).toBe(true);
    expect(any(['awaria krytyczna'], 'awaria nie jest krytyczna')).toBe(false);
    expect(any(['awari* krytyczn*'], 'zgłaszamy awarii krytycznej')).toBe(true);
    expect(any(['awaria krytyczna'], 'krytyczna awaria')).toBe(false);
  });

  it('needs every pattern in all mode', () => {
    expect(all(['pilne', 'serwer*'], 'Awaria serwera, pilne')).toBe(true);
    expect(all(['pilne', 'serwer*'], 'Awaria serwera')).toBe(false);
    expect(all(['awaria krytyczna', 'pilne'], 'PILNE: awaria krytyczna')).toBe(true);
  });

  it('works the same on long texts (indexed) and short ones (scanned)', () => {
    const filler = Array.from({ length: 150 }, (_, i) => `slowo${i}`).join(' ');
    const long = `${filler} Prośba o korektę faktury ${filler}`;
    expect(any(['faktur*'], long)).toBe(true);
    expect(any(['korekte'], long)).toBe(true);
    expect(any(['korekt'], long)).toBe(false);
    expect(any(['zwrot*'], long)).toBe(false);
    expect(any(['prosba o korekte'], long)).toBe(true);
    expect(any(['s*'], long)).toBe(true);
    expect(any(['slowo149'], long)).toBe(true);
    expect(any(['slowo150'], long)).toBe(false);
    expect(all(['slowo0', 'faktur*', 'korekte'], long)).toBe(true);
    expect(all(['slowo0', 'zwrot*'], long)).toBe(false);
  });
});

describe('fact text', () => {
  it('joins the strings of an array and never matches a phrase across items', () => {
    expect(textOf(['a', 1, 'b'])).toBe('a\0b');
    expect(textOf([1, 2])).toBeUndefined();
    expect(textOf(42)).toBeUndefined();
    const t = foldedTextOf(['awaria', 'krytyczna'])!;
    expect(compilePatterns(['awaria krytyczna'], 'any')(t)).toBe(false);
    expect(compilePatterns(['krytyczna'], 'any')(t)).toBe(true);
  });

  it('memoizes folded text per evaluation scope', () => {
    const scope = {};
    expect(foldedText('Faktura', scope)).toBe(foldedText('Faktura', scope));
    expect(foldedText('Faktura', {})).not.toBe(foldedText('Faktura', scope));
    expect(foldedText('Faktura')).not.toBe(foldedText('Faktura'));
  });

  it('keeps one memo, for the scope that asked last: an earlier scope folds again, to the same result', () => {
    const first = {};
    const second = {};
    const a = foldedText('Zażółć gęślą jaźń', first);
    foldedText('Zażółć gęślą jaźń', second);
    const again = foldedText('Zażółć gęślą jaźń', first);
    expect(again).not.toBe(a);
    expect(again.folded).toBe(a.folded);
  });
});
