import { cpus, release, totalmem, type, loadavg } from 'node:os';

/** Where a benchmark ran: written into every bench/results/*.json, shown in docs/performance.md. */
export interface MachineDescription {
  /** Logical cores. */
  cpus: number;
  model: string;
  ramGiB: number;
  node: string;
  /** OS name and kernel release, e.g. "Linux 6.1.0-18-amd64". */
  kernel: string;
  /** Load average over the last minute when the result was written: the machine is shared, this says how busy it was. */
  loadAverage1m: number;
}

export function describeMachine(): MachineDescription {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: `${type()} ${release()}`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
