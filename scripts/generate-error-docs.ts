import { writeFileSync } from 'node:fs';
import { errorCatalogue } from '../engine/errors/error-catalogue.js';
const groups: Record<string, string> = { RULE: 'Rule files', EVAL: 'Evaluation', TEST: 'Rule tests', STORE: 'Store', TICKET: 'Tickets and lifecycle', CUSTOMER: 'Customers', CONFIG: 'Configuration', HTTP: 'HTTP API', AUTH: 'Authentication', CHANNEL: 'Channels', CONNECTIONS: 'Connections (connections.yaml)', CONNECTOR: 'Connector calls', OUTBOX: 'Outbox', CRM: 'CRM enrichment', ENRICHMENT: 'Enrichment', CLI: 'Command line' };
let out = `# Error codes\n\nEvery error triage reports carries a stable code. Codes never change meaning; new ones are added.\nRule-file errors are printed as \`file:line:col CODE message\`; API errors come back as\n\`{ "code", "message", "hint" }\` with the HTTP status below. The catalogue lives in\n\`engine/errors/error-catalogue.ts\`; a test fails when a code is missing here.\n`;
const seen = new Set<string>();
for (const [key, title] of Object.entries(groups)) {
  out += `\n## ${title}\n\n| code | status | message | how to fix |\n| --- | --- | --- | --- |\n`;
  for (const [code, def] of Object.entries(errorCatalogue)) {
    if (code.split('_')[1] !== key) continue;
    seen.add(code);
    out += `| \`${code}\` | ${def.status} | ${def.message.replace(/\|/g, '\\|')} | ${def.hint.replace(/\|/g, '\\|')} |\n`;
  }
}
const rest = Object.keys(errorCatalogue).filter((c) => !seen.has(c));
if (rest.length > 0) {
  out += `\n## Other\n\n| code | status | message | how to fix |\n| --- | --- | --- | --- |\n`;
  for (const code of rest) {
    const def = errorCatalogue[code as keyof typeof errorCatalogue];
    out += `| \`${code}\` | ${def.status} | ${def.message.replace(/\|/g, '\\|')} | ${def.hint.replace(/\|/g, '\\|')} |\n`;
  }
}
// Written here rather than by shell redirection, so a failure never leaves docs/errors.md empty.
writeFileSync(new URL('../docs/errors.md', import.meta.url), out);
