import { formatDiagnostic } from '../errors/diagnostic.js';
import { TriageError } from '../errors/triage-error.js';
import { loadRuleSet } from '../../rules/lib/load-rule-set.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';

/** A rule set for a governance report or a replay; an invalid one is a coded error naming its first problems. */
export async function loadRulesOrThrow(dir: string): Promise<RuleSet> {
  const result = await loadRuleSet(dir);
  if (result.ok) return result.ruleSet;
  const shown = result.diagnostics.slice(0, 3).map(formatDiagnostic).join('; ');
  const more = result.diagnostics.length > 3 ? ` (and ${result.diagnostics.length - 3} more)` : '';
  throw new TriageError('TRIAGE_REPLAY_RULES_INVALID', [dir, `${shown}${more}`], { details: { diagnostics: result.diagnostics } });
}
