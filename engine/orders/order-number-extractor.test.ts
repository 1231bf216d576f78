import { describe, expect, it } from 'vitest';
import { expectCode } from '../../test/helpers/expect-code.js';
import { OrderNumberExtractor, compilePattern } from './order-number-extractor.js';

const extractor = new OrderNumberExtractor();
const inText = (text: string): string | undefined => extractor.find({ subject: null, text, data: {} })?.number;

describe('OrderNumberExtractor', () => {
  it.each([
    ['Reklamacja – zamówienie nr 12345', '12345'],
    ['zamówienie numer 12345 nie dotarło', '12345'],
    ['Dotyczy zamówienia nr. 12345', '12345'],
    ['w zamówieniu 12345 brakuje kubka', '12345'],
    ['ZAMOWIENIE NR 12345', '12345'],
    ['do zamowienia #12345', '12345'],
    ['Nr zamówienia: 12345', '12345'],
    ['numer zamówienia 12345', '12345'],
    ['zam. 12345', '12345'],
    ['Zam. nr 12345', '12345'],
    ['Where is my order 12345?', '12345'],
    ['order no. 12345', '12345'],
    ['Order #12345 arrived broken', '12345'],
    ['Order number: 12345', '12345'],
    ['Pytanie o #12345', '12345'],
  ])('finds the number in "%s"', (text, number) => {
    expect(inText(text)).toBe(number);
  });

  it.each([
    ['zamówienie nr 2 było ok', 'fewer than 3 digits'],
    ['Kolor #ff0000 zamiast niebieskiego', 'a colour code is not a number'],
    ['Zgłoszenie T-000042', 'a ticket number'],
    ['tel. 600100200', 'a phone number'],
    ['border 12345', '"order" inside another word'],
    ['&#12345; encja HTML', 'an HTML character reference'],
  ])('finds nothing in "%s" (%s)', (text) => {
    expect(inText(text)).toBeUndefined();
  });

  it('prefers a form field over the text, and the subject over the body', () => {
    expect(extractor.find({ subject: 'zamówienie 11111', text: 'zamówienie 22222', data: { form: { fields: { orderNumber: '33333' } } } })).toEqual({ number: '33333', source: 'field' });
    expect(extractor.find({ subject: 'zamówienie 11111', text: 'zamówienie 22222', data: {} })).toEqual({ number: '11111', source: 'text' });
    expect(extractor.find({ subject: 'Reklamacja', text: 'zamówienie 22222', data: {} })).toEqual({ number: '22222', source: 'text' });
  });

  it('reads fields at the top of the data, as numbers, with a leading # or inside a sentence', () => {
    expect(extractor.find({ subject: null, text: null, data: { orderNumber: 12345 } })?.number).toBe('12345');
    expect(extractor.find({ subject: null, text: null, data: { order_number: '#A-1234' } })?.number).toBe('A-1234');
    expect(extractor.find({ subject: null, text: null, data: { orderId: 'Zamówienie 55555' } })?.number).toBe('55555');
    expect(extractor.find({ subject: null, text: null, data: { orderNumber: '' } })).toBeUndefined();
  });

  it('takes configured fields and patterns instead of the defaults', () => {
    const custom = new OrderNumberExtractor({ fields: ['nrZam'], patterns: [String.raw`\bZ/(\d{4}/\d{2})\b`] });
    expect(custom.find({ subject: 'Reklamacja Z/1234/26', text: null, data: {} })?.number).toBe('1234/26');
    expect(custom.find({ subject: 'zamówienie nr 12345', text: null, data: {} })).toBeUndefined();
    expect(custom.find({ subject: null, text: null, data: { nrZam: 'X-9' } })?.number).toBe('X-9');
  });

  it('refuses patterns that can backtrack catastrophically, and patterns that do not compile', async () => {
    await expectCode(Promise.resolve().then(() => compilePattern(String.raw`zamówienie ((\d+\s?)+)`)), 'TRIAGE_ORDER_PATTERN_INVALID');
    await expectCode(Promise.resolve().then(() => new OrderNumberExtractor({ patterns: ['(unclosed'] })), 'TRIAGE_ORDER_PATTERN_INVALID');
  });

  it('stays fast on a long hostile text (bounded input, linear patterns)', () => {
    const hostile = `${'zamówienie '.repeat(5000)}${'1 '.repeat(20000)}`;
    expect(inText(hostile)).toBeUndefined();
  });
});
