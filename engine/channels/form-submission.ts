import type { FormConfig } from '../../schemas/types/config.js';
import type { CreateTicketInput } from '../tickets/ticket-input.js';
import { missingFields } from './missing-fields.js';

/** Tag of a ticket whose submission lacks fields its category requires (R4). */
export const INCOMPLETE_TAG = 'incomplete';
export const FORM_CHANNEL = 'form';

export interface FormSubmissionInput {
  formId: string;
  form: FormConfig;
  /** The submitted fields, already valid against the form's schema, without the reserved `submissionId`. */
  fields: Readonly<Record<string, unknown>>;
  /** The submission id, the Idempotency-Key, or a digest of the fields (see form-routes). */
  externalId: string;
}

export interface NormalizedFormSubmission {
  ticket: CreateTicketInput;
  /** Value of the form's type field (`complaint`, `contact`…), if given. */
  type: string | null;
  /** The category the type maps to, if it maps to one. */
  category: string | null;
  /** Fields the category requires that the submission lacks; empty when complete. */
  missingFields: string[];
}

const DEFAULT_FIELD_NAMES = { email: 'email', phone: 'phone', name: 'name', subject: 'subject', message: 'message' } as const;
const MAX_SUBJECT = 200;

/**
 * A web form submission → the ticket it creates (R4). The form type maps to
 * a category; fields that category requires but the submission lacks do not
 * reject it (nothing the customer typed is lost): the ticket is tagged
 * `incomplete` and keeps the list in `data.missingFields`, where agents and
 * rules (`ticket.missingFields`) see it. Pure: no I/O.
 */
export function normalizeFormSubmission(input: FormSubmissionInput): NormalizedFormSubmission {
  const { formId, form, fields, externalId } = input;
  const names = { ...DEFAULT_FIELD_NAMES, ...form.fields };
  const type = textField(fields, form.typeField ?? 'type') ?? null;
  const category = type === null ? null : (form.categories?.[type] ?? null);
  const missing = category === null ? [] : missingFields(fields, form.requiredByCategory?.[category] ?? []);
  const email = textField(fields, names.email);
  const name = textField(fields, names.name);
  const phone = textField(fields, names.phone);
  const formTitle = form.title ?? formId;

  const ticket: CreateTicketInput = {
    source: `form:${formId}`,
    externalId,
    channel: FORM_CHANNEL,
    subject: (textField(fields, names.subject) ?? (type === null ? formTitle : `${formTitle}: ${type}`)).slice(0, MAX_SUBJECT),
    message: {
      direction: 'inbound',
      ...(email === undefined ? {} : { from: { address: email, name: name ?? null } }),
      text: textField(fields, names.message) ?? describeFields(fields),
    },
    customer: { email: email ?? null, phone: phone ?? null, name: name ?? null },
    tags: missing.length > 0 ? [FORM_CHANNEL, INCOMPLETE_TAG] : [FORM_CHANNEL],
    ...(category === null ? {} : { fields: { category } }),
    data: {
      form: { id: formId, title: formTitle, type, complete: missing.length === 0, fields: structuredClone(fields) },
      ...(missing.length > 0 ? { missingFields: missing } : {}),
    },
  };
  return { ticket, type, category, missingFields: missing };
}

/** A trimmed non-empty string (numbers too: phone fields are often typed as numbers), else undefined. */
function textField(fields: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * The message body of a form without a free-text field: one `field: value`
 * line per field, so agents read the submission and keyword rules match it.
 */
function describeFields(fields: Readonly<Record<string, unknown>>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');
}
