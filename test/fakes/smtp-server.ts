import type { AddressInfo, Server, Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server on loopback (nodemailer's `smtp-server`) that stands in
 * for a mail relay: it checks credentials when `user`/`password` are set,
 * records every accepted message (envelope, headers, decoded text) and can be
 * told to fail the next deliveries: a 4xx temporary reply, a 5xx permanent
 * reply, or a dropped connection. No TLS: the client talks plain SMTP.
 */
export type SmtpFault = { kind: 'temp'; code?: number; message?: string } | { kind: 'perm'; code?: number; message?: string } | { kind: 'drop' };

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** Header names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  /** The text body, transfer-decoded. */
  text: string;
  raw: string;
  /** The AUTH user of the session, when it authenticated. */
  user: string | undefined;
}

export interface FakeSmtpServer {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** Faults applied to the next deliveries, one per MAIL FROM, in order. */
  enqueue(...faults: SmtpFault[]): void;
  /** Delivery attempts seen (MAIL FROM commands), successful or not. */
  attempts(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startSmtpServer(options: { user?: string; password?: string } = {}): Promise<FakeSmtpServer> {
  const messages: ReceivedMail[] = [];
  const faults: SmtpFault[] = [];
  const sockets = new Map<number, Socket>();
  let attempts = 0;
  const needsAuth = options.user !== undefined;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: needsAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !needsAuth,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(_address, session: SMTPServerSession, callback) {
      attempts += 1;
      const fault = faults.shift();
      if (fault === undefined) {
        callback();
        return;
      }
      if (fault.kind === 'drop') {
        sockets.get(session.remotePort)?.destroy();
        return;
      }
      const code = fault.code ?? (fault.kind === 'temp' ? 451 : 550);
      callback(Object.assign(new Error(fault.message ?? (fault.kind === 'temp' ? 'Try again later' : 'Mailbox unavailable')), { responseCode: code }));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = parseMail(raw);
        messages.push({
          envelope: { from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address) },
          ...mail,
          raw,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  });
  // Remember sockets by remote port, so a 'drop' fault can cut the session's connection.
  (server as unknown as { server: Server }).server.on('connection', (socket: Socket) => {
    const port = socket.remotePort;
    if (port === undefined) return;
    sockets.set(port, socket);
    socket.on('close', () => sockets.delete(port));
  });
  server.on('error', () => undefined); // a dropped session is expected in fault tests
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = (server as unknown as { server: Server }).server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port: address.port,
    messages,
    enqueue: (...f) => faults.push(...f),
    attempts: () => attempts,
    reset: () => {
      messages.length = 0;
      faults.length = 0;
      attempts = 0;
    },
    close: async () => {
      for (const s of sockets.values()) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseMail(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  let text = body.replace(/\r\n$/, '');
  if (encoding === 'base64') text = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable') {
    const soft = text.replace(/=\r\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < soft.length; i++) {
      const hex = soft[i] === '=' ? soft.slice(i + 1, i + 3) : '';
      if (/^[0-9A-F]{2}$/i.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else bytes.push(...Buffer.from(soft[i] ?? '', 'utf8'));
    }
    text = Buffer.from(bytes).toString('utf8');
  }
  return { headers, text: text.replace(/\r\n/g, '\n') };
}
