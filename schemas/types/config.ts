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
/**
 * Inbound channels (docs/channels.md): web forms, the PBX webhook, the generic chat/social/marketplace webhook.
 */
export interface ChannelsConfig {
  /**
   * Web forms by id; each is served at POST /v1/channels/forms/<id>.
   */
  forms?: {
    [k: string]: FormConfig;
  };
  phone?: PhoneChannelConfig;
  chat?: WebhookChannelConfig;
}
/**
 * This interface was referenced by `TriageConfig`'s JSON-Schema
 * via the `definition` "FormConfig".
 */
export interface FormConfig {
  /**
   * Shown in ticket subjects ("<title>: <type>") and in the API docs.
   */
  title?: string;
  /**
   * JSON Schema (draft-07) of the submission's fields; compiled once at start-up.
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
   * Category → fields a complete submission must have. A submission missing any still creates the ticket, pending and tagged incomplete, and the response asks the customer to complete it.
   */
  requiredByCategory?: {
    [k: string]: string[];
  };
  fields?: FormFieldNames;
  /**
   * What an incomplete submission's response asks the customer; {{number}} is the ticket number, {{fields}} the missing fields (their schema titles where given). Default in English.
   */
  incompleteText?: string;
  /**
   * HMAC secret for signed submissions (${env:NAME}).
   */
  secret?: string;
}
/**
 * Which submission fields name the customer and carry the message (defaults shown).
 */
export interface FormFieldNames {
  email?: string;
  phone?: string;
  name?: string;
  subject?: string;
  message?: string;
}
/**
 * This interface was referenced by `TriageConfig`'s JSON-Schema
 * via the `definition` "PhoneChannelConfig".
 */
export interface PhoneChannelConfig {
  /**
   * HMAC-SHA256 secret (${env:NAME}); when set, the PBX may sign its requests instead of using an API key.
   */
  secret?: string;
  /**
   * Priority of the call-back ticket a missed, abandoned or voicemail call creates.
   */
  callbackPriority?: 'P1' | 'P2' | 'P3' | 'P4';
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
