import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../index.js';
import { bufferIo } from '../../test-io.js';

const FIXTURES = 'test/fixtures/mail';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const code = await runCli(['mail', 'parse', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

describe('triage mail parse', () => {
  it('prints the contract shape, keys in contract order', async () => {
    const { code, out, err } = await run(join(FIXTURES, 'inline-image-cid.eml'));
    expect(err).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['messageId', 'from', 'to', 'cc', 'subject', 'date', 'text', 'html', 'inReplyTo', 'references', 'attachments', 'auto']);
    expect(json).toEqual({
      messageId: 'inline-img-2026@partner.example.org',
      from: { address: 'technik@partner.example.org', name: 'Serwis Terenowy' },
      to: [{ address: 'serwis@example.com', name: '' }],
      cc: [],
      subject: 'Zdjęcie uszkodzonej płyty',
      date: '2026-03-06T13:30:00.000Z',
      text: 'Zdjęcie w treści: [image: plyta.png]',
      html: '<div>Zdjęcie w treści:<br /><img src="cid:plyta.png@01DC8B2F" alt="plyta.png" width="1" height="1" /></div>',
      inReplyTo: null,
      references: [],
      attachments: [{ filename: 'plyta.png', contentType: 'image/png', size: 69, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), contentId: 'plyta.png@01DC8B2F', inline: true }],
      auto: { isAutoReply: false, isBounce: false, isBulk: false, reason: null },
    });
    const attachments = json.attachments as Record<string, unknown>[];
    expect(Object.keys(attachments[0] ?? {})).toEqual(['filename', 'contentType', 'size', 'sha256', 'contentId', 'inline']);
    expect(Object.keys(json.auto as object)).toEqual(['isAutoReply', 'isBounce', 'isBulk', 'reason']);
    expect(Object.keys(json.from as object)).toEqual(['address', 'name']);
  });

  it('broken MIME: exit 0 with what was found, problems as warnings on stderr', async () => {
    const file = join(FIXTURES, 'broken-mime.eml');
    const { code, out, err } = await run(file);
    expect(code).toBe(0);
    const json = JSON.parse(out) as { text: string; attachments: { filename: string }[] };
    expect(json.text).toBe('Protokół w załączniku.');
    expect(json.attachments.map((a) => a.filename)).toEqual(['protokol.pdf']);
    expect(err.split('\n').filter((l) => l !== '')).toEqual([
      `warning: ${file}: message: the closing boundary "------=_Part_0_123--" is missing (truncated message?); the last part may be incomplete`,
      `warning: ${file}: part 2 (application/pdf "protokol.pdf"): invalid base64; only the decodable bytes were kept`,
    ]);
  });

  it('input that is no mail at all still prints JSON with nulls and empty lists', async () => {
    const { code, out } = await run(join(FIXTURES, 'not-a-mail.eml'));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ messageId: expect.stringMatching(/^sha256-[0-9a-f]{64}@triage$/), from: null, to: [], cc: [], subject: '', date: null, html: null, inReplyTo: null, references: [], attachments: [] });
  });

  it('--full adds newText, headers, rawSha256 and problems after the contract keys', async () => {
    const { code, out } = await run(join(FIXTURES, 'reply-references-only.eml'), '--full');
    expect(code).toBe(0);
    const json = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(json).slice(12)).toEqual(['replyTo', 'newText', 'headers', 'rawSha256', 'problems']);
    expect(json).toMatchObject({ newText: 'Dziękuję, technik był i wszystko działa.', problems: [], headers: { 'user-agent': 'Mozilla Thunderbird' } });
  });

  it('--loop-marker names our own X-Loop value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-mail-parse-'));
    try {
      const file = join(dir, 'loop.eml');
      await writeFile(file, 'From: desk@example.com\r\nX-Loop: helpdesk-prod\r\nSubject: Re: x\r\nMessage-ID: <l1@example.com>\r\n\r\nhello\r\n');
      const plain = JSON.parse((await run(file)).out) as { auto: { isAutoReply: boolean } };
      expect(plain.auto.isAutoReply).toBe(false);
      const marked = JSON.parse((await run(file, '--loop-marker', 'helpdesk-prod')).out) as { auto: unknown };
      expect(marked.auto).toEqual({ isAutoReply: true, isBounce: false, isBulk: false, reason: 'X-Loop: helpdesk-prod' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a missing file is a coded usage error (exit 2), nothing on stdout', async () => {
    const { code, out, err } = await run('no-such-dir/missing.eml');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^TRIAGE_MAIL_FILE_UNREADABLE Cannot read mail file no-such-dir\/missing\.eml: ENOENT/);
    expect(err).toMatch(/\n {2}hint: Pass the path of one raw RFC 822 message/);
  });

  it('a directory is unreadable too; no file argument is a usage error', async () => {
    expect((await run(FIXTURES)).code).toBe(2);
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/missing required argument 'file'/);
  });
});
