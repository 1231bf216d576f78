import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient } from './api-client.js';
import { forgetApiKey, loadApiKey, saveApiKey } from './api-key-store.js';
import { KeyForm } from './components/key-form.js';
import { Link } from './components/link.js';
import { currentRoute, onNavigate } from './navigation.js';
import { HeatmapPage } from './pages/heatmap-page.js';
import { OutboxPage } from './pages/outbox-page.js';
import { QueuePage } from './pages/queue-page.js';
import { RulesPage } from './pages/rules-page.js';
import { TicketPage } from './pages/ticket-page.js';
import type { Route } from './routes.js';

const NAV: Array<{ route: Route; label: string }> = [
  { route: { page: 'queue' }, label: 'Queue' },
  { route: { page: 'heatmap' }, label: 'SLA heatmap' },
  { route: { page: 'rules' }, label: 'Rules' },
  { route: { page: 'outbox' }, label: 'Outbox' },
];

export function App() {
  const [route, setRoute] = useState<Route>(currentRoute());
  const [key, setKey] = useState<string | null>(loadApiKey());
  const [reason, setReason] = useState<string | undefined>();
  useEffect(() => onNavigate(() => setRoute(currentRoute())), []);
  const api = useMemo(() => (key === null ? null : new ApiClient(key)), [key]);

  const changeKey = (): void => {
    forgetApiKey();
    setReason('Enter a key that may read tickets (tickets:read); the outbox needs admin.');
    setKey(null);
  };

  if (api === null) {
    return (
      <main class="narrow">
        <KeyForm
          reason={reason}
          onKey={(k) => {
            saveApiKey(k);
            setKey(k);
          }}
        />
      </main>
    );
  }
  return (
    <>
      <nav class="top">
        <span class="brand">triage</span>
        {NAV.map((n) => (
          <Link to={n.route} class={n.route.page === route.page ? 'active' : ''} testId={`nav-${n.route.page}`}>
            {n.label}
          </Link>
        ))}
        <span class="spacer" />
        <button type="button" class="link" onClick={changeKey} data-testid="forget-key">
          Forget key
        </button>
      </nav>
      <main>{page(route, api, changeKey)}</main>
    </>
  );
}

function page(route: Route, api: ApiClient, onChangeKey: () => void) {
  switch (route.page) {
    case 'queue':
      return <QueuePage api={api} onChangeKey={onChangeKey} />;
    case 'ticket':
      return <TicketPage key={route.ref} api={api} ticketRef={route.ref} onChangeKey={onChangeKey} />;
    case 'heatmap':
      return <HeatmapPage api={api} onChangeKey={onChangeKey} />;
    case 'rules':
      return <RulesPage api={api} onChangeKey={onChangeKey} />;
    case 'outbox':
      return <OutboxPage api={api} onChangeKey={onChangeKey} />;
    case 'not-found':
      return (
        <p class="error" role="alert">
          No page at {route.path}. <Link to={{ page: 'queue' }}>Go to the queue</Link>
        </p>
      );
  }
}
