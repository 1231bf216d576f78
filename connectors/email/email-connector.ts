import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import { allowListProblems, createSsrfGuard, isBlockedTargetError } from '../lib/ssrf-guard.js';
import { createConnectorError, isConnectorError, type ConnectorError } from '../lib/connector-error.js';
import type { ActionCall, ActionResult, ConnectorContext, ConnectorDefinition, ConnectorInstance, ConnectorTestResult } from '../lib/connector.js';

/**
 * `email.send`: one e-mail through an SMTP relay (nodemailer). SMTP has no
 * idempotency key, so delivery is at least once: a crash (or a lost answer)
 * after the relay accepted the message repeats it. The repeat is recognizable
 * though: the Message-ID is derived from the outbox idempotency key, so the
 * same action always produces the same Message-ID (mail clients and many
 * relays collapse duplicates by it), and X-Triage-Idempotency-Key carries the
 * key itself.
 *
 * Every message is marked as machine mail (Auto-Submitted, X-Loop: triage),
 * so well-behaved auto-responders do not answer it and our own inbound
 * channel recognizes its own mail (R3 loop protection).
 */
export interface EmailSettings {
  host: string;
  port?: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  /** Refuse to send unless the server upgrades to TLS (STARTTLS). */
  requireTLS?: boolean;
  user?: string;
  password?: string;
  from: string;
  replyTo?: string;
  timeoutMs?: number;
  allowPrivate?: boolean;
  allowHosts?: string[];
}

/** `send` params; the ones after `connection` are set by the built-in reply/acknowledge handlers, not by rules. */
export interface EmailSendParams {
  to: string | string[];
  subject: string;
  text: string;
  cc?: string | string[];
  connection?: string;
  inReplyTo?: string;
  references?: string[];
  /** Override the connection's from / replyTo (the `email:` section of triage.config.yaml). */
  from?: string;
  replyTo?: string;
  /** `auto-generated` (default: notifications) or `auto-replied` (acknowledgements, RFC 3834). */
  autoSubmitted?: 'auto-generated' | 'auto-replied';
  /** X-Loop value (email.loopMarker of triage.config.yaml); default `triage`. */
  loopMarker?: string;
}

const addressList = { oneOf: [{ type: 'string', minLength: 3 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 3 } }] } as const;

