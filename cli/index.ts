import { Command, CommanderError } from 'commander';
import { isTriageError } from '../engine/errors/triage-error.js';
import { packageVersion } from '../engine/runtime/package-root.js';
import { EXIT, type CliIo } from './cli-io.js';
import { registerConnectors } from './commands/connectors/index.js';
import { registerEval } from './commands/eval/index.js';
import { registerGdpr } from './commands/gdpr/index.js';
import { registerKeys } from './commands/keys/index.js';
import { registerMail } from './commands/mail/index.js';
import { registerOutbox } from './commands/outbox/index.js';
import { registerReport } from './commands/report/index.js';
import { registerReplay } from './commands/replay/index.js';
import { registerRules } from './commands/rules/index.js';
import { registerServe } from './commands/serve/index.js';
import { registerSla } from './commands/sla/index.js';
import { registerTest } from './commands/test/index.js';
import { registerValidate } from './commands/validate/index.js';

/** Wiring only: every command lives in cli/commands/<name>/index.ts. Returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command()
    .name('triage')
    .description('Rules engine and connector library for service desks')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError();
  registerValidate(program, io, setExit);
  registerTest(program, io, setExit);
  registerEval(program, io, setExit);
  registerServe(program, io, setExit);
  registerKeys(program, io, setExit);
  registerGdpr(program, io, setExit);
  registerConnectors(program, io, setExit);
  registerOutbox(program, io, setExit);
  registerMail(program, io, setExit);
  registerSla(program, io, setExit);
  registerReport(program, io, setExit);
  registerRules(program, io, setExit);
  registerReplay(program, io, setExit);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isTriageError(e)) {
      io.stderr(`${e.code} ${e.message}\n  hint: ${e.hint}\n`);
      const usage = e.code === 'TRIAGE_CLI_INPUT' || e.code === 'TRIAGE_CLI_USAGE' || e.code.startsWith('TRIAGE_EVAL_') || e.code === 'TRIAGE_GOVERNANCE_INVALID_SINCE' || e.code === 'TRIAGE_REPLAY_TICKETS_FILE' || (e.code.startsWith('TRIAGE_AUTH_') && e.status === 400);
      return usage ? EXIT.usage : EXIT.failed;
    }
    io.stderr(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.internal;
  }
}
