/**
 * The baseline of the start-up, idle-memory and scale-out benchmarks: a bare
 * Fastify server (no logger, no plugins) with a /readyz route and a POST /echo,
 * spawned from the same node binary exactly as `triage serve` is, so its
 * start-up time and memory are what node + Fastify cost before any of triage.
 * Listens on 127.0.0.1:$PORT; SIGTERM closes it. Not part of the product.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/readyz', async () => ({ status: 'ready' }));
app.post('/echo', async (request) => request.body);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
