import { describe, expect, it } from 'vitest';
import { adfFromText } from './adf-from-text.js';

const p = (...content: unknown[]) => ({ type: 'paragraph', content });
const t = (text: string) => ({ type: 'text', text });
const br = { type: 'hardBreak' };

describe('adfFromText', () => {
  it('splits paragraphs on blank lines and keeps single line breaks as hard breaks', () => {
    expect(adfFromText('Hello\r\nworld\n\n  \nBye')).toEqual({ type: 'doc', version: 1, content: [p(t('Hello'), br, t('world')), p(t('Bye'))] });
  });

  it('keeps markup-looking text verbatim and never emits empty text nodes', () => {
    expect(adfFromText('*bold* <b>x</b> [link](http://x) @here\n\nA\n\n\n')).toEqual({ type: 'doc', version: 1, content: [p(t('*bold* <b>x</b> [link](http://x) @here')), p(t('A'))] });
    expect(adfFromText('')).toEqual({ type: 'doc', version: 1, content: [] });
  });
});
