import { setBackendSrv } from '@grafana/runtime';

import { ActionUnsafeError, ERROR_CODES } from '../shared/errors';
import { DataSource } from './datasource';
import { BAD_ACTIONS_TOKEN_MESSAGE, NOT_ADMIN_MESSAGE } from './errors';
import { fakeBackendSrv, type FakeAnswer, fakeTemplateSrv, instanceSettings, routeOf } from './testing/fakeGrafana';

const PREFLIGHT = {
  action: 'set_leader_schedule_limit',
  params: { 'leader-schedule-limit': 8 },
  safe: true,
  summary: 'leader-schedule-limit would change from 4 to 8 (concurrent leader transfers)',
  checks: [{ name: 'current_value', ok: true, detail: 'leader-schedule-limit is 4 now, 8 asked' }],
  current: { 'leader-schedule-limit': 4 },
  at: 1_764_000_000_000,
};

function setup(answer: (route: string) => FakeAnswer) {
  const fake = fakeBackendSrv((req) => answer(routeOf(req)));
  setBackendSrv(fake.backendSrv);
  return { ds: new DataSource(instanceSettings(), fakeTemplateSrv()), calls: fake.calls };
}

const errorBody = (statusCode: number, code: string, message: string, reasons?: string[]) => ({
  status: statusCode,
  data: { statusCode, code, error: 'Error', message, ...(reasons ? { reasons } : {}) },
});

describe('data source actions', () => {
  it('asks for a preflight on the actions route with PD’s parameter names', async () => {
    const { ds, calls } = setup(() => ({ status: 200, data: PREFLIGHT }));
    const preflight = await ds.preflightAction('set_leader_schedule_limit', { 'leader-schedule-limit': 8 });
    expect(preflight).toEqual(PREFLIGHT);
    expect(routeOf(calls[0])).toBe('POST /api/actions/set_leader_schedule_limit/preflight');
    expect(calls[0].data).toEqual({ 'leader-schedule-limit': 8 });
  });

  it("names the data source's cluster beside the parameters", async () => {
    const fake = fakeBackendSrv(() => ({ status: 200, data: PREFLIGHT }));
    setBackendSrv(fake.backendSrv);
    const ds = new DataSource(
      instanceSettings({ backendUrl: 'http://backend:8080', cluster: 'east' }),
      fakeTemplateSrv()
    );
    await ds.preflightAction('set_leader_schedule_limit', { 'leader-schedule-limit': 8 });
    expect(fake.calls[0].data).toEqual({ 'leader-schedule-limit': 8, cluster: 'east' });
  });

  it('executes and returns PD’s answer, the effect and the audit id', async () => {
    const outcome = {
      action: 'set_leader_schedule_limit',
      pdAnswer: 'The config is updated.',
      preflight: PREFLIGHT,
      effect: { 'leader-schedule-limit': 8 },
      audit_id: 7,
    };
    const { ds, calls } = setup(() => ({ status: 200, data: outcome }));
    expect(await ds.executeAction('set_leader_schedule_limit', { 'leader-schedule-limit': 8 })).toEqual(outcome);
    expect(routeOf(calls[0])).toBe('POST /api/actions/set_leader_schedule_limit/execute');
  });

  it('says that actions need the Admin role when Grafana’s proxy refuses the route', async () => {
    const { ds } = setup(() => ({ status: 403, data: { message: 'plugin proxy route access denied' } }));
    await expect(ds.preflightAction('drain_store', { store_id: 4, mode: 'leaders' })).rejects.toMatchObject({
      message: NOT_ADMIN_MESSAGE,
      statusCode: 403,
    });
  });

  it('says the actions token is missing or wrong when Grafana reports a failed authentication', async () => {
    const { ds } = setup(() => ({ status: 400, data: { message: 'Authentication to data source failed' } }));
    await expect(ds.executeAction('drain_store', { store_id: 4, mode: 'leaders' })).rejects.toMatchObject({
      message: BAD_ACTIONS_TOKEN_MESSAGE,
      statusCode: 401,
    });
  });

  it('gives the preflight’s reasons when the backend refuses an unsafe action', async () => {
    const { ds } = setup(() =>
      errorBody(
        409,
        ERROR_CODES.ACTION_UNSAFE,
        'transfer_leader refused by preflight: store 9 holds no voter peer of region 2; store 9 is not Up',
        ['store 9 holds no voter peer of region 2', 'store 9 is not Up']
      )
    );
    const err = await ds.executeAction('transfer_leader', { region_id: 2, to_store_id: 9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionUnsafeError);
    expect((err as ActionUnsafeError).reasons).toEqual([
      'store 9 holds no voter peer of region 2',
      'store 9 is not Up',
    ]);
  });

  it('keeps the backend’s words when actions are disabled and PD’s when PD refuses', async () => {
    const disabled = setup(() =>
      errorBody(
        403,
        ERROR_CODES.ACTION_DISABLED,
        'actions are disabled on this backend (start it with ACTIONS_ENABLED=true)'
      )
    );
    await expect(disabled.ds.preflightAction('drain_store', { store_id: 1, mode: 'store' })).rejects.toMatchObject({
      code: ERROR_CODES.ACTION_DISABLED,
      message: expect.stringContaining('ACTIONS_ENABLED'),
    });
    const refused = setup(() => errorBody(500, ERROR_CODES.ACTION_REFUSED, 'PD refused drain_store: store 1 is busy'));
    await expect(refused.ds.executeAction('drain_store', { store_id: 1, mode: 'store' })).rejects.toMatchObject({
      code: ERROR_CODES.ACTION_REFUSED,
      message: 'PD refused drain_store: store 1 is busy',
    });
  });

  it('names the backend when it cannot be reached and the field when its answer is wrong', async () => {
    const down = setup(() => ({ status: 502 }));
    await expect(down.ds.preflightAction('set_leader_schedule_limit', {})).rejects.toMatchObject({
      message: expect.stringContaining('http://backend:8080'),
      code: ERROR_CODES.UPSTREAM_UNREACHABLE,
    });
    const wrong = setup(() => ({ status: 200, data: { ...PREFLIGHT, checks: 'none' } }));
    await expect(wrong.ds.preflightAction('set_leader_schedule_limit', {})).rejects.toMatchObject({
      message: expect.stringMatching(/does not fit the actions API \(checks: /),
    });
  });
});
