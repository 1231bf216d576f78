import { watch, type FSWatcher, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { ConnectorContext, ConnectorInstance, ConnectorTestResult, CustomerLookup } from '../lib/connector.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { TriageError } from '../../engine/errors/triage-error.js';
import { parseCustomerFile, type CustomerFileOptions, type CustomerIndex } from './customer-file.js';

export interface FileCrmOptions extends CustomerFileOptions {
  path: string;
  /** Reload when the file changes (default true). */
  watch?: boolean;
  /** Quiet time after the last change before reloading: editors and `cp` write in several steps (default 200 ms). */
  debounceMs?: number;
}

export interface ReloadOutcome {
  ok: boolean;
  /** Customers served after the reload (the previous count when it failed). */
  customers: number;
  error?: string;
}

/**
 * A CRM that is a CSV or JSON file of customers (R8), for teams whose
 * customer list lives in a spreadsheet. Loaded at start (a bad file fails the
 * start); reloaded when the file changes. A reload that fails keeps the
 * previous version serving and reports the problem (log, `test()`), so a
 * half-saved file never empties the customer list.
 */
export class FileCrm implements ConnectorInstance {
  private readonly path: string;
  private readonly options: FileCrmOptions;
  private readonly context: ConnectorContext;
  private index: CustomerIndex;
  private loadedAt: Date;
  private lastError: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(outcome: ReloadOutcome) => void>();
  private closed = false;

  constructor(options: FileCrmOptions, context: ConnectorContext) {
    this.options = options;
    this.context = context;
    this.path = resolve(options.path);
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      throw new TriageError('TRIAGE_CRM_FILE_INVALID', [this.path, e instanceof Error ? e.message : String(e)], { cause: e });
    }
    this.index = this.parse(text);
    this.loadedAt = new Date();
    this.report(this.index);
    if (options.watch !== false) this.startWatching();
  }

  /** Customers currently served. */
  get size(): number {
    return this.index.size;
  }

  async lookupCustomer(query: CustomerLookup, signal: AbortSignal): Promise<FactObject | undefined> {
    signal.throwIfAborted();
    return this.index.lookup(query);
  }

  test(): Promise<ConnectorTestResult> {
    const served = `${this.index.size} customer(s) from ${this.path}, loaded ${this.loadedAt.toISOString()}`;
    return Promise.resolve(
      this.lastError === undefined
        ? { ok: true, detail: served }
        : { ok: false, detail: `the last reload failed (${this.lastError}); still serving ${served}` },
    );
  }

  /**
   * Read the file again now. Reloads run one after the other, so a change
   * arriving mid-reload is read after it, never lost.
   */
  reload(): Promise<ReloadOutcome> {
    const next = this.chain.then(() => this.readNow());
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Called after every reload, successful or not; returns the unsubscribe. */
  onReload(listener: (outcome: ReloadOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    await this.chain;
  }

  private async readNow(): Promise<ReloadOutcome> {
    let outcome: ReloadOutcome;
    try {
      const index = this.parse(await readFile(this.path, 'utf8'));
      this.index = index;
      this.loadedAt = new Date();
      this.lastError = undefined;
      this.report(index);
      this.context.log('info', 'customer file reloaded', { connection: this.context.connection, customers: index.size });
      outcome = { ok: true, customers: index.size };
    } catch (e) {
      const error = e instanceof TriageError ? e.message : e instanceof Error ? e.message : String(e);
      this.lastError = error;
      this.context.log('error', 'customer file reload failed; the previous version keeps serving', { connection: this.context.connection, error, customers: this.index.size });
      outcome = { ok: false, customers: this.index.size, error };
    }
    for (const listener of this.listeners) listener(outcome);
    return outcome;
  }

  private parse(text: string): CustomerIndex {
    try {
      return parseCustomerFile(text, this.path, this.options);
    } catch (e) {
      throw new TriageError('TRIAGE_CRM_FILE_INVALID', [this.path, e instanceof Error ? e.message : String(e)], { cause: e });
    }
  }

  private report(index: CustomerIndex): void {
    // The first few are enough to find the problem; a broken export can have thousands.
    for (const warning of index.warnings.slice(0, 20)) this.context.log('warn', `customer file: ${warning}`, { connection: this.context.connection });
    if (index.warnings.length > 20) this.context.log('warn', `customer file: ${index.warnings.length - 20} more warning(s)`, { connection: this.context.connection });
  }

  private startWatching(): void {
    // Watch the directory, not the file: editors and deploy tools replace the
    // file (write a temp file, rename it over), which ends a watch on the old inode.
    const name = basename(this.path);
    this.watcher = watch(dirname(this.path), { persistent: false }, (_event, filename) => {
      if (filename !== null && filename.toString() !== name) return;
      if (this.debounce !== undefined) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.debounce = undefined;
        if (!this.closed) void this.reload();
      }, this.options.debounceMs ?? 200);
      this.debounce.unref();
    });
    this.watcher.on('error', (error) => {
      this.context.log('error', 'customer file watch failed; changes are no longer picked up', { connection: this.context.connection, error: error.message });
    });
  }
}
