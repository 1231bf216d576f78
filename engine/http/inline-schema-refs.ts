import { withoutSchemaMeta } from './schema-for-route.js';

type SchemaObject = Record<string, unknown>;

/**
 * The response schemas in schemas/http/ reuse each other by file
 * (`{ "$ref": "ticket.schema.json" }`), which editors resolve next to the
 * file. Fastify's validator, serializer and @fastify/swagger each resolve
 * references differently, so routes get one self-contained schema instead:
 * every `<name>.schema.json` reference is replaced by that file's body
 * (without `$schema`/`$id`), recursively. Keywords next to a `$ref` are kept.
 * An unknown file, or any other kind of reference, throws at start-up.
 */
export function inlineSchemaRefs(schema: SchemaObject, files: Readonly<Record<string, SchemaObject>>): SchemaObject {
  const inline = (node: unknown, trail: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((n) => inline(n, trail));
    if (typeof node !== 'object' || node === null) return node;
    const { $ref, ...rest } = node as SchemaObject;
    const out: SchemaObject = {};
    for (const [key, value] of Object.entries(rest)) out[key] = inline(value, trail);
    if ($ref === undefined) return out;
    if (typeof $ref !== 'string' || !/^[a-z0-9-]+\.schema\.json$/.test($ref)) throw new Error(`inlineSchemaRefs: unsupported $ref ${String($ref)}`);
    const target = files[$ref];
    if (target === undefined) throw new Error(`inlineSchemaRefs: ${$ref} was not given`);
    if (trail.includes($ref)) throw new Error(`inlineSchemaRefs: circular $ref ${[...trail, $ref].join(' → ')}`);
    return { ...(inline(withoutSchemaMeta(target), [...trail, $ref]) as SchemaObject), ...out };
  };
  return inline(withoutSchemaMeta(schema), []) as SchemaObject;
}
