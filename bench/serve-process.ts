/**
 * Server processes for the start-up, idle-memory and scale-out benchmarks:
 * `triage serve` (dist/cli/bin.js) or the bare Fastify baseline
 * (dist/bench/hello-server.js), spawned from the same node binary on a free
 * loopback port, timed from spawn until GET /readyz answers 200. Reads the
 * child's resident memory and CPU time from /proc (Linux), so the figures are
 * the server's own, not this process's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../engine/runtime/package-root.js';
import { freePort } from './free-port.js';

export const TRIAGE_BIN = join(packageRoot(), 'dist', 'cli', 'bin.js');
export const HELLO_SERVER = join(packageRoot(), 'dist', 'bench', 'hello-server.js');

export interface SpawnedServer {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn() until /readyz first answered 200. */
  readyMs: number;
  /** The last lines the process wrote (stdout + stderr), for error messages. */
  output(): string;
  /** SIGTERM (graceful) unless told otherwise; resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  /** Script run by node: TRIAGE_BIN (with args ['serve']) or HELLO_SERVER. */
  script: string;
  args?: string[];
  /** Options for node itself, before the script: SERVE_NODE_ARGS for `triage serve`, as npm start runs it. */
  nodeArgs?: readonly string[];
  /** Added to a clean environment (the parent's minus anything that configures triage). */
  env?: Record<string, string>;
  cwd: string;
  readyTimeoutMs?: number;
  /** How often /readyz is polled; it bounds the resolution of readyMs. */
  pollMs?: number;
}


function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('TRIAGE_') || k.startsWith('BENCH_') || ['PORT', 'HOST', 'DATABASE_URL'].includes(k)) continue;
    env[k] = v;
  }
  return env;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function spawnServer(options: SpawnOptions): Promise<SpawnedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const keep = (s: string): void => {
    out = (out + s).slice(-4000);
  };
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...cleanEnv(), HOST: '127.0.0.1', PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (!hasExited) child.kill(signal);
    await exited;
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  const pollMs = options.pollMs ?? 5;
  for (;;) {
    if (hasExited) throw new Error(`${options.script} exited before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`${options.script} was not ready within ${options.readyTimeoutMs ?? 60_000} ms:\n${out}`);
    }
    try {
      const r = await fetch(`${url}/readyz`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(pollMs);
  }
  const readyMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.pid === undefined) throw new Error('spawned process has no pid');
  return { url, pid: child.pid, child, readyMs: Math.round(readyMs * 10) / 10, output: () => out, stop };
}

/** Resident set size of a process in MiB (VmRSS), or undefined where /proc is not available. */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return undefined;
  }
}

/** User + system CPU time a process has used so far, in seconds (from /proc/<pid>/stat), or undefined. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux we run on (getconf CLK_TCK); node has no binding for sysconf.
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat), to put a run's CPU use in context. */
export function machineCpuTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const n = line.trim().split(/\s+/).slice(1).map(Number);
    const total = n.reduce((a, b) => a + b, 0);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}
