import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { packageRoot } from '../engine/runtime/package-root.js';

/**
 * The JSON Schemas in schemas/ are the single source: ajv validates with them
 * at run time, editors autocomplete from them, and the TypeScript types in
 * schemas/types/ are generated from them (`npm run gen:types`). A test fails
 * when the committed types are stale.
 */
export const GENERATED = ['rule-file', 'rule-test-file', 'config'] as const;

export async function generateTypes(name: string): Promise<string> {
  const root = packageRoot();
  const schema = JSON.parse(await readFile(join(root, 'schemas', `${name}.schema.json`), 'utf8')) as Parameters<typeof compile>[0];
  return compile(schema, schema.title ?? name, {
    bannerComment: `/* Generated from schemas/${name}.schema.json by \`npm run gen:types\`. Do not edit. */`,
    additionalProperties: false,
    style: { singleQuote: true, printWidth: 120 },
    unreachableDefinitions: true,
  });
}

export async function writeGeneratedTypes(): Promise<void> {
  const root = packageRoot();
  for (const name of GENERATED) await writeFile(join(root, 'schemas', 'types', `${name}.ts`), await generateTypes(name));
}

if (process.argv[1]?.endsWith('generate-types.ts') === true) await writeGeneratedTypes();
