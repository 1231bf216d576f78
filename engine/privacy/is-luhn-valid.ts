/**
 * The Luhn (mod 10) check digit of payment card numbers. Digits only: callers
 * strip spaces and dashes first. About one random number in ten passes, so the
 * card detector also looks at the length, the first digit and the grouping.
 */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
