import { createServer } from 'node:net';

/**
 * A free loopback port: bind port 0, release it, hand the number over, so a
 * child process knows its URL before it logs anything. Shared by the
 * benchmarks and the test harness (servers, Dovecot, private PostgreSQL).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