/** `<hash of the key>@triage`: the same action always gets the same Message-ID. */
export function emailMessageId(idempotencyKey: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@triage>`;
}

export const emailConnector: ConnectorDefinition = {
  name: 'email',
  kind: 'action',
  summary: 'Send e-mail through an SMTP relay (nodemailer); Message-ID derived from the idempotency key.',
  credentials: {
    type: 'object',
    additionalProperties: false,
    required: ['host', 'from'],
    properties: {
      host: { type: 'string', minLength: 1, description: 'SMTP relay host name or IP.' },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 587, description: '587 (STARTTLS) or 465 (secure: true); 25 for a local relay.' },
      secure: { type: 'boolean', default: false, description: 'TLS from the first byte (port 465). Otherwise STARTTLS is used when offered.' },
      requireTLS: { type: 'boolean', default: false, description: 'Fail unless the relay upgrades to TLS.' },
      user: { type: 'string', minLength: 1, description: 'SMTP AUTH user name.' },
      password: { type: 'string', minLength: 1, 'x-sensitive': true, description: 'SMTP AUTH password, as a ${env:NAME} reference.' },
      from: { type: 'string', minLength: 3, description: 'Sender, e.g. "Support <support@example.com>".' },
      replyTo: { type: 'string', minLength: 3, description: 'Reply-To of every message (e.g. the support mailbox the e-mail channel reads).' },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, default: 10000, description: 'Connect, greeting and socket timeout.' },
      allowPrivate: { type: 'boolean', default: false, description: 'Allow loopback/private/link-local relays (an on-premises relay).' },
      allowHosts: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Hosts, IPs or CIDRs allowed even though private (e.g. 10.0.0.25).' },
    },
  },
  operations: [
    {
      name: 'send',
      summary: 'Send an e-mail (internal notification, not a customer reply: use `reply` for that).',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['to', 'subject', 'text'],
        properties: {
          to: addressList,
          subject: { type: 'string', minLength: 1 },
          text: { type: 'string', minLength: 1 },
          cc: addressList,
          connection: { type: 'string', minLength: 1, description: 'Name of the email connection in connections.yaml.' },
        },
      },
      templates: ['to', 'subject', 'text'],
      idempotency: 'none',
    },
  ],
  validateSettings: (settings) => {
    const problems: string[] = [];
    if (Array.isArray(settings.allowHosts)) problems.push(...allowListProblems(settings.allowHosts as string[]).map((p) => `allowHosts: ${p}`));
    if (settings.user !== undefined && settings.password === undefined) problems.push('user is set but password is not (set password: "${env:SMTP_PASSWORD}")');
    return problems;
  },
  create: (settings, context) => createEmailInstance(settings as unknown as EmailSettings, context),
};

function createEmailInstance(settings: EmailSettings, context: ConnectorContext): ConnectorInstance {
  const label = `SMTP relay ${settings.host}:${settings.port ?? 587} (connection "${context.connection}")`;
  const guard = createSsrfGuard({ ...(settings.allowPrivate === undefined ? {} : { allowPrivate: settings.allowPrivate }), ...(settings.allowHosts === undefined ? {} : { allowHosts: settings.allowHosts }) });
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const secrets = [settings.password].filter((s): s is string => typeof s === 'string' && s.length > 0);
  const clean = (text: string): string => secrets.reduce((t, s) => t.split(s).join('***'), text);

  /**
   * A transport bound to an address the SSRF guard checked: nodemailer would
   * resolve the name again, so a name that changes its answer in between
   * (DNS rebinding) could otherwise reach an internal host. TLS still checks
   * the certificate against the configured name (servername).
   */
  const transport = async (): Promise<Transporter> => {
    const addresses = await guard.checkTarget(`smtp://${isIP(settings.host) === 6 ? `[${settings.host}]` : settings.host}`);
    const address = addresses[0];
    if (address === undefined) throw createConnectorError('TRIAGE_CONNECTOR_NETWORK', [label, 'the host has no address'], { retryable: true });
    return nodemailer.createTransport({
      host: address,
      port: settings.port ?? 587,
      secure: settings.secure ?? false,
      requireTLS: settings.requireTLS ?? false,
      ...(isIP(settings.host) === 0 ? { tls: { servername: settings.host } } : {}),
      ...(settings.user === undefined ? {} : { auth: { user: settings.user, pass: settings.password ?? '' } }),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  };

  const mapError = (e: unknown): ConnectorError => {
    if (isConnectorError(e)) return e;
    if (isBlockedTargetError(e)) return createConnectorError('TRIAGE_CONNECTOR_BLOCKED_TARGET', [label, e.message], { retryable: false, cause: e });
    const err = e as { code?: string; responseCode?: number; response?: string; message?: string };
    const reply = clean(err.response ?? err.message ?? String(e));
    if (err.code === 'EAUTH' || err.responseCode === 535 || err.responseCode === 534 || err.responseCode === 530) {
      return createConnectorError('TRIAGE_CONNECTOR_AUTH', [label, reply], {
        retryable: false,
        hint: `Check user and password of connection "${context.connection}" in connections.yaml and the environment variable password references; not retried.`,
        ...(err.responseCode === undefined ? {} : { status: err.responseCode }),
      });
    }
    if (typeof err.responseCode === 'number' && err.responseCode >= 400 && err.responseCode < 500) {
      return createConnectorError('TRIAGE_CONNECTOR_UNAVAILABLE', [label, reply], { retryable: true, status: err.responseCode });
    }
    if (typeof err.responseCode === 'number' && err.responseCode >= 500) {
      return createConnectorError('TRIAGE_CONNECTOR_REJECTED', [label, reply], {
        retryable: false,
        status: err.responseCode,
        hint: 'The relay refused the message permanently (unknown recipient, policy, size); repeating it cannot help. Fix the recipient or the connection settings.',
      });
    }
    if (err.code === 'ETIMEDOUT') return createConnectorError('TRIAGE_CONNECTOR_TIMEOUT', [label, timeoutMs], { retryable: true });
    return createConnectorError('TRIAGE_CONNECTOR_NETWORK', [label, `${err.code ?? 'error'}: ${reply}`], { retryable: true });
  };

  return {
    async execute(call: ActionCall): Promise<ActionResult> {
      if (call.operation !== 'send') {
        throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, `unknown operation "${call.operation}" (email has: send)`], { retryable: false });
      }
      const p = call.params as Partial<EmailSendParams>;
      const to = toList(p.to);
      if (to.length === 0 || typeof p.subject !== 'string' || typeof p.text !== 'string') {
        throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, 'send needs `to`, `subject` and `text`'], { retryable: false });
      }
      const messageId = emailMessageId(call.idempotencyKey);
      const cc = toList(p.cc);
      try {
        const mailer = await transport();
        try {
          const info = (await raceAbort(
            mailer.sendMail({
              from: p.from ?? settings.from,
              to,
              ...(cc.length === 0 ? {} : { cc }),
              ...((p.replyTo ?? settings.replyTo) === undefined ? {} : { replyTo: p.replyTo ?? settings.replyTo }),
              subject: p.subject,
              text: p.text,
              messageId,
              ...(p.inReplyTo === undefined ? {} : { inReplyTo: p.inReplyTo }),
              ...(p.references === undefined || p.references.length === 0 ? {} : { references: p.references }),
              headers: { 'X-Triage-Idempotency-Key': call.idempotencyKey, 'Auto-Submitted': p.autoSubmitted ?? 'auto-generated', 'X-Loop': p.loopMarker ?? 'triage' },
            }),
            call.signal,
          )) as { response?: string; rejected?: unknown[] };
          context.log('debug', 'email sent', { messageId, recipients: to.length + cc.length });
          return { externalId: messageId, detail: clean(`${info.response ?? 'accepted'} (${label})`).slice(0, 200) };
        } finally {
          mailer.close();
        }
      } catch (e) {
        throw mapError(e);
      }
    },
    async test(): Promise<ConnectorTestResult> {
      try {
        const mailer = await transport();
        try {
          await mailer.verify();
        } finally {
          mailer.close();
        }
        return { ok: true, detail: `${label} answered${settings.user === undefined ? '' : ` and accepted the credentials of ${settings.user}`}` };
      } catch (e) {
        const err = mapError(e);
        return { ok: false, detail: `${err.code} ${err.message}\n  hint: ${err.hint}` };
      }
    },
  };
}

function toList(value: unknown): string[] {
  // A string may list several addresses ("a@x, b@y"); nodemailer parses it, quoted display names included.
  if (typeof value === 'string') return value.trim() === '' ? [] : [value.trim()];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
  return [];
}

/** The outbox aborts a call on its timeout; nodemailer has no signal, so stop waiting for it. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(Object.assign(new Error('aborted'), { code: 'ETIMEDOUT' }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(Object.assign(new Error('aborted'), { code: 'ETIMEDOUT' }));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
