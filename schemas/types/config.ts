/* Generated from schemas/config.schema.json by `npm run gen:types`. Do not edit. */

/**
 * triage.config.yaml: server, database, rules, channels. Secrets are ${env:NAME} references, never literals.
 */
export interface TriageConfig {
  server?: ServerConfig;
  database?: DatabaseConfig;
  rules?: RulesConfig;
  channels?: ChannelsConfig;
}
export interface ServerConfig {
  host?: string;
  port?: number;
  /**
   * Largest accepted request body in bytes.
   */
  bodyLimit?: number;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}
export interface DatabaseConfig {
  /**
   * postgres://… for PostgreSQL; empty for the embedded SQLite file.
   */
  url?: string;
  sqlitePath?: string;
}
export interface RulesConfig {
  dir?: string;
  /**
   * Hot reload: validate and swap the rule set when a file changes.
   */
  watch?: boolean;
}
export interface ChannelsConfig {
  forms?: {
    [k: string]: FormConfig;
  };
  phone?: WebhookChannelConfig;
  chat?: WebhookChannelConfig;
}
/**
 * This interface was referenced by `TriageConfig`'s JSON-Schema
 * via the `definition` "FormConfig".
 */
export interface FormConfig {
  title?: string;
  /**
   * JSON Schema of the submission's fields.
   */
  schema: {};
  /**
   * Field whose value is the form type.
   */
  typeField?: string;
  /**
   * Form type → ticket category.
   */
  categories?: {
    [k: string]: string;
  };
  /**
   * Category → fields a complete submission must have.
   */
  requiredByCategory?: {
    [k: string]: string[];
  };
  /**
   * HMAC secret for signed submissions (${env:NAME}).
   */
  secret?: string;
}
/**
 * This interface was referenced by `TriageConfig`'s JSON-Schema
 * via the `definition` "WebhookChannelConfig".
 */
export interface WebhookChannelConfig {
  /**
   * HMAC-SHA256 secret (${env:NAME}); when set, requests may be signed instead of using an API key.
   */
  secret?: string;
}
