/**
 * A server process that only reads mailboxes, for the crash test
 * (test/e2e/mail-ingest-crash.e2e.test.ts): `node --import tsx
 * test/helpers/serve-mail-ingest.ts CONFIG` with the database in the
 * environment (TRIAGE_SQLITE_PATH or DATABASE_URL). The test SIGKILLs it
 * mid-batch; SIGTERM closes it gracefully.
 */
import { startServer } from '../../engine/server/start-server.js';

const configFile = process.argv[2];
if (configFile === undefined) throw new Error('usage: serve-mail-ingest.ts CONFIG');
const server = await startServer({ configFile, env: process.env, listen: false, logger: process.env.TRIAGE_TEST_LOG === '1', mailIngest: true, outboxWorker: false, slaSweeper: false, notice: () => undefined });
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
