import type { Decision, RuleTrace } from '../api-types.js';
import { formatValue } from '../format.js';

const OUTCOME: Record<RuleTrace['outcome'], string> = { fired: 'fired', 'not-matched': 'not matched', 'skipped-stopped': 'skipped (stopped)' };

/** What a decision did, in one line per kind of effect. */
export function DecisionSummary(props: { decision: Decision }) {
  const d = props.decision;
  const changes = Object.entries(d.changes);
  return (
    <dl class="facts">
      <dt>Changes</dt>
      <dd>{changes.length === 0 ? '—' : changes.map(([f, v]) => `${f} → ${formatValue(v)}`).join(', ')}</dd>
      <dt>Tags</dt>
      <dd>{[...d.tags.added.map((t) => `+${t}`), ...d.tags.removed.map((t) => `−${t}`)].join(' ') || '—'}</dd>
      <dt>Actions</dt>
      <dd>{d.actions.length === 0 ? '—' : d.actions.map((a) => `${a.type} (${a.ruleId})`).join(', ')}</dd>
      <dt>Fired rules</dt>
      <dd>{d.firedRules.join(', ') || '—'}</dd>
      <dt>Review</dt>
      <dd>{d.review ? `yes: ${d.reviewReasons.join('; ')}` : 'no'}</dd>
    </dl>
  );
}

/** Every rule the event reached, in evaluation order, with each condition's actual value. */
export function DecisionTrace(props: { trace: RuleTrace[] }) {
  if (props.trace.length === 0) return <p class="muted">No rule listens to this event.</p>;
  return (
    <ol class="trace" data-testid="trace">
      {props.trace.map((r) => (
        <li key={r.ruleId} class={`rule rule-${r.outcome}`} data-rule={r.ruleId} data-outcome={r.outcome}>
          <div class="rule-head">
            <span class={`outcome outcome-${r.outcome}`}>{OUTCOME[r.outcome]}</span> <code>{r.ruleId}</code>{' '}
            <span class="muted small">
              {r.file}:{r.line} · priority {r.priority}
            </span>
          </div>
          {r.conditions.length > 0 && (
            <table class="grid conditions">
              <tbody>
                {r.conditions.map((c, i) => (
                  <tr key={i} class={c.result ? 'pass' : 'fail'}>
                    <td>{c.result ? '✓' : '✗'}</td>
                    <td>
                      <code>
                        {c.fact}
                        {c.path === undefined ? '' : `.${c.path}`}
                      </code>
                    </td>
                    <td>{c.operator}</td>
                    <td>
                      <code>{formatValue(c.value)}</code>
                    </td>
                    <td>
                      actual <code>{formatValue(c.actual)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </li>
      ))}
    </ol>
  );
}
