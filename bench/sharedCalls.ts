/**
 * (c) 200 concurrent identical panel queries (`get_stores`, as when many panels or viewers refresh one dashboard):
 * how many calls reach PD. A counting proxy sits between the backend (its own process, so the 200 clients' work is
 * not its own) and the simulator. Baseline: 200 calls, one per
 * panel, as without sharing. Measured with the default cache (CACHE_TTL_MS unset) and with the cache off, where only
 * the sharing of identical in-flight requests remains.
 */
import { loadConfig } from '../src/server/config';
import { observationBody, postQuery } from './backend';
import { startBackendProcess } from './backendProcess';
import { startCountingProxy } from './countingProxy';
import { startSimulatorProcess } from './simulatorProcess';
import { ms, type Result } from './stats';

const PANELS = 200;
const TARGET_CALLS = 2;

export async function sharedCalls(): Promise<Result[]> {
  console.log(`\n(c) ${PANELS} concurrent identical get_stores queries: calls reaching PD`);
  const sim = await startSimulatorProcess({ stores: 100, regions: 10_000 });
  const proxy = await startCountingProxy(sim.url);
  const results: Result[] = [];
  try {
    for (const [label, env] of [
      ['default cache', {}],
      ['cache off (CACHE_TTL_MS=0)', { CACHE_TTL_MS: '0' }],
    ] as const) {
      // The live checker also reads /stores: an hour's interval keeps its first tick (at start) the only one.
      const backend = await startBackendProcess({ PD_URL: `${proxy.url}/pd/api/v1`, CHECK_INTERVAL: '1h', ...env });
      try {
        // Warm the process and its PD connection on another observation, so nothing about /stores is cached.
        for (let i = 0; i < 5; i++) {
          await postQuery(backend.url, observationBody('get_hot_write_regions'));
        }
        // Let whatever the checker's first tick cached expire: the burst starts cold.
        await new Promise((resolve) => setTimeout(resolve, loadConfig({ ...env }).upstream.cacheTtlMs + 100));
        proxy.reset();
        const body = observationBody('get_stores');
        const started = performance.now();
        await Promise.all(Array.from({ length: PANELS }, () => postQuery(backend.url, body)));
        const elapsed = performance.now() - started;
        const calls = proxy.count('/pd/api/v1');
        const paths = [...new Set(proxy.requests.map((r) => r.url))].join(', ');
        console.log(`  ${label}: ${calls} PD calls for ${PANELS} queries (${paths}); burst took ${ms(elapsed)}; ratio ${(calls / PANELS).toFixed(3)}× of one call per panel`);
        results.push({
          scenario: `(c) ${PANELS} identical queries, ${label}`,
          figure: `${calls} PD calls (vs ${PANELS} unshared; burst ${ms(elapsed)})`,
          // The target is for the shipped configuration; the cache-off figure shows in-flight sharing alone.
          target: 'CACHE_TTL_MS' in env ? 'info' : `≤ ${TARGET_CALLS} calls`,
          met: 'CACHE_TTL_MS' in env || calls <= TARGET_CALLS,
        });
      } finally {
        await backend.close();
      }
    }
  } finally {
    await proxy.close();
    await sim.close();
  }
  return results;
}
