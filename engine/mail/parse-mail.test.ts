import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bareMessageId, messageIds, parseMail, toMailParseOutput, type ParsedMail } from './parse-mail.js';

/**
 * The fixture corpus (test/fixtures/mail, also used by the IMAP ingest tests):
 * one realistic raw message per real-world case, parsed and checked field by
 * field. The charsets and RFC 2047/2231 names are decoded by mailparser; these
 * expectations are what proves it does.
 */
const DIR = 'test/fixtures/mail';
const load = (name: string): Buffer => readFileSync(join(DIR, name));
const NOT_AUTO = { isAutoReply: false, isBounce: false, isBulk: false, reason: null };
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Case {
  file: string;
  expected: Partial<Record<keyof ParsedMail, unknown>>;
  check?: (mail: ParsedMail) => void;
}

const CASES: Case[] = [
  {
    file: 'polish-encoded-subject.eml',
    expected: {
      messageId: 'CAF=k3x9Yb7@mail.klient.pl',
      from: { address: 'pawel.wisniewski@klient.pl', name: 'Paweł Wiśniewski' },
      to: [{ address: 'serwis@example.com', name: 'Serwis' }],
      cc: [
        { address: 'lukasz@klient.pl', name: 'Łukasz Żółkiewski' },
        { address: 'biuro@klient.pl', name: '' },
      ],
      subject: 'Zgłoszenie: awaria drukarki w księgowości – pilne!',
      date: '2026-03-02T08:14:00.000Z',
      html: null,
      inReplyTo: null,
      references: [],
      attachments: [],
      auto: NOT_AUTO,
      problems: [],
    },
    check: (m) => {
      expect(m.text).toContain('drukarka w księgowości od rana zgłasza błąd E-502');
      expect(m.text).toContain('Proszę o pilną interwencję — mamy zamknięcie miesiąca.');
      expect(m.headers.received).toHaveLength(2);
      expect(m.headers.subject).toBe('Zgłoszenie: awaria drukarki w księgowości – pilne!');
    },
  },
  {
    file: 'windows-1250-body.eml',
    expected: {
      messageId: '000a01dc8b2f$5e0c1a30$1a244e90$@poczta.example.pl',
      from: { address: 'm.lecka@poczta.example.pl', name: 'Małgorzata Łęcka' },
      subject: 'Reklamacja zamówienia 2026/03/118',
      // "(CET)" comment after the zone is ignored
      date: '2026-03-03T15:42:11.000Z',
      text: 'Dzień dobry,\n\nw załączeniu przesyłam reklamację dotyczącą zamówienia nr 2026/03/118.\nTowar dotarł uszkodzony — pęknięta obudowa, brak ładowarki.\nProszę o zwrot pieniędzy lub wymianę.\n\nZ poważaniem\nMałgorzata Łęcka',
      problems: [],
      auto: NOT_AUTO,
    },
  },
  {
    file: 'iso-8859-2-alternative.eml',
    expected: {
      from: { address: 'jedrzej@firma-przyklad.pl', name: 'Jędrzej Ślusarczyk' },
      to: [{ address: 'bok@example.com', name: 'Biuro Obsługi' }],
      replyTo: [{ address: 'faktury@firma-przyklad.pl', name: '' }],
      subject: 'Zmiana adresu do faktur',
      text: 'Dzień dobry,\n\nproszę o zmianę adresu do faktur na: ul. Źródlana 7, 30-001 Kraków.\nNIP bez zmian.\n\nDziękuję,\nJędrzej Ślusarczyk',
      // the <style> of the head is gone, the layout tags stay
      html: '<p>Dzień dobry,</p><p>proszę o zmianę adresu do faktur na: <b>ul. Źródlana 7, 30-001 Kraków</b>.<br />NIP bez zmian.</p><p>Dziękuję,<br />Jędrzej Ślusarczyk</p>',
      problems: [],
    },
  },
  {
    file: 'attachments-non-ascii-names.eml',
    expected: { text: 'W załączniku dwie faktury do korekty.', problems: [] },
    check: (m) => {
      expect(m.attachments.map(({ content: _c, ...a }) => a)).toEqual([
        // RFC 2231, split into two continuations in the middle of a UTF-8 sequence
        { filename: 'Faktura korygująca żółta 03-2026.pdf', contentType: 'application/pdf', size: 69, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), contentId: null, inline: false },
        // RFC 2047 encoded word inside the quoted filename (Outlook, Gmail)
        { filename: 'Umowa serwisowa – załącznik nr 2.pdf', contentType: 'application/pdf', size: 77, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), contentId: null, inline: false },
      ]);
      for (const a of m.attachments) {
        expect(a.content.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
        expect(a.sha256).toBe(sha(a.content));
      }
    },
  },
  {
    file: 'inline-image-cid.eml',
    expected: {
      text: 'Zdjęcie w treści: [image: plyta.png]',
      // cid: links are kept (not inlined as data: URLs): the image is an attachment with that Content-ID
      html: '<div>Zdjęcie w treści:<br /><img src="cid:plyta.png@01DC8B2F" alt="plyta.png" width="1" height="1" /></div>',
      problems: [],
    },
    check: (m) => {
      expect(m.attachments).toHaveLength(1);
      expect(m.attachments[0]).toMatchObject({ filename: 'plyta.png', contentType: 'image/png', contentId: 'plyta.png@01DC8B2F', inline: true, size: 69 });
      expect(m.attachments[0]?.content.subarray(1, 4).toString('latin1')).toBe('PNG');
    },
  },
  {
    file: 'html-only.eml',
    expected: {
      from: { address: 'no-reply@sklep.example.com', name: 'Formularz WWW' },
      replyTo: [{ address: 'karolina.zielinska@gmail.example', name: 'Karolina Zielińska' }],
      text: 'Wiadomość z formularza\n\nImię i nazwisko\tKarolina Zielińska\nTelefon\t+48 600 100 200\n\nProszę o kontakt w sprawie oferty serwisu pogwarancyjnego [https://example.com/oferta].',
      problems: [],
    },
    check: (m) => {
      const html = m.html ?? '';
      for (const gone of ['<script', 'alert(', 'onload', 'onerror', 'javascript:', '<iframe', 'position:fixed', '<style', '<title']) expect(html).not.toContain(gone);
      expect(html).toContain('<th>Imię i nazwisko</th><td>Karolina Zielińska</td>');
      expect(html).toContain('<a href="https://example.com/oferta" target="_blank" rel="noopener noreferrer nofollow">pogwarancyjnego</a>');
      expect(html).toContain('<p style="color:#333">');
    },
  },
  {
    file: 'forwarded-as-attachment.eml',
    expected: { subject: 'Fwd: Reklamacja - brak odpowiedzi', text: 'Przekazuję wiadomość klienta, która trafiła na moją skrzynkę.', problems: [] },
    check: async (m) => {
      expect(m.attachments.map((a) => [a.filename, a.contentType, a.inline])).toEqual([['Reklamacja.eml', 'message/rfc822', false]]);
      // the attached message is kept whole: parsing it again gives the customer's original
      const inner = await parseMail(m.attachments[0]?.content ?? Buffer.from(''));
      expect(inner).toMatchObject({ messageId: 'orig-777@klient.example', from: { address: 'zofia.mazur@klient.example', name: 'Zofia Mazur' }, text: 'Od tygodnia czekam na odpowiedź w sprawie reklamacji pralki.' });
    },
  },
  {
    file: 'out-of-office.eml',
    expected: {
      subject: 'Automatyczna odpowiedź: Zgłoszenie T-000042',
      inReplyTo: '0123456789abcdef0123456789abcdef@triage',
      references: ['0123456789abcdef0123456789abcdef@triage'],
      // Return-Path <> of an auto-reply (RFC 3834) is not a bounce
      auto: { isAutoReply: true, isBounce: false, isBulk: false, reason: 'Auto-Submitted: auto-replied' },
    },
  },
  {
    file: 'out-of-office-subject-only.eml',
    expected: { subject: 'Nieobecność w biurze', auto: { isAutoReply: true, isBounce: false, isBulk: false, reason: 'Subject: Nieobecność w biurze' } },
  },
  {
    file: 'dsn-bounce.eml',
    expected: {
      from: { address: 'MAILER-DAEMON@mail.example.com', name: 'Mail Delivery System' },
      auto: { isAutoReply: true, isBounce: true, isBulk: false, reason: 'Content-Type: multipart/report; report-type=delivery-status' },
      problems: [],
    },
    check: (m) => {
      // the human notification and the delivery-status fields are text; the returned headers an attachment
      expect(m.text).toContain('550 5.1.1');
      expect(m.text).toContain('Final-Recipient: rfc822; nieistniejacy@klient.pl');
      expect(m.attachments.map((a) => [a.filename, a.contentType])).toEqual([['attachment-1.txt', 'text/rfc822-headers']]);
    },
  },
  {
    file: 'mailing-list.eml',
    expected: { auto: { isAutoReply: false, isBounce: false, isBulk: true, reason: 'Precedence: bulk' }, problems: [] },
  },
  {
    file: 'reply-references-only.eml',
    expected: {
      inReplyTo: null,
      // folded References header, both ids, bare
      references: ['CAF=k3x9Yb7@mail.klient.pl', '8a1f0c2e9b7d4e6f8a1f0c2e9b7d4e6f@triage'],
      newText: 'Dziękuję, technik był i wszystko działa.',
      auto: NOT_AUTO,
      problems: [],
    },
    check: (m) => {
      expect(m.text).toContain('W dniu 10.03.2026 o 15:02, Serwis pisze:');
      expect(m.text).toContain('>> drukarka zgłasza awaria krytyczna E-502');
    },
  },
  {
    file: 'reply-subject-tag-only.eml',
    expected: {
      subject: 'RE: Awaria drukarki [#T-000123]',
      inReplyTo: null,
      references: [],
      // base64 utf-8 body; the Outlook header block "Od: / Wysłano:" starts the quote
      newText: 'Przesyłam numer seryjny: SN-88-2026-XQ.\n\nPozdrawiam,\nPiotr',
      problems: [],
    },
    check: (m) => expect(m.text).toContain('Prosimy o numer seryjny urządzenia.'),
  },
  {
    file: 'koi8-r.eml',
    expected: {
      from: { address: 'ivan.petrov@example.ru', name: 'Иван Петров' },
      subject: 'Заказ запчастей',
      date: '2026-03-13T11:00:00.000Z',
      text: 'Здравствуйте!\n\nПрошу выставить счёт на запчасти для принтера.\n\nС уважением,\nИван Петров',
      problems: [],
    },
  },
  {
    file: 'broken-mime.eml',
    expected: {
      messageId: 'broken-1@biuro.example.pl',
      subject: 'Skan protokołu',
      text: 'Protokół w załączniku.',
      problems: [
        'message: the closing boundary "------=_Part_0_123--" is missing (truncated message?); the last part may be incomplete',
        'part 2 (application/pdf "protokol.pdf"): invalid base64; only the decodable bytes were kept',
      ],
    },
    check: (m) => {
      expect(m.attachments.map((a) => a.filename)).toEqual(['protokol.pdf']);
      expect(m.attachments[0]?.size).toBeGreaterThan(0);
    },
  },
  {
    file: 'no-message-id-own-loop.eml',
    expected: {
      date: null,
      auto: { isAutoReply: true, isBounce: false, isBulk: false, reason: 'X-Loop: triage' },
      problems: ['no usable Message-ID header: using sha256-<hash of the raw message>@triage', 'unreadable Date header: "someday soon"'],
    },
    check: (m) => expect(m.messageId).toBe(`sha256-${m.rawSha256}@triage`),
  },
  {
    file: 'not-a-mail.eml',
    expected: { from: null, to: [], subject: '', date: null, html: null, attachments: [], auto: NOT_AUTO },
    check: (m) => {
      expect(m.headers).toEqual({});
      expect(m.problems).toContain('no header block: the input does not start with "Name: value" header lines');
      expect(m.problems).toContain('no From header');
    },
  },
];

