import { useState } from 'preact/hooks';
import type { ApiClient } from '../api-client.js';
import type { CorrectionStats, DeadRules, RuleStats } from '../api-types.js';
import { BarChart } from '../components/bar-chart.js';
import { ErrorBox } from '../components/error-box.js';
import { formatShare, shortVersion } from '../format.js';
import { useApi } from '../use-api.js';

const WINDOWS = ['7d', '30d', '90d'] as const;
const REASONS: Record<string, string> = {
  'never-fired': 'never fired',
  'no-events': 'none of its events happened',
  'unreachable-after-stop': 'an earlier rule stops first',
  overridden: 'always overridden by a later rule',
};

/** Rule governance: hits of the active rules, dead and shadowed rules, corrections by agents. */
export function RulesPage(props: { api: ApiClient; onChangeKey: () => void }) {
  const [since, setSince] = useState<string>('30d');
  const { state } = useApi(
    () => Promise.all([props.api.get<RuleStats>('/v1/rules/stats', { since }), props.api.get<DeadRules>('/v1/rules/dead', { since }), props.api.get<CorrectionStats>('/v1/rules/corrections', { since })]),
    since,
  );
  return (
    <section>
      <header class="page-head">
        <h1>Rules</h1>
        <label>
          Window{' '}
          <select value={since} onChange={(e) => setSince(e.currentTarget.value)}>
            {WINDOWS.map((w) => (
              <option value={w}>last {w}</option>
            ))}
          </select>
        </label>
      </header>
      {state.status === 'loading' && <p class="muted">Loading…</p>}
      {state.status === 'error' && <ErrorBox error={state.error} onChangeKey={props.onChangeKey} />}
      {state.status === 'ok' && <RulesView stats={state.data[0]} dead={state.data[1]} corrections={state.data[2]} />}
    </section>
  );
}

function RulesView(props: { stats: RuleStats; dead: DeadRules; corrections: CorrectionStats }) {
  const active = props.stats.rules.filter((r) => r.active).sort((a, b) => b.fired - a.fired || a.ruleId.localeCompare(b.ruleId));
  return (
    <>
      <h2>Rule hits</h2>
      <p class="muted small">
        {props.stats.decisions} decisions since {props.stats.since}; active rule set {shortVersion(props.stats.activeVersion)}
      </p>
      <BarChart label="Times each active rule fired" bars={active.map((r) => ({ label: r.ruleId, value: r.fired, note: r.evaluated === null ? '' : `of ${r.evaluated}` }))} />
      <table class="grid" data-testid="rule-stats">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Evaluated</th>
            <th>Fired</th>
            <th>Rate</th>
            <th>Actions ok</th>
            <th>failed</th>
            <th>pending</th>
          </tr>
        </thead>
        <tbody>
          {active.map((r) => (
            <tr key={r.ruleId}>
              <td>
                <code>{r.ruleId}</code>
              </td>
              <td>{r.evaluated ?? '—'}</td>
              <td>{r.fired}</td>
              <td>{formatShare(r.fireRate)}</td>
              <td>{r.actions.succeeded}</td>
              <td class={r.actions.failed > 0 ? 'overdue' : ''}>{r.actions.failed}</td>
              <td>{r.actions.pending}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Dead and shadowed rules ({props.dead.rules.length})</h2>
      {props.dead.rules.length === 0 ? (
        <p class="muted">Every active rule fired in the window.</p>
      ) : (
        <table class="grid" data-testid="dead-rules">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Why</th>
              <th>By</th>
              <th>Where</th>
            </tr>
          </thead>
          <tbody>
            {props.dead.rules.map((r) => (
              <tr key={`${r.ruleId}|${r.reason}`}>
                <td>
                  <code>{r.ruleId}</code>
                </td>
                <td>{REASONS[r.reason] ?? r.reason}</td>
                <td>{r.by.join(', ') || '—'}</td>
                <td class="muted small">
                  {r.file}:{r.line}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Corrections by agents</h2>
      <p class="muted small">
        {props.corrections.correctedTickets} of {props.corrections.tickets} tickets corrected ({formatShare(props.corrections.share)})
      </p>
      {props.corrections.rules.length > 0 && (
        <table class="grid" data-testid="correction-stats">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Field</th>
              <th>Decided</th>
              <th>Corrected</th>
              <th>Share</th>
              <th>Most common</th>
            </tr>
          </thead>
          <tbody>
            {props.corrections.rules.map((r) => (
              <tr key={`${r.ruleId}|${r.field}`}>
                <td>
                  <code>{r.ruleId}</code>
                </td>
                <td>{r.field}</td>
                <td>{r.decided}</td>
                <td>{r.corrected}</td>
                <td>{formatShare(r.share)}</td>
                <td>{r.top.map((t) => `${t.from ?? '—'} → ${t.to ?? '—'} (${t.count})`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
