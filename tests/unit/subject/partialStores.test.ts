/**
 * PD answers (v4.0–v8.5) sometimes carry a store with a partial `status`: after a PD restart, or for a store that
 * never heartbeated, `status` is `{}`, the weights only, or `{"region_count": 1}`. One such store must not blank the
 * stores table: every store is shown, the unknown cells empty, the row flagged and a notice naming the store and
 * the fields; the live checker still judges what it can. A malformed answer as a whole is still a 502.
 */
import { Writable } from 'node:stream';

import pino from 'pino';

import { CheckerLoop } from '../../../src/server/checker';
import { Exporter } from '../../../src/server/exporter';
import { UpstreamSchemaError } from '../../../src/shared/errors';
import { PDClient } from '../../../src/subject/pd/client';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { observationFrames } from '../../../src/subject/tikv/frames/observations';
import { LiveChecker } from '../../../src/subject/tikv/invariants/live';
import { TiKVSubject } from '../../../src/subject/tikv/subject';
import { type PdServer, PD_NOW, startPdServer } from './pdServer';

const store = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  address: `10.0.1.${40 + id}:20160`,
  status_address: `10.0.1.${40 + id}:20180`,
  version: '8.5.1',
  node_state: 1,
  state_name: 'Up',
  ...extra,
});

/** The partial shapes seen in real answers, and an id PD lists twice. */
const ODD_STORES = [
  { store: store(21), status: {} },
  { store: store(22, { last_heartbeat: (PD_NOW - 3_000) * 1e6 }), status: { leader_weight: 1, region_weight: 1 } },
  { store: store(23, { last_heartbeat: (PD_NOW - 2_000) * 1e6 }), status: { region_count: 1 } },
  { store: store(24) },
  {
    store: store(4, { address: '10.0.1.99:20160' }),
    status: { capacity: '1TiB', available: '1TiB', used_size: '0B', leader_count: 0, region_count: 0 },
  },
];

let pd: PdServer;
let pdClient: PDClient;
let subject: TiKVSubject;

beforeAll(async () => {
  pd = await startPdServer({ extraStores: ODD_STORES });
  pdClient = new PDClient({ urls: [pd.url] });
  subject = new TiKVSubject({ pd: pdClient, prometheus: new PrometheusClient({ url: 'http://127.0.0.1:9' }) });
});
afterAll(async () => {
  await pdClient.close();
  await pd.close();
});

describe('get_stores with stores PD holds no statistics for', () => {
  it('shows every store, the unknown fields empty and named, and notices for them and for a duplicate id', async () => {
    const r = await subject.getStores();
    expect(r.stores.map((s) => s.store_id)).toEqual([1, 4, 4, 5, 21, 22, 23, 24]);
    const byId = (id: number) => r.stores.find((s) => s.store_id === id)!;
    expect(byId(21)).toMatchObject({
      capacity_bytes: null,
      available_bytes: null,
      used_bytes: null,
      disk_used_ratio: null,
      leader_count: null,
      region_count: null,
      leader_weight: 1,
      partial: 'capacity, available, used_size, leader_count, region_count',
    });
    expect(byId(23)).toMatchObject({
      region_count: 1,
      leader_count: null,
      partial: 'capacity, available, used_size, leader_count',
    });
    expect(byId(24).partial).toBe('capacity, available, used_size, leader_count, region_count');
    expect(byId(1).partial).toBeNull();
    expect(r.notices).toEqual([
      expect.stringMatching(
        /^store 21 \(10\.0\.1\.61:20160\): PD has no capacity, available, used_size, leader_count, region_count/
      ),
      expect.stringMatching(/^store 22 .*no capacity, available, used_size, leader_count, region_count/),
      expect.stringMatching(/^store 23 .*no capacity, available, used_size, leader_count for it/),
      expect.stringMatching(/^store 24 /),
      'store 4 is listed more than once by PD; every entry is shown',
    ]);
  });

  it('puts the flag in a column and the notices on the frame', async () => {
    const [f] = await observationFrames(
      subject,
      { refId: 'A', kind: 'observation', observation: 'get_stores' } as never,
      { from: 0, to: PD_NOW, intervalMs: 60_000, maxDataPoints: 100 }
    );
    const names = f.schema.fields.map((x) => x.name);
    const partial = f.data.values[names.indexOf('partial')];
    const ids = f.data.values[names.indexOf('store_id')];
    expect(partial[ids.indexOf(21)]).toMatch(/^capacity/);
    expect(partial[ids.indexOf(1)]).toBeNull();
    expect(f.data.values[names.indexOf('capacity_bytes')][ids.indexOf(21)]).toBeNull();
    const notices = (f.schema.meta as { notices: Array<{ severity: string; text: string }> }).notices;
    expect(notices.map((n) => n.text)).toContainEqual(expect.stringContaining('store 23'));
    expect(notices.every((n) => n.severity === 'warning')).toBe(true);
  });
});

describe('a malformed /stores answer as a whole', () => {
  it.each([
    ['not an object', []],
    ['no stores array', { count: 1 }],
    ['stores not an array', { count: 1, stores: { id: 1 } }],
  ])('%s is a 502 naming the problem', async (_what, body) => {
    const bad = await startPdServer({ fail: { path: '/stores', status: 200, body } });
    const client = new PDClient({ urls: [bad.url] });
    try {
      const err = await client.getStores().then(
        () => undefined,
        (e: unknown) => e
      );
      expect(err).toBeInstanceOf(UpstreamSchemaError);
      expect(err).toMatchObject({ statusCode: 502, upstream: 'pd' });
    } finally {
      await client.close();
      await bad.close();
    }
  });
});

describe('the live checker with stores PD holds no statistics for', () => {
  it('still judges store_down (store 5 is Down) and says once which stores are partial', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      })
    );
    const liveChecker = new LiveChecker();
    const loop = new CheckerLoop({
      cluster: 'default',
      pd: pdClient,
      liveChecker,
      exporter: new Exporter(),
      intervalMs: 60_000,
      rateWindow: '1m',
      instanceMapping: 'status_address',
      log,
      clock: () => PD_NOW,
    });
    await loop.runOnce();
    await loop.runOnce();
    expect(liveChecker.violations().map((v) => [v.invariant, v.store_id])).toEqual([['store_down', 5]]);
    const warnings = lines.filter((l) => l.includes('no statistics'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('store 21 (no capacity');
    expect(warnings[0]).toContain('store 23 (no capacity, available, used_size, leader_count)');
  });
});
