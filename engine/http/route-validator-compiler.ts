import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; under NodeNext its default import is the module object's type.
const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;

const common: Options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };
// Query strings, params and headers arrive as text: "limit=10" must become 10
// and a single "status=open" a one-element list.
const textParts = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
// JSON bodies carry their own types: `"subject": 123` is a client bug to
// report, not a string to invent (the app-wide Fastify ajv coerces bodies too).
const bodies = addFormats(new Ajv({ ...common, coerceTypes: false }));

/**
 * A route-level validatorCompiler: strict types for bodies, coercion for the
 * parts that are text on the wire. Errors keep ajv's shape, so the app's
 * error handler turns them into TRIAGE_HTTP_VALIDATION as usual.
 */
export const routeValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodies : textParts).compile(schema as object);
