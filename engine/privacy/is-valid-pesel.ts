/** Weights of the first ten digits of a PESEL; the eleventh is the check digit. */
const WEIGHTS = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3] as const;

/**
 * A Polish national identification number (PESEL): 11 digits, YYMMDD with the
 * century encoded in the month, a serial, and a check digit.
 *
 * Only birth dates from 1900 up to `today` count. The encoding also allows the
 * 1800s and 2100–2299, but nobody alive was born then, and admitting them
 * would let phone numbers with a country code through: +48 51x… reads as a
 * month-51 date (November 2100s) and passes the check digit one time in ten.
 */
export function isValidPesel(digits: string, today: Date = new Date()): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  const d = (i: number): number => digits.charCodeAt(i) - 48;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += d(i) * (WEIGHTS[i] ?? 0);
  if ((10 - (sum % 10)) % 10 !== d(10)) return false;

  const yy = d(0) * 10 + d(1);
  const mm = d(2) * 10 + d(3);
  const dd = d(4) * 10 + d(5);
  let year: number;
  let month: number;
  if (mm >= 1 && mm <= 12) [year, month] = [1900 + yy, mm];
  else if (mm >= 21 && mm <= 32) [year, month] = [2000 + yy, mm - 20];
  else return false;
  const birth = new Date(Date.UTC(year, month - 1, dd));
  // Date.UTC rolls 31 February over into March: a real date reads back unchanged.
  if (birth.getUTCFullYear() !== year || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== dd) return false;
  return birth.getTime() <= today.getTime();
}
