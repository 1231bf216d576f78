import type { Command } from 'commander';
import { formatDiagnostic } from '../../../engine/errors/diagnostic.js';
import { TriageError } from '../../../engine/errors/triage-error.js';
import { evaluate } from '../../../rules/lib/evaluate.js';
import { loadRuleSet } from '../../../rules/lib/load-rule-set.js';
import type { FactObject } from '../../../rules/lib/rule-types.js';
import { EXIT, type CliIo } from '../../cli-io.js';
import { defaultRulesDir, readInput } from '../../read-input.js';

interface EvalOptions {
  rules?: string;
  ticket: string;
  customer?: string;
  message?: string;
  sla?: string;
  event?: string;
  now?: string;
  explain?: boolean;
}

export function registerEval(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('eval')
    .description('Evaluate one ticket against a rule set and print the decision as JSON')
    .option('--rules <dir>', 'rule directory (default: $TRIAGE_RULES or rules/default)')
    .requiredOption('--ticket <file>', 'ticket as JSON or YAML file, or - for standard input')
    .option('--customer <file>', 'customer facts (JSON or YAML)')
    .option('--message <file>', 'message facts (JSON or YAML)')
    .option('--sla <file>', 'SLA facts (JSON or YAML)')
    .option('--event <event>', 'event to evaluate', 'ticket.created')
    .option('--now <iso>', 'evaluate as if it were this time (ISO-8601)')
    .option('--explain', 'include the trace: every rule, every condition with the actual fact value')
    .action(async (opts: EvalOptions) => {
      const loaded = await loadRuleSet(opts.rules ?? defaultRulesDir(io));
      if (!loaded.ok) {
        for (const d of loaded.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
        setExit(EXIT.failed);
        return;
      }
      const ticket = await readInput(opts.ticket, io);
      if (!ticket || typeof ticket !== 'object' || Array.isArray(ticket)) {
        throw new TriageError('TRIAGE_EVAL_INVALID_INPUT', [`${opts.ticket} must hold a JSON/YAML object`]);
      }
      const optional = async (p: string | undefined): Promise<FactObject | undefined> => (p === undefined ? undefined : ((await readInput(p, io)) as FactObject));
      const decision = await evaluate(
        loaded.ruleSet,
        {
          event: opts.event ?? 'ticket.created',
          ticket: ticket as FactObject,
          message: await optional(opts.message),
          customer: await optional(opts.customer),
          sla: await optional(opts.sla),
          ...(opts.now === undefined ? {} : { now: opts.now }),
        },
        { explain: opts.explain === true },
      );
      io.stdout(`${JSON.stringify(decision, null, 2)}\n`);
      setExit(EXIT.ok);
    });
}
