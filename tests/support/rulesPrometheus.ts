/**
 * A real Prometheus loaded with the provisioned rule file, scraping simulated clusters and the backend's exporter,
 * and a log stream for the backend that keeps its tail for error messages: the set-up of the tests that watch the
 * provisioned alerts fire and resolve.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';

import {
  freePort,
  type PrometheusOptions,
  prometheusAvailable,
  type RunningPrometheus,
  startPrometheus,
} from '../../src/embedded/prometheus';
import { PROVISIONING } from '../unit/provisioning/deployFiles';

/** The provisioned Prometheus rule file (invariant and watchdog alerts). */
export const RULES = join(PROVISIONING, 'prometheus', 'tikv-operator.rules.yml');

/**
 * Prometheus (1 s scrape and rule evaluation) with RULES, discovering the simulators' targets through `sd` (their
 * `/sim/targets`) and scraping job `tikv-operator` on `backendPort`: a free loopback port for the test's backend.
 */
export async function startRulesPrometheus(
  sd: Pick<PrometheusOptions, 'httpSdUrl' | 'httpSd'>
): Promise<{ prometheus: RunningPrometheus; backendPort: number }> {
  if (!prometheusAvailable()) {
    throw new Error('the prometheus binary is needed for this test (apt-get install prometheus)');
  }
  const backendPort = await freePort();
  const prometheus = await startPrometheus({
    ...sd,
    staticJobs: [{ job: 'tikv-operator', targets: [`127.0.0.1:${backendPort}`] }],
    ruleFiles: [RULES],
    interval: '1s',
  });
  return { prometheus, backendPort };
}

/** A log stream for `buildApp` that keeps the last 4000 characters written to it (`text()`). */
export function logTail(): { stream: Writable; text: () => string } {
  let tail = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      tail = (tail + chunk.toString()).slice(-4000);
      done();
    },
  });
  return { stream, text: () => tail };
}
