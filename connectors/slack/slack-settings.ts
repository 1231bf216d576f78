import type { JsonSchema } from '../lib/connector.js';
import { HTTP_SETTINGS_PROPERTIES, type HttpSettings } from '../lib/http-settings.js';

/** A connection to one Slack workspace (a bot token), as in connections.yaml. */
export interface SlackSettings extends HttpSettings {
  token: string;
  /** Web API base URL; WebClient's `slackApiUrl`. */
  baseUrl?: string;
}

export const SLACK_DEFAULT_BASE_URL = 'https://slack.com/api/';

export const slackCredentialsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: {
    token: {
      type: 'string',
      minLength: 1,
      'x-sensitive': true,
      description: 'Bot token (xoxb-…) with the chat:write scope, as "${env:NAME}".',
    },
    baseUrl: {
      type: 'string',
      pattern: '^https?://',
      default: SLACK_DEFAULT_BASE_URL,
      description: 'Web API base URL (a proxy, Slack GovSlack, or a test server); the method name is appended.',
    },
    ...HTTP_SETTINGS_PROPERTIES,
  },
};
