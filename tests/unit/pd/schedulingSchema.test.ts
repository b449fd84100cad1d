/**
 * PD's operator texts (`Operator.String()`) as PD versions print them, and the paused-scheduler answers.
 * The v3 texts are PD's own test data (tools/pd-analysis/analysis/parse_log_test.go).
 */
import { OperatorTexts, parseGoTime, parseOperatorText, PausedSchedulers } from '../../../src/subject/pd/schedulingSchema';

const V8 =
  'balance-region {mv peer: store [6] to [1]} (kind:region, region:24622(8, 5), createAt:2026-08-21 07:57:58.4002 +0000 UTC m=+91268.739649520, ' +
  'startAt:2026-08-21 07:57:58.5 +0000 UTC m=+91268.839649520, currentStep:1, size:96, steps:[0:{add learner peer 64064 on store 1}, ' +
  '1:{promote learner peer 64064 on store 1 to voter}, 2:{remove peer on store 6}], timeout:[1m20s])';
const V65 =
  'admin-transfer-leader {transfer leader: store 1 to 4} (kind:admin,leader, region:1009(5, 3), createAt:2023-01-02 10:00:00.1 +0800 CST m=+1.0, ' +
  'startAt:0001-01-01 00:00:00 +0000 UTC, currentStep:0, size:1, steps:[0:{transfer leader from store 1 to store 4}]，timeout:[10s])';
const V3 =
  'balance-leader {transfer leader: store 4 to 6} (kind:leader,balance, region:54252(8243,398), createAt:2019-09-05 04:15:52.400290023 +0000 UTC m=+91268.739649520, ' +
  'startAt:2019-09-05 04:15:52.400489629 +0000 UTC m=+91268.739849120, currentStep:1, steps:[transfer leader from store 4 to store 6]) finished';

test('a current PD text: kinds, epoch, times, steps, timeout, running', () => {
  expect(parseOperatorText(V8)).toEqual({
    region_id: 24622,
    desc: 'balance-region',
    brief: 'mv peer: store [6] to [1]',
    kind: ['region'],
    region_version: 8,
    region_conf_ver: 5,
    create_time: Date.parse('2026-08-21T07:57:58.400Z'),
    start_time: Date.parse('2026-08-21T07:57:58.500Z'),
    current_step: 1,
    size_mib: 96,
    steps: ['add learner peer 64064 on store 1', 'promote learner peer 64064 on store 1 to voter', 'remove peer on store 6'],
    timeout: '1m20s',
    status: 'STARTED',
  });
});

test("v6.5's full-width comma, a zone offset, and PD's zero start time (not started: CREATED)", () => {
  const op = parseOperatorText(V65)!;
  expect(op.kind).toEqual(['admin', 'leader']);
  expect(op.create_time).toBe(Date.parse('2023-01-02T02:00:00.100Z'));
  expect(op.start_time).toBeNull();
  expect(op.status).toBe('CREATED');
  expect(op.timeout).toBe('10s');
});

test('an old text without size and timeout, finished', () => {
  const op = parseOperatorText(V3)!;
  expect(op).toMatchObject({ region_id: 54252, current_step: 1, size_mib: 0, timeout: '', status: 'SUCCESS' });
  expect(op.steps).toEqual(['transfer leader from store 4 to store 6']);
});

test('the list answer: null is none; a text not in PD format fails naming its index', () => {
  expect(OperatorTexts.parse(null)).toEqual([]);
  const r = OperatorTexts.safeParse([V8, 'something else']);
  expect(r.success).toBe(false);
  expect(r.error!.issues[0].path).toEqual([1]);
  expect(r.error!.issues[0].message).toMatch(/not a PD operator text/);
});

test('Go time texts', () => {
  expect(parseGoTime('2026-08-21 07:57:58 +0000 UTC')).toBe(Date.parse('2026-08-21T07:57:58Z'));
  expect(parseGoTime('0001-01-01 00:00:00 +0000 UTC')).toBeNull();
  expect(parseGoTime('yesterday')).toBeNull();
});

test('paused schedulers with timestamps, and the names-only answer of a PD without them', () => {
  expect(
    PausedSchedulers.parse([
      { name: 'balance-leader-scheduler', paused_at: '2026-08-21T07:00:00Z', resume_at: '2026-08-21T07:05:00+00:00' },
    ])
  ).toEqual([
    {
      name: 'balance-leader-scheduler',
      paused_at: Date.parse('2026-08-21T07:00:00Z'),
      resume_at: Date.parse('2026-08-21T07:05:00Z'),
    },
  ]);
  expect(PausedSchedulers.parse(['balance-region-scheduler'])).toEqual([
    { name: 'balance-region-scheduler', paused_at: null, resume_at: null },
  ]);
  expect(PausedSchedulers.parse(null)).toEqual([]);
});
