/**
 * The fields of `required` a submission lacks. A field counts as missing when
 * it is absent, null, an empty or blank string, or an empty list: a form that
 * posts `"orderNumber": ""` for an untouched input has not given one.
 * Order follows `required`, so the customer is asked in the form's order.
 */
export function missingFields(submission: Readonly<Record<string, unknown>>, required: readonly string[]): string[] {
  return required.filter((field) => isBlank(Object.hasOwn(submission, field) ? submission[field] : undefined));
}

function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}
