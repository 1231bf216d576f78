import { describe, expect, it } from 'vitest';
import { parseEncodedWords } from './parse-encoded-words.js';

describe('parseEncodedWords (RFC 2047)', () => {
  it.each([
    ['Q iso-8859-2', '=?iso-8859-2?Q?Zam=F3wienie_nr_5?=', 'Zamówienie nr 5'],
    ['B utf-8', '=?UTF-8?B?xbvDs8WCdw==?=', 'Żółw'],
    ['windows-1250', '=?windows-1250?Q?=A3=F3d=9F?=', 'Łódź'],
    ['koi8-r', '=?KOI8-R?B?5MXMzw==?=', 'Дело'],
    ['adjacent words join without the space between them', '=?UTF-8?Q?Ala_?= =?UTF-8?Q?ma_kota?=', 'Ala ma kota'],
    ['text around words stays', 'Re: =?UTF-8?Q?Pyt=C4=85nie?= [#T-000001]', 'Re: Pytąnie [#T-000001]'],
    ['language suffix (RFC 2231)', '=?UTF-8*pl?Q?=C5=BBaba?=', 'Żaba'],
    ['unknown charset stays as written', '=?x-unknown?Q?abc?=', '=?x-unknown?Q?abc?='],
    ['plain text untouched', 'Faktura 3/2026', 'Faktura 3/2026'],
  ])('%s', (_name, value, expected) => {
    expect(parseEncodedWords(value)).toBe(expected);
  });
});
