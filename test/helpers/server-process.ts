/**
 * The real `triage serve` process for end-to-end tests and drills: spawned
 * from dist/cli/bin.js (built by `npm test` before vitest starts) on a free
 * port with a clean environment, ready when /readyz answers 200, stoppable
 * with any signal (SIGKILL for crash drills).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { freePort } from '../../bench/free-port.js';

export { freePort };

export const root = packageRoot();
export const bin = join(root, 'dist', 'cli', 'bin.js');


export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal that killed it). */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** The parent's environment minus anything that would configure triage: each test states its own. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('TRIAGE_') || ['PORT', 'HOST', 'DATABASE_URL'].includes(k)) continue;
    env[k] = v;
  }
  return env;
}

export async function startProcess(env: Record<string, string>, options: { port?: number; readyTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd: root,
    env: { ...cleanEnv(), HOST: '127.0.0.1', PORT: String(port), TRIAGE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = `http://127.0.0.1:${port}`;
  const proc: ServerProcess = {
    url,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  // Ready = /readyz answers 200 (database reachable, rule set loaded) and the start-up lines are in.
  // Generous: a loaded 2-core CI machine has needed more than 15 s to start the real process. A bound, not a timing.
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + readyTimeoutMs;
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  for (;;) {
    if (exitedEarly) throw new Error(`triage serve exited before it was ready:\n${err}\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`triage serve was not ready within ${readyTimeoutMs} ms:\n${err}\n${out}`);
    }
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200 && err.includes('listening on')) return proc;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
}

/** A one-shot `triage` command (e.g. `keys create`) next to the running server. */
export async function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
