import type { Command } from 'commander';
import type { CliIo } from '../../cli-io.js';
import { registerMailImport } from './import.js';
import { registerMailParse } from './parse.js';
import { registerMailStatus } from './status.js';

/**
 * `triage mail …`: the e-mail channel from the command line (docs/email.md).
 * Wiring only: each subcommand lives in its own file next to this one.
 */
export function registerMail(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const mail = program.command('mail').description('E-mail channel: parse a message, import .eml/mbox files, mailbox status (docs/email.md)');
  registerMailParse(mail, io, setExit);
  registerMailImport(mail, io, setExit);
  registerMailStatus(mail, io, setExit);
}
