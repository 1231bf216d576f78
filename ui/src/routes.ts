/** The dashboard's pages; every one has a URL under /ui so it can be bookmarked. */
export type Route =
  | { page: 'queue' }
  | { page: 'ticket'; ref: string }
  | { page: 'heatmap' }
  | { page: 'rules' }
  | { page: 'outbox' }
  | { page: 'not-found'; path: string };

export const UI_BASE = '/ui';

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(UI_BASE) ? pathname.slice(UI_BASE.length) : pathname;
  const parts = rest.split('/').filter((p) => p !== '');
  const [first, second] = parts;
  if (parts.length === 0 || (first === 'queue' && parts.length === 1)) return { page: 'queue' };
  if (first === 'tickets' && second !== undefined && parts.length === 2) return { page: 'ticket', ref: decodeURIComponent(second) };
  if (parts.length === 1 && (first === 'heatmap' || first === 'rules' || first === 'outbox')) return { page: first };
  return { page: 'not-found', path: pathname };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'queue':
      return `${UI_BASE}/`;
    case 'ticket':
      return `${UI_BASE}/tickets/${encodeURIComponent(route.ref)}`;
    case 'not-found':
      return route.path;
    default:
      return `${UI_BASE}/${route.page}`;
  }
}
