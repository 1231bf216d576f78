import { hrefOf, parseRoute, type Route } from './routes.js';

const EVENT = 'triage:navigate';

/** Move to a page without a reload (history API); the app listens for it and for back/forward. */
export function navigate(route: Route | string): void {
  const href = typeof route === 'string' ? route : hrefOf(route);
  history.pushState(null, '', href);
  window.dispatchEvent(new Event(EVENT));
}

export function currentRoute(): Route {
  return parseRoute(location.pathname);
}

/** Calls `onChange` on every navigation; returns the unsubscribe. */
export function onNavigate(onChange: () => void): () => void {
  window.addEventListener(EVENT, onChange);
  window.addEventListener('popstate', onChange);
  return () => {
    window.removeEventListener(EVENT, onChange);
    window.removeEventListener('popstate', onChange);
  };
}
