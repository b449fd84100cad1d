import { type AuditRow, openAuditLog } from '../../../src/server/audit/auditLog';
import { auditFrames } from '../../../src/shared/auditFrames';
import { auditQueryFrames } from '../../../src/server/audit/query';
import { DataFrameJSON } from '../../../src/shared/schema/frames';

const row = (over: Partial<AuditRow>): AuditRow => ({
  id: 1,
  cluster: 'default',
  target: 'region 1001',
  started_at: 1000,
  finished_at: 1200,
  who: 'alice',
  action: 'transfer_leader',
  params: { region_id: 1001, to_store_id: 2 },
  preflight: {
    summary: 'PD would create a transfer-leader operator moving the leader of region 1001 from store 1 to store 2',
  },
  outcome: 'ok',
  pd_answer: 'The operator is created.',
  error: null,
  ...over,
});

/** Column-major frame → rows keyed by field name. */
function records(f: DataFrameJSON): Array<Record<string, unknown>> {
  const names = f.schema.fields.map((x) => x.name);
  const n = f.data.values[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((name, j) => [name, f.data.values[j][i]])));
}

describe('audit frames', () => {
  const rows = [
    row({
      id: 3,
      started_at: 3000,
      finished_at: null,
      outcome: 'unknown',
      who: 'carol, admin',
      error: 'the backend stopped before PD answered',
    }),
    row({
      id: 2,
      started_at: 2000,
      finished_at: null,
      outcome: 'running',
      action: 'drain_store',
      params: { store_id: 4, mode: 'store' },
    }),
    row({ id: 1 }),
  ];

  test('the table lists who ran what, with the preflight summary, PD answer and outcome', () => {
    const [f] = auditFrames(rows, 'table', { refId: 'A', to: 9000 });
    expect(DataFrameJSON.parse(f)).toEqual(f);
    expect(f.schema.refId).toBe('A');
    expect(f.schema.fields.filter((x) => x.type === 'time').map((x) => x.name)).toEqual(['started_at', 'finished_at']);
    expect(records(f)[2]).toEqual({
      started_at: 1000,
      finished_at: 1200,
      who: 'alice',
      action: 'transfer_leader',
      params: '{"region_id":1001,"to_store_id":2}',
      outcome: 'ok',
      summary: expect.stringContaining('transfer-leader operator'),
      pd_answer: 'The operator is created.',
      error: null,
    });
  });

  test('annotations: one region per action in time order; running reaches the range end, unknown is tagged', () => {
    const [f] = auditFrames(rows, 'annotations', { refId: 'Anno', to: 9000 });
    expect(f.schema.fields.map((x) => x.name)).toEqual(['time', 'timeEnd', 'title', 'text', 'tags']);
    const [done, running, unknown] = records(f);
    expect(done).toMatchObject({
      time: 1000,
      timeEnd: 1200,
      title: 'transfer_leader by alice: done',
      tags: 'action,transfer_leader,done,alice',
    });
    expect(done.text).toMatch(
      /alice ran transfer_leader region_id=1001 to_store_id=2\n.*\nPD: The operator is created\./
    );
    expect(running).toMatchObject({ time: 2000, timeEnd: 9000, title: 'drain_store by alice: running' });
    expect(unknown).toMatchObject({
      time: 3000,
      timeEnd: 3000,
      title: 'transfer_leader by carol, admin: unknown outcome',
    });
    // Grafana splits tags on ",": a comma inside the user's name must not make two tags.
    expect(unknown.tags).toBe('action,transfer_leader,unknown outcome,carol  admin');
    expect(unknown.text).toMatch(/Unknown outcome: the backend stopped before PD answered/);
  });

  test('no rows give an empty frame with the same fields', () => {
    const [f] = auditFrames([], 'annotations', { refId: 'A', to: 1 });
    expect(f.data.values).toEqual([[], [], [], [], []]);
  });
});

describe('redacted view (the read token: every Viewer)', () => {
  test('the table has times, who, action, target and outcome; no parameters, preflight, PD answer or error', () => {
    const rows = [row({}), row({ id: 2, outcome: 'unknown', finished_at: null, error: 'the backend stopped', pd_answer: null })];
    const [t] = auditFrames(rows, 'table', { refId: 'A', to: 5000, view: 'redacted' });
    expect(t.schema.fields.map((f) => f.name)).toEqual(['started_at', 'finished_at', 'who', 'action', 'target', 'outcome']);
    const [a] = auditFrames(rows, 'annotations', { refId: 'A', to: 5000, view: 'redacted' });
    const text = a.data.values[a.schema.fields.findIndex((f) => f.name === 'text')];
    expect(text).toEqual([
      'alice ran transfer_leader on region 1001',
      'alice ran transfer_leader on region 1001\nUnknown outcome',
    ]);
    for (const frame of [t, a]) {
      expect(JSON.stringify(frame)).not.toMatch(/to_store_id|PD would|The operator is created|the backend stopped/);
    }
  });
});

describe('audit query', () => {
  test('answers the rows of the range, filtered, in the asked format', async () => {
    let now = 1000;
    const log = openAuditLog(':memory:', () => now);
    const store = { list: async (o?: Parameters<typeof log.list>[0]) => log.list(o) };
    const add = (action: string, outcome: 'ok' | 'failed') => {
      const id = log.begin({ who: 'alice', action, params: {}, preflight: { summary: action } });
      now += 10;
      log.finish(id, { outcome });
      now += 1000;
    };
    add('split_region', 'ok');
    add('drain_store', 'failed');
    add('drain_store', 'ok');
    try {
      const [table] = await auditQueryFrames(store, { refId: 'A', actions: ['drain_store'] }, { from: 0, to: 10_000 });
      expect(table.schema.name).toBe('audit');
      expect(table.data.values[0]).toEqual([3020, 2010]);
      const [anno] = await auditQueryFrames(
        store,
        { refId: 'B', format: 'annotations', outcomes: ['failed'] },
        { from: 0, to: 10_000 }
      );
      expect(anno.schema.refId).toBe('B');
      expect(anno.data.values[2]).toEqual(['drain_store by alice: failed']);
      const [none] = await auditQueryFrames(store, { refId: 'C' }, { from: 5000, to: 6000 });
      expect(none.data.values[0]).toEqual([]);
    } finally {
      log.close();
    }
  });
});

describe('audit frames in Explore', () => {
  it('ask for a table, in both formats', () => {
    const o = { refId: 'A', to: 5000, view: 'full' as const };
    for (const format of ['table', 'annotations'] as const) {
      expect(auditFrames([row({})], format, o)[0].schema.meta).toEqual({ preferredVisualisationType: 'table' });
    }
  });
});
