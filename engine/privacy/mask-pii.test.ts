import { describe, expect, it } from 'vitest';
import { isTriageError } from '../errors/triage-error.js';
import { isLuhnValid } from './is-luhn-valid.js';
import { isValidIban } from './is-valid-iban.js';
import { isValidPesel } from './is-valid-pesel.js';
import { checkExtraPatterns, createPiiMasker, maskKeeping, maskPii } from './mask-pii.js';

const TODAY = new Date('2026-03-01T00:00:00Z');
const masker = createPiiMasker({ today: () => TODAY });
const mask = (text: string): string => masker.mask(text);

describe('checksums', () => {
  it('Luhn accepts real test card numbers and refuses a changed digit', () => {
    for (const n of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '30569309025904', '4222222222222']) expect(isLuhnValid(n)).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('4111 1111 1111 1111')).toBe(false); // digits only
    expect(isLuhnValid('')).toBe(false);
  });

  it('PESEL needs the check digit and a real birth date between 1900 and today', () => {
    expect(isValidPesel('44051401359', TODAY)).toBe(true); // 14 May 1944
    expect(isValidPesel('02270803624', TODAY)).toBe(true); // 8 July 2002 (month + 20)
    expect(isValidPesel('00222900009', TODAY)).toBe(true); // 29 February 2000, a leap day
    expect(isValidPesel('44051401358', TODAY)).toBe(false); // wrong check digit
    expect(isValidPesel('02222900003', TODAY)).toBe(false); // 29 February 2002 does not exist
    expect(isValidPesel('90130100004', TODAY)).toBe(false); // month 13
    expect(isValidPesel('30210100001', TODAY)).toBe(false); // 1 January 2030: not born yet
    expect(isValidPesel('44850100000', TODAY)).toBe(false); // 1800s: nobody alive
    expect(isValidPesel('48512345677', TODAY)).toBe(false); // a +48 51… phone number with a matching check digit
    expect(isValidPesel('4405140135', TODAY)).toBe(false);
  });

  it('IBAN needs a known country, its exact length and mod 97 = 1', () => {
    expect(isValidIban('PL61 1090 1014 0000 0712 1981 2874')).toBe(true);
    expect(isValidIban('PL61109010140000071219812874')).toBe(true);
    expect(isValidIban('pl61109010140000071219812874')).toBe(true);
    expect(isValidIban('DE89370400440532013000')).toBe(true);
    expect(isValidIban('GB82WEST12345698765432')).toBe(true);
    expect(isValidIban('NO9386011117947')).toBe(true);
    expect(isValidIban('PL62109010140000071219812874')).toBe(false); // check digits
    expect(isValidIban('PL6110901014000007121981287')).toBe(false); // one digit short
    expect(isValidIban('XX61109010140000071219812874')).toBe(false); // no such country
  });
});