describe('parseMail on the fixture corpus', () => {
  it('covers every file in test/fixtures/mail', () => {
    expect(CASES.map((c) => c.file).sort()).toEqual(readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort());
  });

  it.each(CASES)('$file', async ({ file, expected, check }) => {
    const raw = load(file);
    const mail = await parseMail(raw);
    expect(mail).toMatchObject(expected);
    expect(mail.rawSha256).toBe(sha(raw));
    expect(mail.messageId).not.toMatch(/[<>]/);
    await check?.(mail);
    // the CLI shape is derived from the same parse and survives JSON
    expect(JSON.parse(JSON.stringify(toMailParseOutput(mail)))).toEqual(toMailParseOutput(mail));
  });
});

describe('parseMail edge cases', () => {
  it('never throws on damaged mail: every fixture cut short at many points, and with bytes overwritten', async () => {
    let parsed = 0;
    for (const file of CASES.map((c) => c.file)) {
      const raw = load(file);
      for (let cut = 0; cut < raw.length; cut += 41) {
        const damaged = Buffer.from(raw.subarray(0, cut));
        const flipped = Buffer.from(raw);
        for (let i = cut % 7; i < flipped.length; i += 53) flipped[i] = (flipped[i] ?? 0) ^ 0xa5;
        for (const input of [damaged, flipped]) {
          const mail = await parseMail(input);
          expect(mail.rawSha256).toBe(sha(input));
          expect(typeof JSON.stringify(toMailParseOutput(mail))).toBe('string');
          parsed += 1;
        }
      }
    }
    expect(parsed).toBeGreaterThan(500);
  });


  it('never throws: empty input, a lone header, LF line ends, an mbox From_ line', async () => {
    await expect(parseMail(Buffer.alloc(0))).resolves.toMatchObject({ from: null, text: '', messageId: `sha256-${sha(Buffer.alloc(0))}@triage` });
    await expect(parseMail(Buffer.from('Subject: only a header'))).resolves.toMatchObject({ subject: 'only a header', text: '' });
    const lf = await parseMail(Buffer.from('From Anna Mon Mar  2 10:00:00 2026\nFrom: anna@x.pl\nMessage-ID: <lf@x.pl>\nSubject: LF\n\nline one\nline two\n'));
    expect(lf).toMatchObject({ messageId: 'lf@x.pl', from: { address: 'anna@x.pl', name: '' }, subject: 'LF', text: 'line one\nline two', problems: ['no Date header'] });
  });

  it('a multipart without a boundary parameter is reported, not fatal', async () => {
    const mail = await parseMail(Buffer.from('From: a@x.pl\r\nMessage-ID: <nb@x>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nContent-Type: multipart/mixed\r\n\r\nsome text\r\n'));
    expect(mail.problems).toEqual(['message: multipart/mixed without a boundary parameter; its parts cannot be separated']);
  });

  it('In-Reply-To with a comment and several References headers', async () => {
    const mail = await parseMail(Buffer.from('From: a@x.pl\r\nMessage-ID: m@x\r\nIn-Reply-To: <p2@x> (Anna\'s message of Monday)\r\nReferences: <p1@x>\r\nReferences: <p1@x> <p2@x>\r\n\r\nbody\r\n'));
    expect(mail).toMatchObject({ messageId: 'm@x', inReplyTo: 'p2@x', references: ['p1@x', 'p2@x'] });
  });

  it('raw 8-bit headers: UTF-8 as such, else the charset the Content-Type declares', async () => {
    const utf8 = await parseMail(Buffer.from('From: Paweł <p@x.pl>\r\nSubject: Zażółć gęślą\r\n\r\nb\r\n', 'utf8'));
    expect(utf8).toMatchObject({ subject: 'Zażółć gęślą', from: { name: 'Paweł' }, headers: { subject: 'Zażółć gęślą' } });
    const latin2 = Buffer.concat([Buffer.from('From: a@x.pl\r\nSubject: Reklamacja '), Buffer.from([0xa3, 0xf3, 0x64, 0xbc]), Buffer.from('\r\nContent-Type: text/plain;\r\n charset="iso-8859-2"\r\n\r\nb\r\n')]);
    expect(await parseMail(latin2)).toMatchObject({ subject: 'Reklamacja Łódź', headers: { subject: 'Reklamacja Łódź' } });
  });

  it('mail loop marker is configurable', async () => {
    const raw = Buffer.from('From: desk@example.com\r\nX-Loop: desk-prod\r\nMessage-ID: <l@x>\r\n\r\nx\r\n');
    expect((await parseMail(raw)).auto.isAutoReply).toBe(false);
    expect((await parseMail(raw, { loopMarker: 'desk-prod' })).auto).toEqual({ isAutoReply: true, isBounce: false, isBulk: false, reason: 'X-Loop: desk-prod' });
  });

  it('bareMessageId and messageIds', () => {
    expect(bareMessageId(' <a@b> ')).toBe('a@b');
    expect(bareMessageId('a@b')).toBe('a@b');
    expect(messageIds('<a@b>\r\n <c@d>')).toEqual(['a@b', 'c@d']);
    expect(messageIds('a@b c@d')).toEqual(['a@b', 'c@d']);
    expect(messageIds('not an id')).toEqual([]);
    expect(messageIds(undefined)).toEqual([]);
  });
});
