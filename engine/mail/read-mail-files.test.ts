import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../../test/helpers/expect-code.js';
import { readMailFiles, splitMbox } from './read-mail-files.js';

describe('splitMbox', () => {
  it('splits on From lines after an empty line, drops the envelope and unquotes >From', () => {
    const mbox = Buffer.from(
      'From jan@acme.example Mon Jan  5 09:58:00 2026\nSubject: one\n\nFirst body\n>From the archive\nFrom here inside a paragraph\n\nFrom ewa@acme.example Mon Jan  5 10:00:00 2026\nSubject: two\n\nZa\u017c\u00f3\u0142\u0107\n',
      'utf8',
    );
    const [one, two, ...rest] = splitMbox(mbox);
    expect(rest).toEqual([]);
    expect(one?.toString('utf8')).toBe('Subject: one\n\nFirst body\nFrom the archive\nFrom here inside a paragraph\n');
    // Bytes survive untouched (UTF-8 here).
    expect(two?.toString('utf8')).toBe('Subject: two\n\nZa\u017c\u00f3\u0142\u0107\n');
  });
});

describe('readMailFiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-mail-files-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'b.eml'), 'Subject: b\r\n\r\nb\r\n');
    await writeFile(join(dir, 'sub', 'a.eml'), 'Subject: a\r\n\r\na\r\n');
    await writeFile(join(dir, 'notes.txt'), 'not mail');
    await writeFile(join(dir, 'box.mbox'), 'From x Mon Jan  5 09:58:00 2026\nSubject: m1\n\nm1\n\nFrom y Mon Jan  5 09:58:00 2026\nSubject: m2\n\nm2\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads .eml and .mbox files of a directory in name order, recursively', async () => {
    const files = await readMailFiles(dir);
    expect(files.map((f) => f.location.slice(dir.length + 1))).toEqual(['b.eml', 'box.mbox#1', 'box.mbox#2', 'sub/a.eml']);
  });

  it('reads one file, and names a path that does not exist', async () => {
    expect(await readMailFiles(join(dir, 'b.eml'))).toHaveLength(1);
    await expectCode(readMailFiles(join(dir, 'missing.eml')), 'TRIAGE_MAIL_IMPORT_UNREADABLE');
  });
});
