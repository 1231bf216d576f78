/* Generated from schemas/connections.schema.json by `npm run gen:types`. Do not edit. */

/**
 * connections.yaml: named connections to Slack, Jira, webhooks, the CRM, e-mail. Each names its connector; the other keys are that connector's settings (`triage connectors list`). Sensitive settings are ${env:NAME} references, never literals. See docs/connectors.md.
 */
export interface ConnectionsFile {
  /**
   * Connections by name; rule actions refer to them with `connection: <name>`.
   */
  connections: {
    [k: string]: Connection;
  };
}
/**
 * This interface was referenced by `ConnectionsFile`'s JSON-Schema
 * via the `definition` "Connection".
 */
export interface Connection {
  /**
   * The connector this connection uses: webhook, slack, jira, email, http-crm, file-crm, …
   */
  connector: string;
  [k: string]: unknown;
}
