/**
 * The simulator's scheduling endpoints answer with PD's shapes and effects: `Operator.String()` texts and the
 * `?object` form (`pkg/schedule/operator/operator.go`), cancel by region, and scheduler pauses that expire
 * (`POST /schedulers/{name} {"delay": s}`, `GET /schedulers?status=paused[&timestamp]`).
 */
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { parseOperatorText } from '../../../src/subject/pd/schedulingSchema';
import { call, pollUntil } from './http';

let sim: Simulator;
beforeAll(async () => {
  sim = await createSimulator({ stores: 4, regions: 200, seed: 7, operatorMs: 60_000 });
});
afterAll(async () => {
  await sim.close();
});

/** PD's text: desc {brief} (kind:…, region:id(ver, confver), createAt:Go time, startAt:…, currentStep:n, size:n, steps:[i:{…}], timeout:[d]). */
const PD_OPERATOR_TEXT =
  /^admin-transfer-leader \{transfer leader: store \d+ to \d+\} \(kind:admin,leader, region:\d+\(\d+, \d+\), createAt:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}, startAt:.+, currentStep:0, size:\d+, steps:\[0:\{transfer leader from store \d+ to store \d+\}\], timeout:\[10s\]\)$/;

async function regionWithFollower(): Promise<{ id: number; leader: number; follower: number }> {
  const r = (await call(`${sim.pdUrl}/region/id/1001`)).json();
  const follower = r.peers.map((p: { store_id: number }) => p.store_id).find((s: number) => s !== r.leader.store_id);
  return { id: 1001, leader: r.leader.store_id, follower };
}

describe('operators', () => {
  it('lists a transfer-leader operator as PD prints it, in the object form too, and cancels it by region', async () => {
    const { id, leader, follower } = await regionWithFollower();
    const created = await call(`${sim.pdUrl}/operators`, 'POST', { name: 'transfer-leader', region_id: id, to_store_id: follower });
    expect(created.json()).toBe('The operator is created.');

    const texts = (await call(`${sim.pdUrl}/operators`)).json() as string[];
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(PD_OPERATOR_TEXT);
    const op = parseOperatorText(texts[0])!;
    expect(op).toMatchObject({
      region_id: id,
      desc: 'admin-transfer-leader',
      brief: `transfer leader: store ${leader} to ${follower}`,
      kind: ['admin', 'leader'],
      steps: [`transfer leader from store ${leader} to store ${follower}`],
      status: 'STARTED',
    });
    expect(Math.abs(op.create_time! - Date.now())).toBeLessThan(5_000);

    const objects = (await call(`${sim.pdUrl}/operators?object`)).json();
    expect(Object.keys(objects[0]).sort()).toEqual(['brief', 'desc', 'kind', 'region_epoch', 'region_id', 'status', 'timeout']);
    // OpKind bits: admin = 1, leader = 1 << 8; OpStatus STARTED = 1.
    expect(objects[0]).toMatchObject({ region_id: id, kind: 1 | (1 << 8), status: 1 });
    expect((await call(`${sim.pdUrl}/operators?kind=leader`)).json()).toHaveLength(1);
    expect((await call(`${sim.pdUrl}/operators?kind=region`)).json()).toEqual([]);

    const status = await call(`${sim.pdUrl}/operators/${id}`);
    expect(status.json()).toMatch(/^status: RUNNING, operator: admin-transfer-leader /);

    const cancel = await call(`${sim.pdUrl}/operators/${id}`, 'DELETE');
    expect(cancel.status).toBe(200);
    expect(cancel.json()).toBe('The pending operator is canceled.');
    expect((await call(`${sim.pdUrl}/operators`)).json()).toEqual([]);
    expect((await call(`${sim.pdUrl}/operators/${id}`)).json()).toMatch(/^status: CANCEL, /);

    const again = await call(`${sim.pdUrl}/operators/${id}`, 'DELETE');
    expect(again.status).toBe(500);
    expect(again.json()).toBe('[PD:operator:ErrOperatorNotFound]operator not found');
    expect((await call(`${sim.pdUrl}/operators/abc`, 'DELETE')).status).toBe(400);
  });

  it('lists a split as admin,split with the policy in PD words', async () => {
    await call(`${sim.pdUrl}/operators`, 'POST', { name: 'split-region', region_id: 1009, policy: 'scan' });
    const texts = (await call(`${sim.pdUrl}/operators`)).json() as string[];
    const op = texts.map(parseOperatorText).find((o) => o?.region_id === 1009)!;
    expect(op).toMatchObject({
      desc: 'admin-split-region',
      brief: 'split: region 1009 use policy SCAN',
      kind: ['admin', 'split'],
      steps: ['split region with policy SCAN'],
    });
    await call(`${sim.pdUrl}/operators/1009`, 'DELETE');
  });
});

