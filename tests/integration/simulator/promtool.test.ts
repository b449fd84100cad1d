/**
 * Prometheus' own tools accept the simulator's output: the scrape text passes `promtool check metrics` parsing, and
 * a history file backfills with `promtool tsdb create-blocks-from openmetrics`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { request } from 'undici';

import { parseFaultSpec, writeHistory } from '../../../src/simulator/history';
import { createSimulator, type Simulator } from '../../../src/simulator/server';

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await createSimulator({ stores: 3, regions: 300, seed: 2 });
  dir = mkdtempSync(join(tmpdir(), 'sim-promtool-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function text(path: string): Promise<string> {
  const r = await request(`${sim.url}${path}`);
  expect(r.statusCode).toBe(200);
  return r.body.text();
}

describe('promtool', () => {
  it.each(['/metrics/tikv/1', '/metrics/pd'])('parses the exposition text of %s', async (path) => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: await text(path), encoding: 'utf8' });
    // Exit 3 = only lint remarks (TiKV's real name tikv_raftstore_region_count trips the "_count" lint); 1 = parse error.
    expect(r.stderr).not.toMatch(/error while linting|parsing error/);
    expect([0, 3]).toContain(r.status);
  });

  it('backfills a two-hour history with faults into TSDB blocks', () => {
    const file = join(dir, 'history.om');
    const chunks: string[] = [];
    writeHistory(
      {
        hours: 2,
        stores: 3,
        stepMs: 30_000,
        seed: 2,
        faults: parseFaultSpec('down:1@20m+10m,latency:2=300@40m+10m,disk:3=90@1h+30m'),
      },
      (c) => chunks.push(c)
    );
    writeFileSync(file, chunks.join(''));
    const out = join(dir, 'tsdb');
    const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, out], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(out).filter((f) => /^[0-9A-Z]{26}$/.test(f)).length).toBeGreaterThan(0);
  });
});
