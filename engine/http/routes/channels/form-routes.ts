import type { FastifyInstance } from 'fastify';
import formSubmissionSchema from '../../../../schemas/http/channel-form-submission.schema.json' with { type: 'json' };
import type { FormSubmission } from '../../../../schemas/types/http/channel-form-submission.js';
import { compileForms, type CompiledForm } from '../../../channels/compile-forms.js';
import { completionRequest } from '../../../channels/completion-request.js';
import { normalizeFormSubmission } from '../../../channels/form-submission.js';
import { ingestFormSubmission } from '../../../channels/ingest-form-submission.js';
import { TriageError } from '../../../errors/triage-error.js';
import type { AppDeps } from '../../app-deps.js';
import { requestFingerprint } from '../../request-fingerprint.js';
import { withoutSchemaMeta } from '../../schema-for-route.js';
import { CHANNEL_RESPONSES, channelResponse } from './channel-response.js';
import { requestActor } from '../../request-actor.js';

const IDEMPOTENCY_HEADER = 'idempotency-key';

/**
 * POST /v1/channels/forms/{formId} — web forms (R4). One route per configured
 * form, because each form may be signed with its own secret (`form:<id>`) and
 * the auth hook reads the signing channel from the route; it also lists every
 * form with its fields in /openapi.json. Any other form id gets a coded 404.
 * Form schemas are compiled here, once: a broken one fails the start-up.
 */
export function registerFormRoutes(app: FastifyInstance, deps: AppDeps): void {
  const forms = compileForms(deps.config.channels.forms ?? {});
  for (const form of forms.values()) registerForm(app, deps, form);

  app.post<{ Params: { formId: string } }>(
    '/v1/channels/forms/:formId',
    // Public on purpose: it only ever answers "no such form", whoever asks.
    { schema: { hide: true } },
    async (request) => {
      throw new TriageError('TRIAGE_CHANNEL_UNKNOWN_FORM', [request.params.formId.slice(0, 100)]);
    },
  );
}

function registerForm(app: FastifyInstance, deps: AppDeps, form: CompiledForm): void {
  app.post<{ Body: FormSubmission; Headers: { [IDEMPOTENCY_HEADER]?: string } }>(
    `/v1/channels/forms/${form.id}`,
    {
      config: { scope: 'channels', signedBy: `form:${form.id}` },
      // JSON bodies keep their types: `"submissionId": 42` is refused, not turned into "42".
      schema: {
        tags: ['channels'],
        summary: `Submit the form "${form.config.title ?? form.id}"`,
        description: describeForm(form),
        headers: {
          type: 'object',
          properties: { [IDEMPOTENCY_HEADER]: { type: 'string', minLength: 1, maxLength: 200, description: 'Used as the submission id when the body has no submissionId.' } },
        },
        body: withoutSchemaMeta(formSubmissionSchema),
        response: CHANNEL_RESPONSES,
        security: [{ apiKey: [] }],
      },
    },
    async (request, reply) => {
      const { submissionId, ...fields } = request.body;
      const problems = form.validate(fields);
      if (problems.length > 0) {
        throw new TriageError('TRIAGE_HTTP_VALIDATION', [problems.map((p) => `${p.path} ${p.message}`).join('; ')], { details: problems });
      }
      // The form's own id, else the Idempotency-Key, else the content's digest: a form that
      // sends no id at all still gets one ticket for a retried POST of the same body.
      const externalId = submissionId ?? request.headers[IDEMPOTENCY_HEADER] ?? requestFingerprint(fields);
      const submission = normalizeFormSubmission({ formId: form.id, form: form.config, fields, externalId });
      const result = await ingestFormSubmission(deps.tickets, submission, requestActor(request));
      const actions =
        result.missingFields.length > 0 ? [completionRequest(result.ticket.number, result.missingFields, form.config.schema, form.config.incompleteText)] : [];
      return reply
        .status(result.created ? 201 : 200)
        .send(channelResponse(result.ticket, { created: result.created, duplicate: !result.created, decision: result.decision }, { missingFields: result.missingFields, actions }));
    },
  );
}

/** The form's contract in words, for /openapi.json and /docs. */
function describeForm(form: CompiledForm): string {
  const schema = form.config.schema as { properties?: Record<string, unknown>; required?: unknown };
  const fields = Object.keys(schema.properties ?? {});
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const lines = [
    `The submission is checked against the JSON Schema in channels.forms.${form.id}.schema (errors: 400 TRIAGE_HTTP_VALIDATION naming each field).`,
    fields.length > 0 ? `Fields: ${fields.join(', ')}${required.length > 0 ? `; required: ${required.join(', ')}` : ''}.` : '',
  ];
  const typeField = form.config.typeField ?? 'type';
  for (const [type, category] of Object.entries(form.config.categories ?? {})) {
    const needs = form.config.requiredByCategory?.[category] ?? [];
    lines.push(`${typeField} "${type}" → category ${category}${needs.length > 0 ? `, complete with ${needs.join(', ')}` : ''}.`);
  }
  lines.push(
    'A submission missing fields its category requires still creates the ticket, pending and tagged incomplete; missingFields and a requestInformation action say what to ask the customer.',
    'The same submissionId (or Idempotency-Key) never creates a second ticket. Authenticate with an API key (scope channels) or sign the body with this form\'s secret.',
  );
  return lines.filter((l) => l !== '').join(' ');
}
