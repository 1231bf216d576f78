import type { CliIo } from './cli-io.js';

/** A CliIo that records output, for command tests. */
export function bufferIo(stdin = '', env: Record<string, string | undefined> = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readStdin: () => Promise.resolve(stdin),
    env,
    out: () => out,
    err: () => err,
  };
}
