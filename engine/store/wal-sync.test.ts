import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempSqliteFile, type TempSqliteFile } from '../../test/helpers/sqlite.js';
import { WalSync } from './wal-sync.js';

/** Counts the flushes that really reach the file, and lets a test hold one open. */
class CountingWalSync extends WalSync {
  flushes = 0;
  gate: Promise<void> | undefined;
  protected override async flush(): Promise<void> {
    this.flushes += 1;
    if (this.gate !== undefined) await this.gate;
    await super.flush();
  }
}

describe('WalSync', () => {
  const files: TempSqliteFile[] = [];
  afterEach(async () => {
    for (const f of files.splice(0)) await f.cleanup();
  });

  async function walFile(): Promise<string> {
    const file = await createTempSqliteFile();
    files.push(file);
    const wal = `${file.path}-wal`;
    await writeFile(wal, 'frames');
    return wal;
  }

  it('flushes the file and resolves', async () => {
    const sync = new CountingWalSync(await walFile());
    await sync.sync();
    expect(sync.flushes).toBe(1);
  });

  it('coalesces requests made while a flush runs into one next flush, which starts after the running one', async () => {
    const sync = new CountingWalSync(await walFile());
    let open!: () => void;
    sync.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = sync.sync();
    // Made during the first flush: their frames may have been written after it began, so they need another.
    const later = [sync.sync(), sync.sync(), sync.sync()];
    expect(later[1]).toBe(later[0]);
    expect(sync.flushes).toBe(1);
    sync.gate = undefined;
    open();
    await first;
    await Promise.all(later);
    expect(sync.flushes).toBe(2);
  });

  it('rejects when the log cannot be flushed, and the next request tries again', async () => {
    const file = await createTempSqliteFile();
    files.push(file);
    const sync = new CountingWalSync(`${file.path}-wal`);
    await expect(sync.sync()).rejects.toThrow(/ENOENT/);
    await writeFile(`${file.path}-wal`, 'frames');
    await sync.sync();
    expect(sync.flushes).toBe(2);
  });
});
