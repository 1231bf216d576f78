import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TriageError } from '../../errors/triage-error.js';
import { packageRoot } from '../../runtime/package-root.js';

export interface UiRoutesOptions {
  /** The built dashboard (vite's output). Default: <package>/dist/ui, built by `npm run build`. */
  dir?: string;
}

/**
 * Only our own files: no inline script or style, no other origin, never
 * framed. The dashboard talks to this same server's /v1 API.
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** vite names built assets `name-<hash>.ext`: their content never changes under that name. */
const ASSET = /^assets\/[A-Za-z0-9_.-]+$/;

/**
 * The web dashboard (docs/dashboard.md) at /ui: static files built by vite
 * into dist/ui, every path without a file extension answered with
 * index.html so deep links (/ui/tickets/T-000042) reach the single-page
 * app. Public like /docs: the page holds no data, the API calls it makes
 * need the key the user pastes in. Files are read once and kept in memory
 * (a few hundred kB); only names vite produced are served, so no request
 * path ever reaches the file system as given.
 */
export function registerUiRoutes(app: FastifyInstance, options: UiRoutesOptions = {}): void {
  const dir = options.dir ?? join(packageRoot(), 'dist', 'ui');
  const cache = new Map<string, Promise<Buffer | undefined>>();
  const load = (name: string): Promise<Buffer | undefined> => {
    let file = cache.get(name);
    if (file === undefined) {
      file = readFile(join(dir, name)).catch(() => undefined);
      cache.set(name, file);
      // A miss is not remembered: the build may land after the server started.
      void file.then((b) => b === undefined && cache.delete(name));
    }
    return file;
  };
  const secure = (reply: FastifyReply): FastifyReply =>
    reply
      .header('content-security-policy', UI_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cross-origin-opener-policy', 'same-origin');

  const sendIndex = async (reply: FastifyReply): Promise<FastifyReply> => {
    const html = await load('index.html');
    if (html === undefined) throw new TriageError('TRIAGE_UI_NOT_BUILT', [join(dir, 'index.html')]);
    // The page names the hashed assets of the current build: always revalidate it.
    return secure(reply).header('cache-control', 'no-cache').type(TYPES['.html']!).send(html);
  };

  const schema = { hide: true };
  app.get('/ui', { schema }, async (_request, reply) => sendIndex(reply));
  app.get<{ Params: { '*': string } }>('/ui/*', { schema }, async (request, reply) => {
    const path = request.params['*'];
    const ext = extname(path);
    if (ext === '') return sendIndex(reply);
    const servable = (ASSET.test(path) && !path.includes('..')) || path === 'favicon.svg';
    const body = servable ? await load(path) : undefined;
    if (body === undefined) throw new TriageError('TRIAGE_HTTP_NOT_FOUND', ['GET', request.url]);
    const hashed = path.startsWith('assets/');
    return secure(reply)
      .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type(TYPES[ext] ?? 'application/octet-stream')
      .send(body);
  });
}
