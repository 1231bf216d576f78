/**
 * The V8 options `triage serve` runs with: in `npm start`, in the shebang of
 * the `triage` bin, and for the server processes the benchmarks start
 * (serve-node-args.test.ts keeps the three in step).
 *
 * Why a 64 MiB semi-space instead of V8's 16 MiB: a new ticket allocates
 * about 200 KB on the event loop, and with 20 requests in flight a 16 MiB
 * young generation filled every few dozen milliseconds while many of those
 * objects were still alive, so each scavenge copied megabytes and promoted
 * them into the old generation, whose marking then ran on the helper threads
 * (about a fifth of a core in the ingest bench). With 64 MiB most of it dies
 * before the next scavenge: ingest took 10–15 % less CPU per ticket in the
 * same run (docs/performance.md). The price is memory: the start-up's own
 * allocations fill the larger space before its first scavenge, so a server
 * is about 30 MiB larger when ready (measured 182–189 → 214–216 MiB with the
 * shipped rules), and under load the young generation may take up to
 * 128 MiB (two semi-spaces). A node started without it (NODE_OPTIONS, a
 * process manager) runs the same, only slower.
 */
export const SERVE_NODE_ARGS: readonly string[] = ['--max-semi-space-size=64'];
