/**
 * How every benchmark ends: a failed correctness check is printed and exits 1
 * (a figure from a run that lost tickets or answered wrongly is not a figure),
 * and so does a crash.
 */
export function failOnProblems(problems: readonly string[]): void {
  if (problems.length === 0) return;
  for (const p of problems) console.error(`FAILED ${p}`);
  process.exit(1);
}

/** Run a benchmark's main function; any error is printed and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
