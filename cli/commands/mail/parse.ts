import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { TriageError } from '../../../engine/errors/triage-error.js';
import { parseMail, toMailParseOutput } from '../../../engine/mail/parse-mail.js';
import { EXIT, type CliIo } from '../../cli-io.js';

/**
 * `triage mail parse FILE.eml`: the normalized message as JSON, in the
 * contract shape of toMailParseOutput (external tools rely on it). Broken
 * MIME is not an error: what was found is printed, exit 0, and each problem
 * goes to stderr as a `warning:` line so stdout stays valid JSON. A file
 * that cannot be read is bad input: TRIAGE_MAIL_FILE_UNREADABLE, exit 2.
 */
export function registerMailParse(mail: Command, io: CliIo, setExit: (code: number) => void): void {
  mail
    .command('parse')
    .description('Print one raw message (.eml) as normalized JSON: addresses, subject, date, text, sanitized HTML, threading ids, attachments, auto-reply flags')
    .argument('<file>', 'a raw RFC 822 message (.eml)')
    .option('--full', 'print everything parsing found: also replyTo, newText (without quoted history), headers, rawSha256 and problems')
    .option('--loop-marker <value>', 'our own X-Loop value, flagged as a mail loop (default: triage)')
    .action(async (file: string, opts: { full?: boolean; loopMarker?: string }) => {
      let raw: Buffer;
      try {
        raw = await readFile(file);
      } catch (e) {
        const error = new TriageError('TRIAGE_MAIL_FILE_UNREADABLE', [file, e instanceof Error ? e.message : String(e)]);
        // Unreadable input is a usage error (exit 2) by the convention of cli-io.ts.
        io.stderr(`${error.code} ${error.message}\n  hint: ${error.hint}\n`);
        setExit(EXIT.usage);
        return;
      }
      const parsed = await parseMail(raw, opts.loopMarker === undefined ? {} : { loopMarker: opts.loopMarker });
      const output =
        opts.full === true
          ? {
              ...toMailParseOutput(parsed),
              replyTo: parsed.replyTo,
              newText: parsed.newText,
              headers: parsed.headers,
              rawSha256: parsed.rawSha256,
              problems: parsed.problems,
            }
          : toMailParseOutput(parsed);
      io.stdout(`${JSON.stringify(output, null, 2)}\n`);
      for (const problem of parsed.problems) io.stderr(`warning: ${file}: ${problem}\n`);
      setExit(EXIT.ok);
    });
}
