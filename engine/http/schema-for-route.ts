/**
 * The JSON Schemas in schemas/ carry `$schema`/`$id` for editors and the type
 * generator; Fastify and @fastify/swagger want the plain schema body inline.
 */
export function withoutSchemaMeta<T extends Record<string, unknown>>(schema: T): Omit<T, '$schema' | '$id'> {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}
