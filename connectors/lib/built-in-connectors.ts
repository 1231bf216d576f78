import type { ConnectorDefinition } from './connector.js';
import { webhookConnector } from '../webhook/webhook-connector.js';
import { httpCrmConnector } from '../http-crm/http-crm-connector.js';
import { fileCrmConnector } from '../file-crm/file-crm-connector.js';
import { slackConnector } from '../slack/slack-connector.js';
import { jiraConnector } from '../jira/jira-connector.js';
import { emailConnector } from '../email/email-connector.js';
import { baselinkerConnector } from '../baselinker/baselinker-connector.js';
import { shoperConnector } from '../shoper/shoper-connector.js';

/**
 * Every connector this build ships. Adding a connector = one folder under
 * connectors/<name>/ exporting a ConnectorDefinition, plus ONE line here
 * (import above, entry below). Order is the order `triage connectors list`
 * prints. See docs/connectors.md, "Adding a connector".
 */
export const builtInConnectors: readonly ConnectorDefinition[] = [
  webhookConnector,
  httpCrmConnector,
  fileCrmConnector,
  slackConnector,
  jiraConnector,
  emailConnector,
  baselinkerConnector,
  shoperConnector,
];
