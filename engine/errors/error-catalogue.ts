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
  TRIAGE_RULE_UNKNOWN_EVENT: { message: 'unknown event "%s"%s', status: 400, hint: 'Events are ticket.created, message.received, ticket.updated, status.changed, ticket.enriched, sla.warning, sla.breached, ticket.closed and schedule.<name>.' },
  TRIAGE_RULE_INVALID_REGEX: { message: 'invalid regular expression %s: %s', status: 400, hint: 'Fix the pattern; it is a JavaScript regular expression.' },
  TRIAGE_RULE_UNSAFE_REGEX: { message: 'regular expression %s can backtrack catastrophically', status: 400, hint: 'Avoid nested quantifiers such as (a+)+ or (a|a)*; prefer containsAnyWord / containsAnyPhrase for keyword matching.' },
  TRIAGE_RULE_UNKNOWN_LIST: { message: 'unknown list "%s"%s', status: 400, hint: 'Define the list under `lists:` in one of the rule files.' },
  TRIAGE_RULE_DUPLICATE_LIST: { message: 'list "%s" is defined twice (first at %s)', status: 400, hint: 'Each named list is defined once per rule set.' },
  TRIAGE_RULE_DUPLICATE_SETTINGS: { message: 'settings are defined twice (first at %s)', status: 400, hint: 'Put `settings:` in one rule file only.' },
  TRIAGE_RULE_NEVER_FIRES: { message: 'rule "%s" can never fire: %s', status: 400, hint: 'Remove the contradiction, or delete the rule.' },
  TRIAGE_RULE_BAD_TEMPLATE: { message: 'template %s', status: 400, hint: 'Templates are Liquid: {{ticket.number}}, {{ sla.firstResponseDue | date_pl }}; variables are the facts ticket, message, customer, sla and now; include/render/layout are not allowed. See docs/templates.md.' },
  TRIAGE_RULE_SET_INVALID: { message: 'Rule set %s is invalid: %s error(s)', status: 400, hint: 'Run `triage validate` on the directory to list every error with file:line:col.' },

  // --- evaluation ---
  TRIAGE_EVAL_INVALID_INPUT: { message: 'Invalid evaluation input: %s', status: 400, hint: 'The input needs at least a ticket object; see schemas/evaluate-request.schema.json.' },
  TRIAGE_EVAL_UNKNOWN_EVENT: { message: 'Unknown event "%s"', status: 400, hint: 'Events are ticket.created, message.received, ticket.updated, status.changed, ticket.enriched, sla.warning, sla.breached, ticket.closed and schedule.<name>.' },
  TRIAGE_EVAL_FACT_FAILED: { message: 'Fact "%s" could not be loaded: %s', status: 502, hint: 'Check the fact source (for customer: the CRM connection).' },

  // --- rule tests ---
  TRIAGE_TEST_FILE_INVALID: { message: '%s', status: 400, hint: 'Compare the test file with schemas/rule-test-file.schema.json.' },

  // --- store and lifecycle ---
  TRIAGE_STORE_UNAVAILABLE: { message: 'Database is not reachable: %s', status: 503, hint: 'Check DATABASE_URL (or the SQLite file path) and that the database server is running.' },
  TRIAGE_STORE_OUTAGE: { message: 'The database is unreachable right now: %s', status: 503, hint: 'Retry after the Retry-After delay with the same Idempotency-Key (or source + externalId): a request that did commit before the connection broke is answered with what it stored, never a duplicate. The server reconnects by itself; operators: check the database server (/readyz shows it).' },
  TRIAGE_CLUSTER_MIGRATION_UNKNOWN: { message: 'The database has migration(s) %s that this version does not know, older than its newest one (%s)', status: 500, hint: 'A migration was renamed or removed, or the database belongs to another build. Run the version that created it; a newer version\'s migrations (after this one\'s newest) are accepted during a rolling upgrade (docs/deployment.md).' },
  TRIAGE_ROLE_API_DISABLED: { message: 'This instance runs the workers role only; %s %s is served by instances with the api role', status: 404, hint: 'Send API requests to an instance started with roles all or api (TRIAGE_ROLES); workers-only instances serve /healthz, /readyz and /metrics only (docs/deployment.md).' },
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
  TRIAGE_UI_NOT_BUILT: { message: 'The dashboard is not built (%s is missing)', status: 404, hint: 'Run `npm run build` (npm ci runs it): it builds the UI into dist/ui (docs/dashboard.md).' },

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

  // --- outbox (docs/outbox.md) ---
  TRIAGE_OUTBOX_NOT_FOUND: { message: 'Outbox row %s not found', status: 404, hint: '`triage outbox list` (or GET /v1/outbox) shows the rows by id.' },
  TRIAGE_OUTBOX_ILLEGAL_STATE: { message: 'Outbox row %s is %s: %s', status: 409, hint: 'Retry works on dead and dropped rows, drop on pending and dead rows; done rows are final.' },
  TRIAGE_OUTBOX_NO_HANDLER: { message: 'No handler for action %s yet', status: 501, hint: 'The action was recorded but nothing carries it out yet (see the action table in docs/outbox.md); once a handler exists, `triage outbox retry --all-dead` delivers it.' },
  TRIAGE_OUTBOX_NO_CONNECTION: { message: 'Connection "%s" for action %s is not usable: %s', status: 500, hint: 'Define the connection in connections.yaml (see docs/connectors.md), then `triage outbox retry <id>`.' },
  TRIAGE_OUTBOX_TIMEOUT: { message: 'Action %s did not finish within %s ms', status: 504, hint: 'The receiver is slow or unreachable; the call is retried with back-off. Raise the outbox call timeout if the receiver is just slow.' },
  TRIAGE_OUTBOX_CALL_FAILED: { message: 'Action %s failed: %s', status: 502, hint: 'An unclassified failure; it is retried with back-off. The attempt log (GET /v1/outbox/{id}) has each error.' },
  TRIAGE_OUTBOX_GAVE_UP: { message: 'Gave up after %s attempts: %s', status: 502, hint: 'Fix the cause (receiver down, credentials, params), then `triage outbox retry <id>` or `--all-dead`.' },
  TRIAGE_OUTBOX_LEASE_EXPIRED: { message: 'The lease of attempt %s ran out before it reported back (the worker stopped or crashed during the call)', status: 502, hint: 'The call may have reached the receiver; it is repeated with the same idempotency key, which receivers with key support deduplicate.' },
  TRIAGE_OUTBOX_NO_RECIPIENT: { message: 'Ticket %s has no customer e-mail address to send %s to', status: 422, hint: 'reply and acknowledge go to the reply-to or from address of the ticket\'s first inbound message; this ticket has none (phone, chat, a form without e-mail). Answer through its channel, or add the customer\'s e-mail and `triage outbox retry <id>`.' },
  TRIAGE_OUTBOX_NO_ESCALATION_TARGET: { message: 'Escalation role "%s" has no target: set %s in triage.config.yaml', status: 500, hint: 'Give the role an e-mail address and/or a Slack channel (escalation.<role>.email, escalation.<role>.slack.channel; docs/outbox.md), then `triage outbox retry <id>`.' },

  // --- CRM enrichment (docs/enrichment.md) ---
  TRIAGE_CRM_SETTINGS_INVALID: { message: 'CRM connection "%s" is misconfigured: %s', status: 500, hint: 'Fix the connection in connections.yaml: urlTemplate placeholders are {{email}}, {{phone}}, {{domain}}, {{customerId}} and {{externalId}}; mapping fields are a dotted path ("properties.name") or { path, type } with type string, number, boolean or list (docs/enrichment.md).' },
  TRIAGE_CRM_BAD_RESPONSE: { message: 'CRM connection "%s" returned an unusable response: %s', status: 502, hint: 'The CRM answered with something other than the JSON the connection expects; check baseUrl, urlTemplate and resultPath against the CRM API. The lookup is retried in the background.' },
  TRIAGE_CRM_TIMEOUT: { message: 'CRM connection "%s" did not answer within %s ms', status: 504, hint: 'The ticket was created with customer.enrichment = "unavailable" and the lookup is retried in the background; check the CRM, or raise enrichment.timeoutMs in triage.config.yaml.' },
  TRIAGE_CRM_FILE_INVALID: { message: 'Customer file %s is invalid: %s', status: 500, hint: 'Fix the file: CSV with a header row (columns such as email, domain, phone, name, contract.active:boolean) or a JSON array of customer objects. While a reload fails, the previous contents keep serving.' },
  TRIAGE_ENRICHMENT_CONNECTION: { message: 'Enrichment connection "%s" %s', status: 500, hint: 'enrichment.connection in triage.config.yaml must name a connection in connections.yaml whose connector is a facts connector (http-crm, file-crm).' },

  // --- e-commerce order facts (docs/orders.md) ---
  TRIAGE_ORDER_CONNECTION: { message: 'Orders connection "%s" %s', status: 500, hint: 'orders.connection in triage.config.yaml must name a connection in connections.yaml whose connector looks up orders (baselinker, shoper).' },
  TRIAGE_ORDER_PATTERN_INVALID: { message: 'Order number pattern %s is invalid: %s', status: 500, hint: 'orders.patterns are JavaScript regular expressions whose first capture group is the order number, e.g. "zam[oó]wieni[a-z]*\\s+nr\\.?\\s*(\\d{3,})"; nested quantifiers such as (a+)+ are refused because they can hang on crafted text (docs/orders.md).' },
  TRIAGE_ORDER_BAD_RESPONSE: { message: 'Orders connection "%s" returned an unusable response: %s', status: 502, hint: 'The shop answered with something other than the JSON its API documents; check the connection URL (a proxy or login page answers HTML). The lookup is retried in the background.' },
  TRIAGE_ORDER_API_ERROR: { message: 'Orders connection "%s": the shop refused the call: %s', status: 502, hint: 'The shop API answered with an error of its own (BaseLinker: status ERROR with error_code); the code is quoted. Check the token and the permissions of the API user.' },
  TRIAGE_ORDER_TIMEOUT: { message: 'Orders connection "%s" did not answer within %s ms', status: 504, hint: 'The ticket was created with order.lookup = "unavailable" and the lookup is retried in the background; check the shop API, or raise orders.timeoutMs in triage.config.yaml.' },

  // --- connections (connections.yaml; docs/connectors.md) ---
  TRIAGE_CONNECTIONS_READ: { message: 'Cannot read connections file %s: %s', status: 500, hint: 'Check the path (connectionsFile in triage.config.yaml, or TRIAGE_CONNECTIONS) and that the file is readable.' },
  TRIAGE_CONNECTIONS_INVALID: { message: 'Connections file %s is invalid: %s', status: 500, hint: 'Fix each problem at the file:line:col shown; `triage connectors list` shows the settings of every connector (docs/connectors.md).' },
  TRIAGE_CONNECTIONS_SYNTAX: { message: '%s', status: 500, hint: 'Fix the YAML/JSON syntax at the position shown (indentation, quotes, brackets).' },
  TRIAGE_CONNECTIONS_SCHEMA: { message: '%s', status: 500, hint: 'Compare the connection with schemas/connections.schema.json and its connector\'s settings (`triage connectors list`).' },
  TRIAGE_CONNECTIONS_UNKNOWN_CONNECTOR: { message: 'connection "%s": unknown connector "%s"%s', status: 500, hint: '`triage connectors list` shows the connectors this build has.' },
  TRIAGE_CONNECTIONS_LITERAL_SECRET: { message: 'connection "%s": %s is sensitive and must be a ${env:NAME} reference, not a literal value', status: 500, hint: 'Move the value to an environment variable and write "${env:NAME}" in connections.yaml; files end up in git, secrets must not.' },
  TRIAGE_CONNECTIONS_MISSING_ENV: { message: 'connection "%s": %s references the unset environment variable %s', status: 500, hint: 'Export the variable named (or inject it through your secret manager) before starting triage.' },
  TRIAGE_CONNECTIONS_UNKNOWN: { message: 'No connection named "%s"%s', status: 404, hint: 'Connections are defined under `connections:` in connections.yaml (connectionsFile in triage.config.yaml, or TRIAGE_CONNECTIONS).' },
  TRIAGE_CONNECTIONS_NO_DEFAULT: { message: 'No connection for connector "%s": %s', status: 400, hint: 'Name the connection in the action (`connection: <name>`), or define exactly one connection of that connector (or one named after it) in connections.yaml.' },
  TRIAGE_CONNECTIONS_WRONG_CONNECTOR: { message: 'Connection "%s" uses connector "%s", not "%s"', status: 400, hint: 'Point the action at a connection of the right connector (`connection:` in the rule).' },

  // --- connector calls (ConnectorError codes; docs/connectors.md) ---
  TRIAGE_CONNECTOR_RATE_LIMITED: { message: '%s answered 429 Too Many Requests%s', status: 503, hint: 'Retried automatically after the Retry-After the receiver sent; if it keeps happening, fewer actions per minute or a higher limit at the receiver help.' },
  TRIAGE_CONNECTOR_UNAVAILABLE: { message: '%s answered %s', status: 502, hint: 'The receiver has a problem on its side; the call is retried with back-off.' },
  TRIAGE_CONNECTOR_TIMEOUT: { message: '%s did not answer within %s ms', status: 504, hint: 'Retried with back-off; if the receiver is just slow, raise timeoutMs of the connection in connections.yaml.' },
  TRIAGE_CONNECTOR_NETWORK: { message: '%s: %s', status: 502, hint: 'The connection failed (refused, reset or DNS); the call is retried with back-off. Check the URL in connections.yaml and that the receiver is up.' },
  TRIAGE_CONNECTOR_AUTH: { message: '%s refused the credentials (%s)', status: 502, hint: 'Check the token in connections.yaml and the environment variable it references (and the token\'s permissions); not retried.' },
  TRIAGE_CONNECTOR_REJECTED: { message: '%s rejected the request with %s', status: 502, hint: 'The receiver refused this request; repeating it cannot help, so it is not retried. Fix the action params in the rule or the connection settings.' },
  TRIAGE_CONNECTOR_REDIRECT: { message: '%s redirected to %s', status: 502, hint: 'Redirects to another host are never followed (they could lead anywhere); put the final URL in connections.yaml.' },
  TRIAGE_CONNECTOR_RESPONSE_TOO_LARGE: { message: '%s sent a response larger than %s bytes', status: 502, hint: 'The receiver answered with far more than an API response should be; check the URL in connections.yaml.' },
  TRIAGE_CONNECTOR_BLOCKED_TARGET: { message: 'Refused to call %s: %s', status: 400, hint: 'Loopback, private and link-local targets are refused to protect internal services (SSRF). If the target really is internal, list it in allowHosts of the connection (or set allowPrivate: true) in connections.yaml.' },
  TRIAGE_CONNECTOR_INVALID_CALL: { message: '%s: %s', status: 400, hint: 'The action or connection settings cannot produce a valid request; fix them (docs/connectors.md). Not retried.' },
  TRIAGE_CONNECTOR_NOT_LINKED_YET: { message: '%s: ticket %s has no %s yet', status: 409, hint: 'The action works on what an earlier action of the same ticket created (jira.addComment without `issue` comments on the issue of the ticket\'s jira.createIssue). It is retried until that action is done and dead-lettered if it never is: make sure the earlier action is decided (same or an earlier rule), or name the target explicitly (`issue: OPS-123`).' },

  // --- SLA calendars and policies (docs/sla.md) ---
  TRIAGE_SLA_CALENDAR_INVALID: { message: 'Calendar %s is invalid: %s', status: 400, hint: 'A calendar is { timezone, hours: { mon: ["08:00-16:00"], … }, holidays: ["YYYY-MM-DD"], holidayCountry } or { timezone, alwaysOpen: true }; ranges are HH:MM-HH:MM with end after start, 24:00 only as an end, no overlaps (schemas/sla-calendar.schema.json, docs/sla.md).' },
  TRIAGE_SLA_POLICY_INVALID: { message: 'SLA policy %s is invalid: %s', status: 400, hint: 'Compare the policy with schemas/sla-policy.schema.json: calendars by name, targets per priority (P1..P9 or default) and contract level, each metric a duration (15m, 4h, 3bd) or { target, calendar } (docs/sla.md).' },
  TRIAGE_SLA_BAD_DURATION: { message: 'Invalid duration "%s": %s', status: 400, hint: 'Write a whole number with a unit: 15m (minutes), 4h (hours) or, in policies, 3bd (business days).' },
  TRIAGE_SLA_BAD_INSTANT: { message: 'Invalid %s "%s": %s', status: 400, hint: 'Write an ISO-8601 instant with a time zone, e.g. 2026-12-01T08:30:00Z or 2026-12-01T09:30:00+01:00; a pause is START/END with END after START.' },
  TRIAGE_SLA_NO_OPEN_TIME: { message: 'Calendar %s has no open time between %s and %s', status: 400, hint: 'The calendar is closed for years on end (no open hours, or every day a holiday); give it open hours on at least one weekday.' },

  // --- scheduled automations (followUp, schedules:; docs/automations.md) ---
  TRIAGE_SCHEDULE_UNKNOWN_EVENT: { message: 'nothing raises "%s": no schedule named "%s" and no followUp with that name%s', status: 400, hint: 'schedule.<name> events come from a `schedules:` entry (cron) or a `followUp: { name }` action somewhere in the rule set; define one or fix the name.' },
  TRIAGE_SCHEDULE_BAD_CRON: { message: 'schedule "%s": invalid cron expression "%s": %s', status: 400, hint: 'Write five fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * *" (08:00 every day) or "*/30 8-16 * * 1-5"; seconds are not supported.' },
  TRIAGE_SCHEDULE_BAD_TIMEZONE: { message: 'schedule "%s": unknown time zone "%s"', status: 400, hint: 'Use an IANA zone name such as Europe/Warsaw or UTC.' },
  TRIAGE_SCHEDULE_DUPLICATE: { message: 'schedule "%s" is defined twice (first at %s)', status: 400, hint: 'Schedule names are unique across all files of a rule set; rename one of them.' },
  TRIAGE_SCHEDULE_BAD_PARAMS: { message: 'followUp cannot be scheduled: %s', status: 400, hint: 'followUp takes { after: 30m | 4h | 5d | 2w, name }; `triage validate` catches this in the rule file.' },
  TRIAGE_SCHEDULE_TICKET_GONE: { message: 'Ticket %s of %s no longer exists', status: 404, hint: 'The ticket was erased (GDPR) or never committed; the scheduled event is dropped, nothing to do.' },
  TRIAGE_SCHEDULE_RAISE_FAILED: { message: 'Raising %s on ticket %s failed: %s', status: 500, hint: 'The rules of the event failed to apply (e.g. an illegal status change); it is retried after the lease and marked dead after the last attempt. Fix the cause; a dead row is kept in scheduled_events with this message (docs/automations.md tells how to make it due again).' },

  // --- customer satisfaction surveys (docs/automations.md) ---
  TRIAGE_CSAT_INVALID_TOKEN: { message: 'The survey link is not valid: %s', status: 400, hint: 'The link was cut or changed (or signed with another secret); open the link from the e-mail exactly as it was sent.' },
  TRIAGE_CSAT_EXPIRED: { message: 'The survey link expired at %s', status: 410, hint: 'Survey links are valid for automations.csat.ttlDays days (default 30) after they were sent.' },
  TRIAGE_CSAT_USED: { message: 'The survey link was already used', status: 409, hint: 'Each survey link records one answer (a comment may be added once with it); nothing else to do.' },
  TRIAGE_CSAT_BAD_SCORE: { message: 'Score "%s" is not valid', status: 400, hint: 'Give a whole number from 1 (bad) to 5 (very good).' },
  TRIAGE_CSAT_TICKET_GONE: { message: 'Ticket %s of this survey no longer exists', status: 404, hint: 'The ticket was erased; the answer cannot be recorded.' },
  TRIAGE_CSAT_NOT_CONFIGURED: { message: 'CSAT links cannot be made: %s', status: 500, hint: 'Set server.publicUrl in triage.config.yaml (the address customers reach this server at); the signing secret comes from automations.csat.secret (${env:TRIAGE_CSAT_SECRET}) or is generated per database.' },

  // --- e-mail parsing and outbound (docs/email.md) ---
  TRIAGE_MAIL_FILE_UNREADABLE: { message: 'Cannot read mail file %s: %s', status: 400, hint: 'Pass the path of one raw RFC 822 message (.eml), as a mail client saves it ("Save as", "Show original" → download). Broken MIME inside a readable file is not an error: it is parsed as far as it goes.' },
  TRIAGE_MAIL_IMPORT_UNREADABLE: { message: 'Cannot read mail to import from %s: %s', status: 400, hint: 'Pass an .eml file, an mbox file, or a directory holding .eml/.mbox files, readable by this user.' },
  TRIAGE_MAIL_IMPORT_FAILED: { message: '%s of %s messages could not be imported (first: %s)', status: 500, hint: 'The others were imported. Fix the cause (usually the database) and run the same import again: messages already imported are skipped by Message-ID.' },
  TRIAGE_MAIL_MAILBOX_UNKNOWN: { message: 'No mailbox named "%s" in the configuration', status: 400, hint: 'Mailboxes are listed under mail.mailboxes in triage.config.yaml (docs/email.md); `triage mail status` shows them.' },

  // --- rule governance and replay (docs/governance.md) ---
  TRIAGE_GOVERNANCE_INVALID_SINCE: { message: 'Invalid window "%s": %s', status: 400, hint: 'Give a duration back from now (30d, 12h, 2w, 90m) or an ISO-8601 date-time with a time zone (2026-01-01T00:00:00Z).' },
  TRIAGE_GOVERNANCE_STORE_NOT_READY: { message: 'The database has no %s table: it was never migrated by this version of triage', status: 500, hint: 'Start `triage serve` once against this database (it migrates), or point --config / DATABASE_URL / TRIAGE_SQLITE_PATH at the production database or a copy of it.' },
  TRIAGE_REPLAY_RULES_INVALID: { message: 'Rule set %s is invalid: %s', status: 400, hint: 'Run `triage validate <dir>` on it and fix the reported file:line:col problems.' },
  TRIAGE_REPLAY_TICKETS_FILE: { message: 'Cannot read the ticket list %s: %s', status: 400, hint: 'Pass a file with one ticket number (T-000042) or id per line, or a JSON array of them; lines starting with # are comments.' },
  TRIAGE_REPLAY_TICKET_NOT_FOUND: { message: '%s ticket(s) of the list are not in the database: %s', status: 404, hint: 'Check the numbers against `GET /v1/tickets`; erased tickets (GDPR) cannot be replayed. Nothing was replayed.' },
  TRIAGE_EXPLAIN_NO_DECISION: { message: 'Ticket %s has no stored ticket.created decision to explain', status: 404, hint: 'Only tickets created through triage (API, channels, mail) have one; tickets imported with a decision of their own, or whose decision rows were erased, cannot be explained (docs/dashboard.md).' },

  // --- reports (R19, docs/reports.md) ---
  TRIAGE_REPORT_UNKNOWN: { message: 'No report named "%s"', status: 404, hint: 'Reports are frt, ttr, sla, sla-breaches, backlog, load, fcr, csat, unassigned and corrections (docs/reports.md).' },
  TRIAGE_REPORT_BAD_PARAM: { message: 'Report parameter %s: %s', status: 400, hint: 'from/to are ISO-8601 instants with a zone (2026-03-01T00:00:00Z), groupBy is category, channel, team, agent or priority, tz an IANA zone such as Europe/Warsaw (docs/reports.md).' },
  TRIAGE_REPORT_BAD_RANGE: { message: 'Report range %s', status: 400, hint: 'Give from before to, at most 366 days apart; without them the last 30 days up to now are used.' },

  // --- CLI ---
  TRIAGE_CLI_USAGE: { message: '%s', status: 400, hint: 'Run the command with --help.' },
  TRIAGE_CLI_INPUT: { message: 'Cannot read input %s: %s', status: 400, hint: 'Pass a readable JSON or YAML file, or - for standard input.' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalogue;
