import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { parseDocument } from 'yaml';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from '../../engine/http/auth/verify-signature.js';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { createTestApp, type TestApp } from './test-app.js';

/** The secrets examples/triage.config.yaml references, as the environment would hold them. */
export const CHANNEL_SECRETS = {
  FORM_CONTACT_SECRET: 'test-form-contact-secret-0123456789abcdef',
  PBX_WEBHOOK_SECRET: 'test-pbx-secret-0123456789abcdef',
  CHAT_WEBHOOK_SECRET: 'test-chat-secret-0123456789abcdef',
} as const;

export interface ChannelsTestApp extends TestApp {
  /** A key with exactly the `channels` scope. */
  channelKey: string;
  /** POST a JSON body (an object, or raw text sent as is) with the channel key unless headers say otherwise. */
  post(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** POST a body signed with `secret` instead of a key. */
  postSigned(url: string, body: unknown, secret: string, options?: { timestamp?: number }): Promise<LightMyRequestResponse>;
}

/**
 * The real app configured by examples/triage.config.yaml (so the documented
 * example is what the channel tests run), with rule watching off and the
 * channel secrets in the environment.
 */
export async function createChannelsTestApp(): Promise<ChannelsTestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-channels-'));
  const doc = parseDocument(await readFile(join(packageRoot(), 'examples', 'triage.config.yaml'), 'utf8'));
  doc.setIn(['rules', 'watch'], false);
  const configFile = join(dir, 'triage.config.yaml');
  await writeFile(configFile, doc.toString());
  let t: TestApp;
  try {
    t = await createTestApp({ configFile, env: { ...CHANNEL_SECRETS } });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const channelKey = await t.keyWith(['channels']);
  const inject = (url: string, payload: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } } satisfies InjectOptions);
  return {
    ...t,
    channelKey,
    post: (url, body, headers = { authorization: `Bearer ${channelKey}` }) => inject(url, typeof body === 'string' ? body : JSON.stringify(body), headers),
    postSigned: (url, body, secret, options = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
      return inject(url, text, { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signPayload(secret, timestamp, text) });
    },
    async close() {
      try {
        await t.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
