import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { packageRoot } from '../engine/runtime/package-root.js';

/**
 * The JSON Schemas in schemas/ are the single source: ajv validates with them
 * at run time, editors autocomplete from them, and the TypeScript types in
 * schemas/types/ are generated from them (`npm run gen:types`). A test fails
 * when the committed types are stale.
 */
export const GENERATED = ['rule-file', 'rule-test-file', 'config', 'connections', 'http/evaluate-request', 'http/decision', 'http/error', 'http/channel-phone-call', 'http/channel-chat-message', 'http/channel-form-submission', 'http/channel-response', 'http/ticket-create-request', 'http/ticket-update-request', 'http/ticket-message-request', 'http/ticket-list-query', 'http/customer-query', 'sla-calendar', 'sla-policy'] as const;

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
  for (const name of GENERATED) {
    const file = join(root, 'schemas', 'types', `${name}.ts`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, await generateTypes(name));
  }
}

if (process.argv[1]?.endsWith('generate-types.ts') === true) await writeGeneratedTypes();
