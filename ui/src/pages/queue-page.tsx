import type { ApiClient } from '../api-client.js';
import type { TicketList } from '../api-types.js';
import { ErrorBox } from '../components/error-box.js';
import { Link } from '../components/link.js';
import { SlaBadge } from '../components/sla-badge.js';
import { formatInstant, formatTimeLeft } from '../format.js';
import { byUrgency, countByState } from '../sla-order.js';
import { useApi } from '../use-api.js';

const OPEN = ['new', 'open', 'pending'];
const PAGE = 200;
/** The list is newest first, and the oldest open tickets are the likeliest to be breached: read several pages. */
export const QUEUE_CAP = 1000;

/** Every open ticket up to QUEUE_CAP, following nextCursor; nextCursor stays set when the cap cut the list. */
async function openTickets(api: ApiClient): Promise<TicketList> {
  const tickets: TicketList['tickets'] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await api.get<TicketList>('/v1/tickets', { status: OPEN, limit: PAGE, cursor });
    tickets.push(...page.tickets);
    if (page.nextCursor === null || tickets.length >= QUEUE_CAP) return { tickets, nextCursor: page.nextCursor };
    cursor = page.nextCursor;
  }
}

/** Open tickets, most urgent first: breached, then warnings, then by time left. */
export function QueuePage(props: { api: ApiClient; onChangeKey: () => void }) {
  const { state, reload } = useApi(() => openTickets(props.api), 'queue');
  return (
    <section>
      <header class="page-head">
        <h1>Queue</h1>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </header>
      {state.status === 'loading' && <p class="muted">Loading…</p>}
      {state.status === 'error' && <ErrorBox error={state.error} onChangeKey={props.onChangeKey} />}
      {state.status === 'ok' && <QueueTable list={state.data} />}
    </section>
  );
}

function QueueTable(props: { list: TicketList }) {
  const tickets = byUrgency(props.list.tickets);
  const counts = countByState(tickets);
  if (tickets.length === 0) return <p class="muted">No open tickets.</p>;
  return (
    <>
      <p class="summary" data-testid="queue-summary">
        {tickets.length} open · <span class="sla sla-breached">{counts.breached} breached</span> <span class="sla sla-warning">{counts.warning} warning</span>{' '}
        <span class="sla sla-due">{counts.due} on time</span>
        {props.list.nextCursor !== null && <span class="muted"> · only the newest {tickets.length} are shown</span>}
      </p>
      <table class="grid" data-testid="queue">
        <thead>
          <tr>
            <th>Ticket</th>
            <th>Subject</th>
            <th>Status</th>
            <th>Priority</th>
            <th>Team</th>
            <th>Category</th>
            <th>SLA</th>
            <th>Due</th>
            <th>Time left</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((t) => (
            <tr key={t.id} data-ticket={t.number}>
              <td>
                <Link to={{ page: 'ticket', ref: t.number }}>{t.number}</Link>
              </td>
              <td class="subject">{t.subject}</td>
              <td>{t.status}</td>
              <td>{t.priority ?? '—'}</td>
              <td>{t.team ?? '—'}</td>
              <td>{t.category ?? '—'}</td>
              <td>
                <SlaBadge sla={t.sla} />
                {t.sla?.metric != null && <span class="muted small"> {t.sla.metric}</span>}
              </td>
              <td>{formatInstant(t.sla?.dueAt ?? null)}</td>
              <td class={t.sla !== undefined && t.sla.msLeft !== null && t.sla.msLeft < 0 ? 'overdue' : ''}>{formatTimeLeft(t.sla?.msLeft ?? null)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
