/**
 * `npm run slo-rules [-- --check]`: writes the SLO burn-rate rules for Prometheus and Grafana from the SLO
 * definitions (defaults, or the SLO_<NAME>_OBJECTIVE / SLO_<NAME>_WINDOW / PROMETHEUS_TIKV_JOB of the
 * environment; the latency is recorded over alertRules.ts' RECORDED_RATE_WINDOW). `--check` writes nothing and exits 1 when a committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadConfig } from '../src/server/config';
import { grafanaSloRules, prometheusSloRules } from '../src/subject/tikv/slo/alertRules';
import { resolveSlos } from '../src/subject/tikv/slo/definitions';

const root = join(__dirname, '..');
const config = loadConfig(process.env, undefined);
const cluster = config.clusters[0];
const slos = resolveSlos(cluster.slos);
const files = {
  [join(root, 'provisioning/prometheus/tikv-operator-slo.rules.yml')]: prometheusSloRules(slos, {
    tikvJob: cluster.prometheus?.jobs.tikv,
  }),
  [join(root, 'provisioning/alerting/tikv-operator-slo-rules.yaml')]: grafanaSloRules(slos),
};
let stale = 0;
for (const [file, text] of Object.entries(files)) {
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      stale++;
      process.stderr.write(`${file} differs from the generated rules: run npm run slo-rules\n`);
    }
  } else {
    writeFileSync(file, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
process.exit(stale > 0 ? 1 : 0);
