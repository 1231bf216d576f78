/* Generated from schemas/http/channel-form-submission.schema.json by `npm run gen:types`. Do not edit. */

/**
 * A web form submission (POST /v1/channels/forms/{formId}): the form's fields, checked against the JSON Schema configured for that form (channels.forms.<formId>.schema). submissionId is reserved: it is taken out before that check and makes re-delivery safe (the Idempotency-Key header does the same).
 */
export interface FormSubmission {
  /**
   * The form's own id of this submission; the same id never creates a second ticket.
   */
  submissionId?: string;
  [k: string]: unknown;
}
