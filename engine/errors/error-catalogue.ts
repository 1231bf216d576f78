/**
 * The catalogue of coded errors. Every error triage reports to a user carries a
 * stable code from this table, a message that says what went wrong, and a hint
 * that says how to fix it. docs/errors.md documents every code; a test keeps the
 * two in step, so adding a code here without documenting it fails the build.
 */
export interface ErrorDefinition {
  /** printf-style message; `%s` placeholders are filled in order. */
  readonly message: string;
  /** HTTP status used when the error crosses the API. */
  readonly status: number;
  /** What the user can do about it. */
  readonly hint: string;
}

export const errorCatalogue = {
  // --- rule files (validation diagnostics carry file:line:col) ---
  TRIAGE_RULE_SET_NOT_FOUND: { message: 'Rule set directory %s does not exist or is not readable', status: 400, hint: 'Pass the directory that holds your *.yaml / *.yml / *.json rule files.' },
  TRIAGE_RULE_SET_EMPTY: { message: 'Rule set %s contains no rule files', status: 400, hint: 'Add at least one *.yaml, *.yml or *.json file with a `rules:` list.' },
  TRIAGE_RULE_FILE_READ: { message: 'Cannot read rule file: %s', status: 400, hint: 'Check the file exists and is readable.' },
  TRIAGE_RULE_SYNTAX: { message: '%s', status: 400, hint: 'Fix the YAML/JSON syntax at the position shown (indentation, quotes, brackets).' },
  TRIAGE_RULE_SCHEMA: { message: '%s', status: 400, hint: 'Compare the file with schemas/rule-file.schema.json; editors with the YAML language server show these errors as you type.' },
  TRIAGE_RULE_DUPLICATE_ID: { message: 'duplicate rule id "%s" (first defined at %s)', status: 400, hint: 'Rule ids must be unique across all files of a rule set; rename one of them.' },
  TRIAGE_RULE_UNKNOWN_OPERATOR: { message: 'unknown operator "%s"%s', status: 400, hint: 'See docs/operators.md for the list of operators.' },
  TRIAGE_RULE_BAD_OPERATOR_VALUE: { message: 'operator "%s" %s', status: 400, hint: 'See docs/operators.md for the value each operator expects.' },
  TRIAGE_RULE_UNKNOWN_FACT: { message: 'unknown fact "%s"%s', status: 400, hint: 'Facts are ticket, message, customer, sla and now.' },
  TRIAGE_RULE_UNKNOWN_PATH: { message: 'unknown path "%s" on fact "%s"%s', status: 400, hint: 'See docs/rule-language.md for the fields of each fact; use a plain dotted path such as subject or from.domain.' },
  TRIAGE_RULE_UNKNOWN_ACTION: { message: 'unknown action "%s"%s', status: 400, hint: 'See docs/rule-language.md for the list of actions.' },
  TRIAGE_RULE_BAD_ACTION_PARAMS: { message: 'action "%s": %s', status: 400, hint: 'See docs/rule-language.md for the parameters of each action.' },
  TRIAGE_RULE_UNKNOWN_EVENT: { message: 'unknown event "%s"%s', status: 400, hint: 'Events are ticket.created, message.received, ticket.updated, status.changed, sla.warning, sla.breached, ticket.closed and schedule.<name>.' },
  TRIAGE_RULE_INVALID_REGEX: { message: 'invalid regular expression %s: %s', status: 400, hint: 'Fix the pattern; it is a JavaScript regular expression.' },
  TRIAGE_RULE_UNSAFE_REGEX: { message: 'regular expression %s can backtrack catastrophically', status: 400, hint: 'Avoid nested quantifiers such as (a+)+ or (a|a)*; prefer containsAnyWord / containsAnyPhrase for keyword matching.' },
  TRIAGE_RULE_UNKNOWN_LIST: { message: 'unknown list "%s"%s', status: 400, hint: 'Define the list under `lists:` in one of the rule files.' },
  TRIAGE_RULE_DUPLICATE_LIST: { message: 'list "%s" is defined twice (first at %s)', status: 400, hint: 'Each named list is defined once per rule set.' },
  TRIAGE_RULE_DUPLICATE_SETTINGS: { message: 'settings are defined twice (first at %s)', status: 400, hint: 'Put `settings:` in one rule file only.' },
  TRIAGE_RULE_NEVER_FIRES: { message: 'rule "%s" can never fire: %s', status: 400, hint: 'Remove the contradiction, or delete the rule.' },
  TRIAGE_RULE_BAD_TEMPLATE: { message: 'template %s', status: 400, hint: 'Templates use {{fact.path}} placeholders with facts ticket, message, customer, sla and now.' },
  TRIAGE_RULE_SET_INVALID: { message: 'Rule set %s is invalid: %s error(s)', status: 400, hint: 'Run `triage validate` on the directory to list every error with file:line:col.' },

  // --- evaluation ---
  TRIAGE_EVAL_INVALID_INPUT: { message: 'Invalid evaluation input: %s', status: 400, hint: 'The input needs at least a ticket object; see schemas/evaluate-request.schema.json.' },
  TRIAGE_EVAL_UNKNOWN_EVENT: { message: 'Unknown event "%s"', status: 400, hint: 'Events are ticket.created, message.received, ticket.updated, status.changed, sla.warning, sla.breached, ticket.closed and schedule.<name>.' },
  TRIAGE_EVAL_FACT_FAILED: { message: 'Fact "%s" could not be loaded: %s', status: 502, hint: 'Check the fact source (for customer: the CRM connection).' },

  // --- rule tests ---
  TRIAGE_TEST_FILE_INVALID: { message: '%s', status: 400, hint: 'Compare the test file with schemas/rule-test-file.schema.json.' },

  // --- store and lifecycle ---
  TRIAGE_STORE_UNAVAILABLE: { message: 'Database is not reachable: %s', status: 503, hint: 'Check DATABASE_URL (or the SQLite file path) and that the database server is running.' },
  TRIAGE_TICKET_NOT_FOUND: { message: 'Ticket %s not found', status: 404, hint: 'Use the ticket id or its number (e.g. T-000042).' },
  TRIAGE_TICKET_ILLEGAL_TRANSITION: { message: 'Ticket %s cannot move from %s to %s', status: 409, hint: 'Allowed: new→open|pending|solved, open→pending|solved, pending→open|solved, solved→open|closed; closed is final.' },
  TRIAGE_TICKET_INVALID: { message: 'Invalid ticket: %s', status: 400, hint: 'See schemas/http/ticket-create-request.schema.json (or /docs) for the fields a ticket takes.' },
  TRIAGE_TICKET_IDEMPOTENCY_CONFLICT: { message: 'Ticket %s was already created from a different request with the idempotency key %s', status: 409, hint: 'An Idempotency-Key (or source + externalId) identifies one request: resend the same body to get the stored ticket, or use a new key for a new ticket.' },
  TRIAGE_CUSTOMER_NOT_FOUND: { message: 'Customer %s not found', status: 404, hint: 'Use the customerId of a ticket (GET /v1/tickets/{id}).' },

  // --- configuration ---
  TRIAGE_CONFIG_INVALID: { message: 'Configuration %s is invalid: %s', status: 500, hint: 'Compare triage.config.yaml with schemas/config.schema.json (see docs/configuration.md).' },
  TRIAGE_CONFIG_MISSING_ENV: { message: 'Configuration references unset environment variables: %s', status: 500, hint: 'Export the variables named, or remove the ${env:…} references.' },
  TRIAGE_CONFIG_LITERAL_SECRET: { message: 'Secrets must be ${env:NAME} references, found literal values at %s in %s', status: 500, hint: 'Move the value to an environment variable and write "${env:NAME}" in the file; files end up in git, secrets must not.' },

  // --- HTTP API ---
  TRIAGE_HTTP_VALIDATION: { message: 'Request is invalid: %s', status: 400, hint: 'See the schema of this endpoint in /openapi.json (or /docs); details lists each problem with its path.' },
  TRIAGE_HTTP_INVALID_JSON: { message: 'Request body is not valid JSON: %s', status: 400, hint: 'Send a JSON body with Content-Type: application/json.' },
  TRIAGE_HTTP_BODY_TOO_LARGE: { message: 'Request body is larger than %s bytes', status: 413, hint: 'Send less data, or raise server.bodyLimit in triage.config.yaml.' },
  TRIAGE_HTTP_UNSUPPORTED_MEDIA_TYPE: { message: 'Content-Type %s is not supported', status: 415, hint: 'Send Content-Type: application/json.' },
  TRIAGE_HTTP_NOT_FOUND: { message: 'No route %s %s', status: 404, hint: 'See /docs for the endpoints.' },
  TRIAGE_HTTP_INTERNAL: { message: 'Internal error (request %s)', status: 500, hint: 'The server log has the details under this request id; please report it.' },
  TRIAGE_HTTP_SHUTTING_DOWN: { message: 'Server is shutting down', status: 503, hint: 'Retry against another instance or after the restart.' },

  // --- authentication ---
  TRIAGE_AUTH_MISSING_KEY: { message: 'No API key given', status: 401, hint: 'Send the key as "Authorization: Bearer <key>" or "X-Api-Key: <key>"; create one with `triage keys create`.' },
  TRIAGE_AUTH_INVALID_KEY: { message: 'API key is not valid', status: 401, hint: 'The key is unknown or revoked; `triage keys list` shows the active ones.' },
  TRIAGE_AUTH_FORBIDDEN: { message: 'API key "%s" lacks scope %s', status: 403, hint: 'Create a key with the scope needed (`triage keys create --scopes …`).' },
  TRIAGE_AUTH_BAD_SIGNATURE: { message: 'Signature is not valid: %s', status: 401, hint: 'Sign "<timestamp>.<raw body>" with HMAC-SHA256 and the channel secret; send X-Triage-Timestamp (unix seconds, within 5 minutes) and X-Triage-Signature: sha256=<hex>.' },
  TRIAGE_AUTH_UNKNOWN_SCOPE: { message: 'Unknown or missing scope: %s', status: 400, hint: 'Scopes are tickets:read, tickets:write, evaluate, channels and admin (admin implies all); give at least one, comma-separated.' },
  TRIAGE_AUTH_INVALID_KEY_NAME: { message: 'Invalid API key name "%s": %s', status: 400, hint: 'Use 1–64 letters, digits, dots, dashes, underscores, @ or colons, starting with a letter or digit (e.g. n8n-prod).' },
  TRIAGE_AUTH_KEY_NAME_TAKEN: { message: 'An active API key is already named "%s"', status: 409, hint: 'Pick another name, or revoke the old key first (`triage keys revoke <name>`).' },
  TRIAGE_AUTH_KEY_NOT_FOUND: { message: 'No active API key %s', status: 404, hint: '`triage keys list` shows the active keys by id and name.' },
  TRIAGE_AUTH_WEAK_BOOTSTRAP_KEY: { message: 'TRIAGE_BOOTSTRAP_KEY %s', status: 500, hint: 'Use a fresh random value of at least 32 characters, e.g. `openssl rand -base64 32`, that is not already another API key.' },

  // --- inbound channels ---
  TRIAGE_CHANNEL_UNKNOWN_FORM: { message: 'Form "%s" is not configured', status: 404, hint: 'Forms are defined under channels.forms in triage.config.yaml; the id in the URL must be one of them (see docs/channels.md).' },
  TRIAGE_CHANNEL_FORM_SCHEMA: { message: 'Form "%s" has an invalid JSON Schema: %s', status: 500, hint: 'Fix channels.forms.<id>.schema in triage.config.yaml; it must be a valid draft-07 JSON Schema.' },

  // --- CLI ---
  TRIAGE_CLI_USAGE: { message: '%s', status: 400, hint: 'Run the command with --help.' },
  TRIAGE_CLI_INPUT: { message: 'Cannot read input %s: %s', status: 400, hint: 'Pass a readable JSON or YAML file, or - for standard input.' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;
