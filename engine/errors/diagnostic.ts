import { errorCatalogue, type ErrorCode } from './error-catalogue.js';
import { formatMessage } from './triage-error.js';

/** One problem found in a file, pointing at the exact place (1-based line and column). */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  code: ErrorCode;
  message: string;
  hint: string;
}

export function createDiagnostic(
  code: ErrorCode,
  where: { file: string; line: number; column: number },
  ...args: unknown[]
): Diagnostic {
  const def = errorCatalogue[code];
  return { file: where.file, line: where.line, column: where.column, code, message: formatMessage(def.message, args), hint: def.hint };
}

/** `rules/default/routing.yaml:14:9 TRIAGE_RULE_UNKNOWN_OPERATOR unknown operator "containz" (did you mean "contains"?)` */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`;
}
