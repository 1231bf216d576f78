import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../engine/runtime/package-root.js';
import { GENERATED, generateTypes } from './generate-types.js';

describe('schemas/types', () => {
  it.each(GENERATED)('%s.ts is generated from the current schema (run npm run gen:types)', async (name) => {
    const committed = await readFile(join(packageRoot(), 'schemas', 'types', `${name}.ts`), 'utf8');
    expect(committed).toBe(await generateTypes(name));
  });
});
