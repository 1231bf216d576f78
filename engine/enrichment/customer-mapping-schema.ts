import type { JsonSchema } from '../../connectors/lib/connector.js';
import { FIELD_TYPES } from './coerce-value.js';

const FIELD: JsonSchema = {
  oneOf: [
    { type: 'string', minLength: 1, description: 'Dotted path into the CRM record, e.g. properties.name.' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', minLength: 1 },
        type: { enum: [...FIELD_TYPES], description: 'Coerce the value: "true"/"tak" → true, "0,12" → 0.12, "a;b" → ["a","b"].' },
      },
    },
  ],
};

/** A group of fields, nested up to `depth` levels (a schema embedded in a connector's cannot $ref itself). */
function group(depth: number): JsonSchema {
  return {
    type: 'object',
    minProperties: 1,
    additionalProperties: depth <= 1 ? FIELD : { anyOf: [FIELD, group(depth - 1)] },
  };
}

/**
 * JSON Schema of a CRM field mapping (see customer-mapping.ts), for the
 * connectors' credentials schemas: editors and `connections.yaml` validation
 * catch a wrong shape early; compileCustomerMapping checks the rest.
 */
export const CUSTOMER_MAPPING_SCHEMA: JsonSchema = {
  ...group(4),
  description: 'Our customer fact field → path into the CRM record (or { path, type }); nested objects build nested fields. Default: the record as it is.',
};
