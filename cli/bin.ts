#!/usr/bin/env -S node --max-semi-space-size=64
// The V8 options of engine/server/serve-node-args.ts (why: there); `npm start` passes the same.
import { processIo } from './cli-io.js';
import { runCli } from './index.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
