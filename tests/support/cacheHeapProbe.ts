/**
 * Run in a child process (`node --expose-gc --import tsx`), so the heap measured is the backend's alone: the real
 * backend (buildApp, listening on 127.0.0.1) over a 3-store simulator and a stand-in Prometheus that answers every
 * `query_range` with about 1 MB, while a sliding-range panel refreshes `QUERIES` times (a new range, so a new cache
 * key, each time). Prints one JSON line: the heap after a full GC, every 25 queries, in bytes.
 *
 *   CACHE_TTL_MS=… CACHE_MAX_BYTES=… QUERIES=200 node --expose-gc --import tsx tests/support/cacheHeapProbe.ts
 */
import { buildApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { createSimulator } from '../../src/simulator/server';

import { startPromFakeServer } from './promFakeServer';

/** About 1 MB of matrix: 10 series of 4,000 points, as Prometheus writes them. */
function megabyteMatrix(): string {
  const result = Array.from({ length: 10 }, (_, s) => ({
    metric: { instance: `10.0.0.${s}:20180`, job: 'tikv' },
    values: Array.from({ length: 4000 }, (_, i) => [1_749_540_000 + i * 15, String(0.001 * ((i * 7 + s) % 997))]),
  }));
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    throw new Error('run with --expose-gc');
  }
  const queries = Number(process.env.QUERIES ?? 200);
  const body = megabyteMatrix();
  const prom = await startPromFakeServer((req) =>
    req.path === '/api/v1/query_range' ? { body, headers: { 'content-type': 'application/json' } } : undefined
  );
  const sim = await createSimulator({ stores: 3, regions: 50, seed: 1 });
  const env: Record<string, string> = { PD_URL: sim.pdUrl, PROMETHEUS_URL: prom.url, LOG_LEVEL: 'warn' };
  for (const name of ['CACHE_TTL_MS', 'CACHE_MAX_BYTES']) {
    if (process.env[name]) {
      env[name] = process.env[name]!;
    }
  }
  const app = buildApp(loadConfig(env, undefined), { checker: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/query`;

  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const samples = [heap()];
  const to0 = Date.now();
  for (let i = 1; i <= queries; i++) {
    // A `now-1h → now` panel refreshed every 1.5 s: every refresh is a new range.
    const to = to0 + i * 1500;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: to - 3_600_000,
        to,
        intervalMs: 15_000,
        maxDataPoints: 240,
        queries: [{ refId: 'A', kind: 'observation', observation: 'get_store_metrics' }],
      }),
    });
    const answer = (await res.json()) as { results: { A: { error?: string } } };
    if (res.status !== 200 || answer.results.A.error) {
      throw new Error(`query ${i}: ${res.status} ${answer.results.A.error ?? ''}`);
    }
    if (i % 25 === 0) {
      samples.push(heap());
    }
  }
  const promRequests = prom.requests.filter((r) => r.path === '/api/v1/query_range').length;
  await app.close();
  await sim.close();
  await prom.close();
  process.stdout.write(`${JSON.stringify({ samples, promRequests, bodyBytes: body.length })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
