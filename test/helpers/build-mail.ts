/** A small RFC 5322 message for ingest tests; CRLF line ends as IMAP servers store them. */
export interface MailSpec {
  messageId?: string | null;
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  date?: string;
  inReplyTo?: string;
  references?: string;
  headers?: Record<string, string>;
  text?: string;
  /** One attachment (base64-encoded into a multipart/mixed message). */
  attachment?: { filename: string; contentType: string; content: Buffer };
}

export function buildMail(spec: MailSpec): Buffer {
  const lines: string[] = [];
  const header = (name: string, value: string | undefined | null): void => {
    if (value !== undefined && value !== null) lines.push(`${name}: ${value}`);
  };
  header('From', spec.from ?? 'Jan Kowalski <jan@acme.example>');
  header('To', spec.to ?? 'support@firma.example');
  header('Cc', spec.cc);
  header('Subject', spec.subject ?? 'Question about my order');
  header('Date', spec.date ?? 'Mon, 05 Jan 2026 09:58:00 +0000');
  if (spec.messageId !== null) header('Message-ID', spec.messageId ?? `<${Math.random().toString(36).slice(2)}@acme.example>`);
  header('In-Reply-To', spec.inReplyTo);
  header('References', spec.references);
  for (const [name, value] of Object.entries(spec.headers ?? {})) header(name, value);
  header('MIME-Version', '1.0');
  const text = spec.text ?? 'Hello, where is my order 1234?';
  if (spec.attachment === undefined) {
    header('Content-Type', 'text/plain; charset=utf-8');
    header('Content-Transfer-Encoding', '8bit');
    lines.push('', text, '');
  } else {
    const boundary = 'b-triage-test';
    header('Content-Type', `multipart/mixed; boundary="${boundary}"`);
    const b64 = spec.attachment.content.toString('base64').replace(/.{1,76}/g, '$&\r\n').trimEnd();
    lines.push(
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      text,
      `--${boundary}`,
      `Content-Type: ${spec.attachment.contentType}; name="${spec.attachment.filename}"`,
      `Content-Disposition: attachment; filename="${spec.attachment.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      `--${boundary}--`,
      '',
    );
  }
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
