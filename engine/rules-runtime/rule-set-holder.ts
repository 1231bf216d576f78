import { watch, type FSWatcher } from 'node:fs';
import type { Diagnostic } from '../errors/diagnostic.js';
import { loadRuleSet } from '../../rules/lib/load-rule-set.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import { TriageError } from '../errors/triage-error.js';

export interface ReloadOutcome {
  ok: boolean;
  version: string | undefined;
  at: string;
  diagnostics: Diagnostic[];
}

export interface RuleSetStatus {
  dir: string;
  active: RuleSet;
  loadedAt: string;
  /** The last reload attempt; when it failed, the previous version keeps serving. */
  lastReload: ReloadOutcome | undefined;
  reloads: { ok: number; failed: number };
}

/**
 * Holds the active rule set and swaps it atomically on hot reload. A reload
 * that fails validation never replaces a working version: evaluations keep
 * running on the previous one and the errors are reported (log, /v1/rules,
 * metric). Readers call `current()` per evaluation, so an evaluation in
 * flight finishes on the version it started with.
 */
export class RuleSetHolder {
  private active: RuleSet;
  private loadedAt: string;
  private lastReload: ReloadOutcome | undefined;
  private readonly counts = { ok: 0, failed: 0 };
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<ReloadOutcome> | undefined;
  private readonly listeners: ((o: ReloadOutcome) => void)[] = [];

  private constructor(
    readonly dir: string,
    initial: RuleSet,
  ) {
    this.active = initial;
    this.loadedAt = new Date().toISOString();
  }

  /** Load the initial rule set; an invalid one is fatal at start-up (there is nothing to fall back to). */
  static async open(dir: string): Promise<RuleSetHolder> {
    const r = await loadRuleSet(dir);
    if (!r.ok) throw new TriageError('TRIAGE_RULE_SET_INVALID', [dir, r.diagnostics.length], { details: r.diagnostics });
    return new RuleSetHolder(dir, r.ruleSet);
  }

  current(): RuleSet {
    return this.active;
  }

  status(): RuleSetStatus {
    return { dir: this.dir, active: this.active, loadedAt: this.loadedAt, lastReload: this.lastReload, reloads: { ...this.counts } };
  }

  onReload(listener: (o: ReloadOutcome) => void): void {
    this.listeners.push(listener);
  }

  /** Validate the directory again and swap if valid. Concurrent calls share one load. */
  async reload(): Promise<ReloadOutcome> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      const r = await loadRuleSet(this.dir);
      const at = new Date().toISOString();
      let outcome: ReloadOutcome;
      if (r.ok) {
        const changed = r.ruleSet.version !== this.active.version;
        this.active = r.ruleSet;
        if (changed) this.loadedAt = at;
        this.counts.ok++;
        outcome = { ok: true, version: r.ruleSet.version, at, diagnostics: [] };
      } else {
        this.counts.failed++;
        outcome = { ok: false, version: undefined, at, diagnostics: r.diagnostics };
      }
      this.lastReload = outcome;
      for (const l of this.listeners) l(outcome);
      return outcome;
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /** Watch the directory; editors write files in bursts, so changes are debounced. */
  watch(debounceMs = 200): void {
    if (this.watcher) return;
    this.watcher = watch(this.dir, { persistent: false }, () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(), debounceMs);
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearTimeout(this.timer);
  }
}
