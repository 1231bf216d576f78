import { ApiError } from '../api-error.js';
import type { ApiClient } from '../api-client.js';
import type { TicketDetails, TicketExplanation } from '../api-types.js';
import { DecisionSummary, DecisionTrace } from '../components/decision-trace.js';
import { ErrorBox } from '../components/error-box.js';
import { SlaBadge } from '../components/sla-badge.js';
import { formatInstant, formatValue, shortVersion } from '../format.js';
import { useApi } from '../use-api.js';

/** One ticket: fields and SLA, messages, stored decisions, the explanation, audit trail and corrections. */
export function TicketPage(props: { api: ApiClient; ticketRef: string; onChangeKey: () => void }) {
  const path = `/v1/tickets/${encodeURIComponent(props.ticketRef)}`;
  const details = useApi(() => props.api.get<TicketDetails>(path), path);
  const explanation = useApi(() => props.api.get<TicketExplanation>(`${path}/explain`), `${path}/explain`);
  if (details.state.status === 'loading') return <p class="muted">Loading…</p>;
  if (details.state.status === 'error') return <ErrorBox error={details.state.error} onChangeKey={props.onChangeKey} />;
  const { ticket, messages, audit, decisions, corrections, customer } = details.state.data;
  return (
    <section>
      <header class="page-head">
        <h1>
          {ticket.number} <span class="subject">{ticket.subject}</span>
        </h1>
      </header>
      <dl class="facts" data-testid="ticket-fields">
        <dt>Status</dt>
        <dd>{ticket.status}</dd>
        <dt>SLA</dt>
        <dd>
          <SlaBadge sla={ticket.sla} withTime /> {ticket.sla?.metric ?? ''} {ticket.sla?.dueAt != null && <span class="muted">due {formatInstant(ticket.sla.dueAt)}</span>}
        </dd>
        <dt>Priority</dt>
        <dd>{ticket.priority ?? '—'}</dd>
        <dt>Category</dt>
        <dd>{ticket.category ?? '—'}</dd>
        <dt>Team</dt>
        <dd>{ticket.team ?? '—'}</dd>
        <dt>Assignee</dt>
        <dd>{ticket.assignee ?? '—'}</dd>
        <dt>Customer</dt>
        <dd>{customer?.name ?? '—'}</dd>
        <dt>Channel</dt>
        <dd>{ticket.channel ?? '—'}</dd>
        <dt>Tags</dt>
        <dd>{ticket.tags.join(', ') || '—'}</dd>
        <dt>Created</dt>
        <dd>{formatInstant(ticket.createdAt)}</dd>
      </dl>

      <h2>Messages ({messages.length})</h2>
      <ul class="messages" data-testid="messages">
        {messages.map((m) => (
          <li key={m.id} class={`message ${m.direction} ${m.kind}`}>
            <div class="muted small">
              {formatInstant(m.createdAt)} · {m.direction} {m.kind === 'internal' ? '(internal note)' : ''} {m.from === null ? '' : `· ${m.from.name ?? m.from.address}`}
            </div>
            <pre>{m.text ?? ''}</pre>
          </li>
        ))}
      </ul>

      <h2>Decisions ({decisions.length})</h2>
      {decisions.map((d) => (
        <div class="card" key={d.id} data-testid="decision">
          <div class="muted small">
            {formatInstant(d.createdAt)} · <code>{d.event}</code> · rule set {shortVersion(d.ruleSetVersion)}
          </div>
          <DecisionSummary decision={d.decision} />
        </div>
      ))}

      <h2>Why: the explanation</h2>
      <div data-testid="explanation">
        {explanation.state.status === 'loading' && <p class="muted">Evaluating…</p>}
        {explanation.state.status === 'error' &&
          (explanation.state.error instanceof ApiError && explanation.state.error.code === 'TRIAGE_EXPLAIN_NO_DECISION' ? (
            <p class="muted">{explanation.state.error.message}</p>
          ) : (
            <ErrorBox error={explanation.state.error} onChangeKey={props.onChangeKey} />
          ))}
        {explanation.state.status === 'ok' && <Explanation data={explanation.state.data} />}
      </div>

      <h2>Audit trail ({audit.length})</h2>
      <table class="grid" data-testid="audit">
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            <th>Who</th>
            <th>Event</th>
            <th>Action</th>
            <th>Field</th>
            <th>From</th>
            <th>To</th>
          </tr>
        </thead>
        <tbody>
          {audit.map((a) => (
            <tr key={a.id}>
              <td>{a.seq}</td>
              <td>{formatInstant(a.at)}</td>
              <td>
                {a.actorType}:{a.actorId}
              </td>
              <td>{a.event ?? '—'}</td>
              <td>{a.action}</td>
              <td>{a.field ?? '—'}</td>
              <td>{a.field === null ? '' : formatValue(a.oldValue)}</td>
              <td>{a.field === null ? '' : formatValue(a.newValue)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Corrections ({corrections.length})</h2>
      {corrections.length === 0 ? (
        <p class="muted">No agent changed what a rule decided.</p>
      ) : (
        <table class="grid" data-testid="corrections">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Field</th>
              <th>Rule</th>
              <th>Rule said</th>
              <th>Changed to</th>
            </tr>
          </thead>
          <tbody>
            {corrections.map((c) => (
              <tr key={c.id}>
                <td>{formatInstant(c.at)}</td>
                <td>{c.actor}</td>
                <td>{c.field}</td>
                <td>
                  <code>{c.ruleId}</code>
                </td>
                <td>{formatValue(c.oldValue)}</td>
                <td>{formatValue(c.newValue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Explanation(props: { data: TicketExplanation }) {
  const e = props.data;
  const same = e.storedRuleSetVersion === e.ruleSetVersion;
  return (
    <>
      <p class="muted small">
        ticket.created of {formatInstant(e.decidedAt)}, evaluated again now with rule set {shortVersion(e.ruleSetVersion)}
        {same ? ' (the set that decided it)' : ` (it was decided by ${shortVersion(e.storedRuleSetVersion)})`} on the facts rebuilt from the stored ticket, first message and customer.
      </p>
      {e.differs.length > 0 && (
        <p class="warn" data-testid="explain-differs">
          Differs from the stored decision in: {e.differs.join(', ')}. {same ? 'The decision used facts that are not stored (CRM answer, order, SLA).' : 'The rule set changed since.'}
        </p>
      )}
      <DecisionSummary decision={e.decision} />
      <DecisionTrace trace={e.decision.trace ?? []} />
    </>
  );
}
