import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../runtime/package-root.js';
import { SERVE_NODE_ARGS } from './serve-node-args.js';

describe('SERVE_NODE_ARGS', () => {
  const root = packageRoot();

  it('are what npm start and the bin shebang pass to node', () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe(`node ${SERVE_NODE_ARGS.join(' ')} dist/cli/bin.js serve`);
    expect(readFileSync(join(root, 'cli', 'bin.ts'), 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${SERVE_NODE_ARGS.join(' ')}`);
    // The HTTP bench runs the servers in its own process: it must run as `triage serve` does.
    expect(scripts.bench).toContain(`node ${SERVE_NODE_ARGS.join(' ')} dist/bench/http-bench.js`);
  });

  it('are accepted by this node and give the young generation its room', () => {
    const probe = "const v8 = require('node:v8'); let keep = []; for (let i = 0; i < 4e6; i++) { keep.push({ i }); if (keep.length > 300000) keep = []; } const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space'); console.log(s.space_size);";
    const run = (args: readonly string[]): number => {
      const r = spawnSync(process.execPath, [...args, '-e', probe], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout.trim());
    };
    expect(run(SERVE_NODE_ARGS)).toBeGreaterThan(run([]));
  });
});
