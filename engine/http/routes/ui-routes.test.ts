import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../error-handler.js';
import { registerUiRoutes, UI_CSP } from './ui-routes.js';

describe('the dashboard at /ui', () => {
  let dir: string;
  let app: FastifyInstance;
  let unbuilt: FastifyInstance;
  const INDEX = '<!doctype html><title>triage</title><script type="module" src="/ui/assets/index-AbC123.js"></script>';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-ui-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), INDEX);
    await writeFile(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
    await writeFile(join(dir, 'assets', 'index-AbC123.css'), 'body{}');
    await writeFile(join(dir, 'secret.txt'), 'not for you');
    app = Fastify();
    installErrorHandling(app, 1024);
    registerUiRoutes(app, { dir });
    unbuilt = Fastify();
    installErrorHandling(unbuilt, 1024);
    registerUiRoutes(unbuilt, { dir: join(dir, 'missing') });
  });
  afterAll(async () => {
    await app.close();
    await unbuilt.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page at /ui and every deep link, revalidated, under a self-only CSP', async () => {
    for (const url of ['/ui', '/ui/', '/ui/tickets/T-000042', '/ui/outbox']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(UI_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect(UI_CSP).toContain("default-src 'self'");
    expect(UI_CSP).not.toContain('unsafe');
  });

  it('serves hashed assets for a year, immutable, with their type', async () => {
    const js = await app.inject({ method: 'GET', url: '/ui/assets/index-AbC123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe('console.log(1)');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await app.inject({ method: 'GET', url: '/ui/assets/index-AbC123.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('serves nothing but built assets: unknown files and paths that try to leave the folder are 404', async () => {
    for (const url of ['/ui/assets/nope-1.js', '/ui/secret.txt', '/ui/assets/..%2Fsecret.txt', '/ui/assets/../secret.txt', '/ui/..%2F..%2Fpackage.json', '/ui/assets/%2e%2e/secret.txt']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('not for you');
    }
  });

  it('says how to build it when dist/ui is missing', async () => {
    const res = await unbuilt.inject({ method: 'GET', url: '/ui/' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'TRIAGE_UI_NOT_BUILT' });
    expect(res.json<{ hint: string }>().hint).toContain('npm run build');
  });
});
