/**
 * PD-HTTP faults on chosen path prefixes: added delay, a hang, a 500, garbage JSON, a truncated body; and clearing.
 */
import { request } from 'undici';

import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { call } from './http';

let sim: Simulator;
beforeAll(async () => {
  sim = await createSimulator({ stores: 3, regions: 100, seed: 9 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await call(`${sim.url}/sim/pd-faults`, 'DELETE');
});

const addFault = (f: object) => call(`${sim.url}/sim/pd-faults`, 'POST', f);

describe('PD-HTTP faults', () => {
  it('delays only the chosen paths', async () => {
    expect((await addFault({ path: '/stores', kind: 'delay', delay_ms: 400 })).status).toBe(200);
    let t = Date.now();
    expect((await call(`${sim.pdUrl}/stores`)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(390);
    t = Date.now();
    await call(`${sim.pdUrl}/regions/count`);
    expect(Date.now() - t).toBeLessThan(390);
  });

  it('hangs until the client gives up, and answers again once cleared', async () => {
    await addFault({ path: '/pd/api/v1/health', kind: 'hang' });
    await expect(request(`${sim.pdUrl}/health`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect((await call(`${sim.url}/sim/pd-faults`)).json()).toHaveLength(1);
    await call(`${sim.url}/sim/pd-faults`, 'DELETE');
    expect((await call(`${sim.pdUrl}/health`)).status).toBe(200);
  });

  it('answers 500 with a PD error string', async () => {
    await addFault({ path: '/stores', kind: 'error' });
    const r = await call(`${sim.pdUrl}/stores`);
    expect(r.status).toBe(500);
    expect(typeof r.json()).toBe('string');
    expect((await call(`${sim.pdUrl}/store/1`)).status).toBe(200);
  });

  it('answers 200 with garbage JSON', async () => {
    await addFault({ path: '/stores', kind: 'garbage' });
    const r = await call(`${sim.pdUrl}/stores`);
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/json/);
    expect(() => r.json()).toThrow(SyntaxError);
  });

  it('cuts the body short so the client sees a premature close', async () => {
    await addFault({ path: '/regions', kind: 'truncate' });
    const r = await request(`${sim.pdUrl}/regions/key?limit=20`);
    expect(r.statusCode).toBe(200);
    await expect(r.body.text()).rejects.toThrow();
  });

  it('rejects a fault it does not know, naming the field', async () => {
    const r = await addFault({ path: '/stores', kind: 'explode' });
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(/kind/);
  });
});
