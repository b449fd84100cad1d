/**
 * The backend in this process, as `main.ts` builds it (`loadConfig` + `buildApp`), listening on loopback with its
 * logs discarded (pino still formats them, as in production), and a `query` that fails loudly when any query of the
 * answer carries an error — a benchmark must never time error answers.
 */
import { Writable } from 'node:stream';

import { buildApp } from '../src/server/app';
import { loadConfig } from '../src/server/config';
import { postJson, type SendOptions } from './http';

export interface BenchBackend {
  url: string;
  /** POSTs `/api/query` and returns the parsed answer; throws when the status is not 200 or a query failed. */
  query(body: unknown): Promise<{ results: Record<string, { frames: unknown[]; error?: string }> }>;
  close(): Promise<void>;
}

export async function startBenchBackend(env: Record<string, string>): Promise<BenchBackend> {
  const config = loadConfig({ LOG_LEVEL: 'info', ...env }, undefined);
  const sink = new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });
  // No live checker: (b) times the history queries alone.
  const app = buildApp(config, { logStream: sink, checker: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    query: (body) => postQuery(url, body),
    close: () => app.close(),
  };
}

export async function postQuery(
  url: string,
  body: unknown,
  opts: SendOptions = {}
): Promise<{ results: Record<string, { frames: unknown[]; error?: string }> }> {
  const answer = (await postJson(`${url}/api/query`, body, opts)) as {
    results: Record<string, { frames: unknown[]; error?: string }>;
  };
  for (const [refId, r] of Object.entries(answer.results)) {
    if (r.error) {
      throw new Error(`query ${refId} failed: ${r.error}`);
    }
  }
  return answer;
}

/** A panel query for one observation over the last hour. */
export function observationBody(observation: string, refId = 'A'): unknown {
  const to = Date.now();
  return { from: to - 3_600_000, to, queries: [{ refId, kind: 'observation', observation }] };
}
