import { useState } from 'preact/hooks';
import type { ApiClient } from '../api-client.js';
import type { OutboxEntry, OutboxList } from '../api-types.js';
import { ErrorBox } from '../components/error-box.js';
import { Link } from '../components/link.js';
import { formatInstant } from '../format.js';
import { useApi } from '../use-api.js';

/** Dead letters: actions that could not be delivered, with a Retry per row (POST /v1/outbox/{id}/retry, scope admin). */
export function OutboxPage(props: { api: ApiClient; onChangeKey: () => void }) {
  const { state, reload } = useApi(() => props.api.get<OutboxList>('/v1/outbox', { status: 'dead', limit: 200 }), 'outbox');
  const [notice, setNotice] = useState<string | undefined>();
  const [failure, setFailure] = useState<unknown>();
  const retry = async (entry: OutboxEntry): Promise<void> => {
    setFailure(undefined);
    try {
      const after = await props.api.post<OutboxEntry>(`/v1/outbox/${encodeURIComponent(entry.id)}/retry`);
      setNotice(`${entry.actionType} of rule ${entry.ruleId} is ${after.status} again: it will be sent at once.`);
      reload();
    } catch (e) {
      setFailure(e);
    }
  };
  return (
    <section>
      <header class="page-head">
        <h1>Outbox: dead letters</h1>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </header>
      {notice !== undefined && (
        <p class="notice" role="status" data-testid="notice">
          {notice}
        </p>
      )}
      {failure !== undefined && <ErrorBox error={failure} onChangeKey={props.onChangeKey} />}
      {state.status === 'loading' && <p class="muted">Loading…</p>}
      {state.status === 'error' && <ErrorBox error={state.error} onChangeKey={props.onChangeKey} />}
      {state.status === 'ok' && (
        <>
          <p class="summary">
            {Object.entries(state.data.counts)
              .map(([s, n]) => `${n} ${s.replace('_', ' ')}`)
              .join(' · ')}
          </p>
          {state.data.entries.length === 0 ? (
            <p class="muted" data-testid="no-dead">
              No dead letters.
            </p>
          ) : (
            <table class="grid" data-testid="dead-letters">
              <thead>
                <tr>
                  <th>Action</th>
                  <th>Rule</th>
                  <th>Ticket</th>
                  <th>Attempts</th>
                  <th>Last error</th>
                  <th>Since</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {state.data.entries.map((e) => (
                  <tr key={e.id} data-outbox={e.id}>
                    <td>
                      <code>{e.actionType}</code>
                      {e.connection === null ? '' : ` → ${e.connection}`}
                    </td>
                    <td>
                      <code>{e.ruleId}</code>
                    </td>
                    <td>
                      <Link to={{ page: 'ticket', ref: e.ticketId }}>open</Link>
                    </td>
                    <td>{e.attempts}</td>
                    <td class="error-text">{e.lastError === null ? '—' : `${e.lastError.code}: ${e.lastError.message}`}</td>
                    <td>{formatInstant(e.updatedAt)}</td>
                    <td>
                      <button type="button" onClick={() => void retry(e)}>
                        Retry
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
