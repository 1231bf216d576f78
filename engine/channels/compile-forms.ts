import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FormConfig } from '../../schemas/types/config.js';
import { TriageError } from '../errors/triage-error.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;

/** One problem with a submission, in the shape the HTTP error handler uses for body validation. */
export interface FormFieldProblem {
  /** `body/orderNumber`, `body/items/0/qty`. */
  path: string;
  /** The top-level submission field concerned, when there is one. */
  field?: string;
  message: string;
}

export interface CompiledForm {
  id: string;
  config: FormConfig;
  /** Problems with the submission's fields; empty when it satisfies the form's schema. */
  validate(fields: Record<string, unknown>): FormFieldProblem[];
}

// Keyed by the config object: a config is compiled once, however many apps are built from it.
const compiled = new WeakMap<object, ReadonlyMap<string, CompiledForm>>();

/**
 * Compile the JSON Schema of every configured form up front, so a broken
 * schema stops the server at start-up (TRIAGE_CHANNEL_FORM_SCHEMA) instead of
 * failing the first customer who submits the form.
 */
export function compileForms(forms: Readonly<Record<string, FormConfig>>): ReadonlyMap<string, CompiledForm> {
  const cached = compiled.get(forms);
  if (cached !== undefined) return cached;
  const out = new Map<string, CompiledForm>();
  for (const [id, config] of Object.entries(forms)) out.set(id, compileForm(id, config));
  compiled.set(forms, out);
  return out;
}

export function compileForm(id: string, config: FormConfig): CompiledForm {
  let validator: ValidateFunction;
  try {
    validator = ajvFor(config.schema).compile(config.schema);
  } catch (e) {
    throw new TriageError('TRIAGE_CHANNEL_FORM_SCHEMA', [id, e instanceof Error ? e.message : String(e)]);
  }
  return {
    id,
    config,
    validate(fields) {
      if (validator(fields)) return [];
      return (validator.errors ?? []).map(toProblem);
    },
  };
}

/**
 * A fresh Ajv per form: two forms may reuse the same `$id`, which one shared
 * instance would refuse. The dialect follows the schema's `$schema`
 * (draft-07 unless it names 2019-09 or 2020-12).
 */
function ajvFor(schema: object): Ajv {
  const dialect = (schema as { $schema?: unknown }).$schema;
  // Unknown keywords (e.g. `title` extensions, UI hints) are common in form schemas: not an error.
  const options = { allErrors: true, strict: false } as const;
  const ajv = typeof dialect === 'string' && dialect.includes('2020-12') ? new Ajv2020(options)
    : typeof dialect === 'string' && dialect.includes('2019-09') ? new Ajv2019(options)
    : new Ajv(options);
  addFormats(ajv);
  return ajv;
}

function toProblem(error: ErrorObject): FormFieldProblem {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const extra = error.keyword === 'required' ? params.missingProperty : error.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  const pointer = extra === undefined ? error.instancePath : `${error.instancePath}/${extra}`;
  const field = pointer.split('/')[1];
  const message = error.keyword === 'additionalProperties' ? 'is not a field of this form' : (error.message ?? 'is invalid');
  return { path: `body${pointer}`, ...(field ? { field: unescapePointer(field) } : {}), message };
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
