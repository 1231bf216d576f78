import type { JsonSchema } from '../lib/connector.js';
import { HTTP_SETTINGS_PROPERTIES, type HttpSettings } from '../lib/http-settings.js';

/** A connection to one Jira Cloud site (an account e-mail and its API token), as in connections.yaml. */
export interface JiraSettings extends HttpSettings {
  /** Site URL, e.g. https://acme.atlassian.net */
  host: string;
  email: string;
  apiToken: string;
}

export const jiraCredentialsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'email', 'apiToken'],
  properties: {
    host: { type: 'string', pattern: '^https?://', description: 'Jira site URL, e.g. https://acme.atlassian.net (REST v3 paths are appended).' },
    email: { type: 'string', minLength: 3, description: 'E-mail of the Atlassian account the API token belongs to.' },
    apiToken: { type: 'string', minLength: 1, 'x-sensitive': true, description: 'Atlassian API token of that account, as "${env:NAME}".' },
    ...HTTP_SETTINGS_PROPERTIES,
  },
};