describe('scheduler pauses', () => {
  it('pauses with a delay, lists the paused one with its times, resumes with delay 0 and keeps the scheduler', async () => {
    const before = Date.now();
    const pause = await call(`${sim.pdUrl}/schedulers/balance-leader-scheduler`, 'POST', { delay: 300 });
    expect(pause.status).toBe(200);
    expect(pause.json()).toBe('Pause or resume the scheduler successfully.');
    expect((await call(`${sim.pdUrl}/schedulers?status=paused`)).json()).toEqual(['balance-leader-scheduler']);
    const [period] = (await call(`${sim.pdUrl}/schedulers?status=paused&timestamp`)).json();
    expect(period.name).toBe('balance-leader-scheduler');
    expect(period.paused_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(period.resume_at) - Date.parse(period.paused_at)).toBe(300_000);
    expect(Math.abs(Date.parse(period.paused_at) - before)).toBeLessThan(2_000);
    // A paused scheduler is still a scheduler.
    expect((await call(`${sim.pdUrl}/schedulers`)).json()).toContain('balance-leader-scheduler');

    await call(`${sim.pdUrl}/schedulers/balance-leader-scheduler`, 'POST', { delay: 0 });
    expect((await call(`${sim.pdUrl}/schedulers?status=paused`)).json()).toEqual([]);
    expect((await call(`${sim.pdUrl}/schedulers`)).json()).toContain('balance-leader-scheduler');
  });

  it('resumes on its own when the delay has passed', async () => {
    await call(`${sim.pdUrl}/schedulers/balance-region-scheduler`, 'POST', { delay: 1 });
    expect((await call(`${sim.pdUrl}/schedulers?status=paused`)).json()).toEqual(['balance-region-scheduler']);
    await pollUntil(
      'the pause to expire',
      async () => ((await call(`${sim.pdUrl}/schedulers?status=paused`)).json().length === 0 ? true : undefined),
      5_000
    );
  });

  it("answers PD's errors: missing delay, unknown scheduler, a non-integer delay", async () => {
    const missing = await call(`${sim.pdUrl}/schedulers/balance-leader-scheduler`, 'POST', {});
    expect([missing.status, missing.json()]).toEqual([400, 'missing pause time']);
    const unknown = await call(`${sim.pdUrl}/schedulers/no-such-scheduler`, 'POST', { delay: 10 });
    expect([unknown.status, unknown.json()]).toEqual([500, '[PD:scheduler:ErrSchedulerNotFound]scheduler not found']);
    expect((await call(`${sim.pdUrl}/schedulers/balance-leader-scheduler`, 'POST', { delay: 'x' })).status).toBe(400);
  });
});

describe("operators of PD's schedulers and checkers", () => {
  let drainSim: Simulator;
  beforeAll(async () => {
    drainSim = await createSimulator({ stores: 4, regions: 200, seed: 9, drainMs: 60_000, evictMs: 60_000 });
  });
  afterAll(async () => {
    await drainSim.close();
  });

  it('lists evict-leader transfers while leaders are evicted and replica moves while a store is removed; cancels one', async () => {
    await call(`${drainSim.pdUrl}/schedulers`, 'POST', { name: 'evict-leader-scheduler', store_id: 2 });
    await call(`${drainSim.pdUrl}/store/3`, 'DELETE');
    const ops = ((await call(`${drainSim.pdUrl}/operators`)).json() as string[]).map((t) => parseOperatorText(t)!);
    const evict = ops.filter((o) => o.desc === 'evict-leader-scheduler');
    const moves = ops.filter((o) => o.desc === 'replace-rule-offline-peer');
    expect(evict.length).toBeGreaterThan(0);
    expect(moves.length).toBeGreaterThan(0);
    for (const o of evict) {
      expect(o.kind).toEqual(['leader']);
      expect(o.steps[0]).toMatch(/^transfer leader from store 2 to store [134]$/);
      const region = (await call(`${drainSim.pdUrl}/region/id/${o.region_id}`)).json();
      expect(region.leader.store_id).toBe(2);
    }
    for (const o of moves) {
      expect(o.kind).toEqual(['replica', 'region']);
      expect(o.brief).toMatch(/^mv peer: store \[3\] to \[[124]\]$/);
      expect(o.steps).toHaveLength(3);
      expect(o.steps[2]).toBe('remove peer on store 3');
    }
    const target = moves[0].region_id;
    expect((await call(`${drainSim.pdUrl}/operators/${target}`, 'DELETE')).status).toBe(200);
    const after = ((await call(`${drainSim.pdUrl}/operators`)).json() as string[]).map((t) => parseOperatorText(t)!);
    expect(after.some((o) => o.region_id === target)).toBe(false);
  });
});

describe('a paused evict-leader-scheduler', () => {
  let s: Simulator;
  beforeAll(async () => {
    s = await createSimulator({ stores: 4, regions: 200, seed: 5, evictMs: 2_000 });
  });
  afterAll(async () => {
    await s.close();
  });

  const leadersOn = async (id: number) => (await call(`${s.pdUrl}/store/${id}`)).json().status.leader_count ?? 0;

  it('stops evicting while paused and finishes after the resume', async () => {
    const before = await leadersOn(2);
    expect(before).toBeGreaterThan(0);
    await call(`${s.pdUrl}/schedulers`, 'POST', { name: 'evict-leader-scheduler', store_id: 2 });
    await call(`${s.pdUrl}/schedulers/evict-leader-scheduler`, 'POST', { delay: 60 });
    const paused = await leadersOn(2);
    await new Promise((r) => setTimeout(r, 2_500));
    // Longer than evictMs has passed, but the paused scheduler moved nothing more.
    expect(await leadersOn(2)).toBe(paused);
    expect(paused).toBeGreaterThan(0);
    expect((await call(`${s.pdUrl}/operators`)).json()).toEqual([]);

    await call(`${s.pdUrl}/schedulers/evict-leader-scheduler`, 'POST', { delay: 0 });
    await pollUntil('the eviction to finish', async () => ((await leadersOn(2)) === 0 ? true : undefined), 10_000);
  });
});