describe('maskPii', () => {
  it('masks card numbers keeping the last four, with the separators as written', () => {
    expect(mask('Karta 4111 1111 1111 1111, ważna do 12/27')).toBe('Karta **** **** **** 1111, ważna do 12/27');
    expect(mask('card 4111-1111-1111-1111.')).toBe('card ****-****-****-1111.');
    expect(mask('card:5555555555554444')).toBe('card:************4444');
    expect(mask('Amex 3782 822463 10005 / Diners 3056 930902 5904')).toBe('Amex **** ****** *0005 / Diners **** ****** 5904');
    expect(mask('Visa 13: 4222222222222')).toBe('Visa 13: *********2222');
  });

  it('leaves numbers that fail Luhn, are too short or long, or are no payment card', () => {
    expect(mask('4111 1111 1111 1112')).toBe('4111 1111 1111 1112'); // Luhn
    expect(mask('411111111111')).toBe('411111111111'); // 12 digits
    expect(mask('41111111111111111111')).toBe('41111111111111111111'); // 20 digits
    expect(mask('9000000000000001')).toBe('9000000000000001'); // Luhn-valid, but 9 is no card industry
    expect(mask('EAN 5901234123457')).toBe('EAN 5901234123457'); // Luhn-valid EAN-13 barcode: 13 digits are Visa only
  });

  it('masks PESEL keeping the last four', () => {
    expect(mask('PESEL: 44051401359.')).toBe('PESEL: *******1359.');
    expect(mask('pesel 02270803624 i 44051401358')).toBe('pesel *******3624 i 44051401358');
  });

  it('masks IBANs keeping the country and the last four, with or without spaces', () => {
    expect(mask('Konto PL61 1090 1014 0000 0712 1981 2874 PLN')).toBe('Konto PL** **** **** **** **** **** 2874 PLN');
    expect(mask('Konto PL61109010140000071219812874')).toBe('Konto PL**********************2874');
    expect(mask('IBAN: de89 3704 0044 0532 0130 00')).toBe('IBAN: de** **** **** **** **30 00');
    expect(mask('GB82 WEST 1234 5698 7654 32 PL61109010140000071219812874')).toBe('GB** **** **** **** **54 32 PL**********************2874');
    // A Polish account number written without "PL" (NRB) counts when it passes as a PL IBAN.
    expect(mask('nr konta 61 1090 1014 0000 0712 1981 2874')).toBe('nr konta ** **** **** **** **** **** 2874');
    expect(mask('nr konta 61109010140000071219812874')).toBe('nr konta **********************2874');
  });

  it('leaves IBAN look-alikes with a wrong check', () => {
    expect(mask('PL62 1090 1014 0000 0712 1981 2874')).toBe('PL62 1090 1014 0000 0712 1981 2874');
    expect(mask('62 1090 1014 0000 0712 1981 2874')).toBe('62 1090 1014 0000 0712 1981 2874');
  });

  it('does not mask order numbers, phone numbers, dates, amounts or ids', () => {
    const untouched = [
      'Zamówienie nr 2026/01/12345 z dnia 2026-01-05 10:00',
      'order 1234567890123 and #100200300400',
      'Faktura FV/2026/01/0042, kwota 1 234,56 zł',
      'Tel. +48 600 100 200, 600-100-200, 600100200, +48600100200, 0048 22 123 45 67',
      'Daty: 2026-01-05 2026-02-06, 05.01.2026, 2026-01-05T09:00:00Z',
      'NIP 526-000-12-46, REGON 012345678, KRS 0000123456',
      'Ticket T-000042, call id 4f3c2a1b-77e1-4c5e-9d1e-0a1b2c3d4e5f',
      'numer zlecenia 48512345677', // PESEL-shaped phone number with a country code
      'tracking 00340434161234567890',
    ];
    for (const text of untouched) expect(mask(text)).toBe(text);
  });

  it('does not take a card out of the middle of a longer number or word', () => {
    expect(mask('ref INV4111111111111111')).toBe('ref INV4111111111111111');
    expect(mask('12 4111 1111 1111 1111')).toBe('12 4111 1111 1111 1111');
    expect(mask('4111111111111111999')).toBe('4111111111111111999');
  });

  it('masks several kinds in one text and is idempotent', () => {
    const text = 'Jan, PESEL 44051401359, karta 4111 1111 1111 1111, konto PL61109010140000071219812874, tel. 600 100 200';
    const once = mask(text);
    expect(once).toBe('Jan, PESEL *******1359, karta **** **** **** 1111, konto PL**********************2874, tel. 600 100 200');
    expect(mask(once)).toBe(once);
  });

  it('leaves text without digits alone and uses the real clock by default', () => {
    expect(mask('')).toBe('');
    expect(mask('Dzień dobry, proszę o kontakt')).toBe('Dzień dobry, proszę o kontakt');
    expect(maskPii('PESEL 44051401359')).toBe('PESEL *******1359');
  });
});

describe('extra patterns', () => {
  it('masks their matches, keeping the last four of long ones', () => {
    const m = createPiiMasker({ extraPatterns: ['KL-\\d{6,}', '/dowód:? [a-z]{3}\\d{6}/i'] });
    expect(m.mask('klient KL-12345678, Dowód ABC123456')).toBe('klient **-****5678, ***** *****3456');
    expect(m.mask('KL-12345')).toBe('KL-12345'); // too short for the pattern
    expect(createPiiMasker({ extraPatterns: ['sekret'] }).mask('mój sekret')).toBe('mój ******');
  });

  it('refuses invalid, unsafe, empty-matching or flagged patterns with TRIAGE_CONFIG_INVALID', () => {
    expect(checkExtraPatterns(['\\d{3}', '/x/ims'])).toEqual([]);
    expect(checkExtraPatterns(['(a+)+$', '([', '/x/g', 'a*', ''])).toEqual([
      '[0] /(a+)+$/ (nested quantifiers or too many repetitions) can backtrack catastrophically',
      '[1] invalid regular expression /([/: Unterminated character class',
      '[2] /x/g: flags may only be i, m, s, u',
      '[3] a* matches the empty string',
      '[4] is empty',
    ]);
    let error: unknown;
    try {
      createPiiMasker({ extraPatterns: ['(\\w+\\s?)+'] });
    } catch (e) {
      error = e;
    }
    expect(isTriageError(error) && error.code).toBe('TRIAGE_CONFIG_INVALID');
  });
});

describe('maskKeeping', () => {
  it('keeps separators and the requested ends', () => {
    expect(maskKeeping('1234-5678', 4)).toBe('****-5678');
    expect(maskKeeping('PL61 1090', 4, 2)).toBe('PL** 1090');
    expect(maskKeeping('abc', 4)).toBe('abc');
    expect(maskKeeping('abcdef', 0)).toBe('******');
  });
});
