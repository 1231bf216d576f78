import { readFileSync } from 'node:fs';

/** Linux reports thread times in clock ticks of 1/100 s (USER_HZ, the same on every Linux architecture Node runs on). */
const MICROS_PER_TICK = 10_000;

/**
 * CPU time (user + system) of this process's main thread, the one that runs
 * the event loop, in µs; undefined where /proc does not say (not Linux).
 *
 * process.cpuUsage() counts every thread of the process (the SQLite writer,
 * V8's garbage-collection helpers, the checkpointer, libuv's pool). Set
 * against it, this tells whether the event loop is the thread a route waits
 * for or whether the others are. The main thread's id is the process id.
 * Resolution is one tick (10 ms): fine over a run of seconds.
 */
export function eventLoopCpuMicros(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 (0-based 11, 12) after the name.
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return Number.isFinite(user) && Number.isFinite(system) ? (user + system) * MICROS_PER_TICK : undefined;
}
