import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { TriageError } from '../engine/errors/triage-error.js';
import type { CliIo } from './cli-io.js';

/** Read a JSON or YAML document from a file, or from standard input when the path is `-`. */
export async function readInput(path: string, io: CliIo): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' ? await io.readStdin() : await readFile(path, 'utf8');
  } catch (e) {
    throw new TriageError('TRIAGE_CLI_INPUT', [path, e instanceof Error ? e.message : String(e)]);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch (e) {
    throw new TriageError('TRIAGE_CLI_INPUT', [path, e instanceof Error ? e.message.split('\n')[0] : String(e)]);
  }
}

export function defaultRulesDir(io: CliIo): string {
  return io.env.TRIAGE_RULES ?? 'rules/default';
}
