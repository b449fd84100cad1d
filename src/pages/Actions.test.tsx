import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BackendSrvRequest } from '@grafana/runtime';

import { copy, testIds } from '../components/testIds';
import { selectors } from '../datasource/components/selectors';
import { routeOf, type FakeAnswer } from '../datasource/testing/fakeGrafana';
import { ERROR_CODES } from '../shared/errors';
import Actions from './Actions';
import { installActions } from './fakeActions';

const SLOW = { timeout: 10_000 };
jest.setTimeout(30_000);

const LIMIT = 'leader-schedule-limit';

function limitPreflight(req: BackendSrvRequest) {
  const asked = req.data[LIMIT];
  return {
    action: 'set_leader_schedule_limit',
    params: req.data,
    safe: true,
    summary: `${LIMIT} would change from 4 to ${asked} (concurrent leader transfers)`,
    checks: [{ name: 'current_value', ok: true, detail: `${LIMIT} is 4 now, ${asked} asked` }],
    current: { [LIMIT]: 4 },
    at: Date.now(),
  };
}

/** A backend whose set_leader_schedule_limit is safe and succeeds, unless `execute` answers otherwise. */
function limitBackend(execute?: FakeAnswer) {
  return installActions((step, req) => {
    if (step === 'preflight') {
      return { status: 200, data: limitPreflight(req) };
    }
    return (
      execute ?? {
        status: 200,
        data: {
          action: 'set_leader_schedule_limit',
          pdAnswer: 'The config is updated.',
          preflight: limitPreflight(req),
          effect: { [LIMIT]: req.data[LIMIT] },
          audit_id: 1,
        },
      }
    );
  });
}

function renderAt(search = '') {
  render(
    <MemoryRouter initialEntries={[`/actions${search}`]}>
      <Actions />
    </MemoryRouter>
  );
}

const check = () => screen.getByRole('button', { name: copy.actions.check });
const confirm = () => screen.getByRole('button', { name: copy.actions.confirm });

/** A field's label is PD's parameter name followed by its hint. */
const field = (name: string) => new RegExp(`^${name}`);

async function fill(name: string, text: string) {
  const input = await screen.findByLabelText(field(name), {}, SLOW);
  await userEvent.clear(input);
  await userEvent.type(input, text);
}

describe('Actions page', () => {
  it('opens the action and PD parameters named in the link from the Cluster page', async () => {
    installActions(() => ({ status: 500 }));
    renderAt('?action=drain_store&store_id=4');
    expect(await screen.findByLabelText(field('store_id'), {}, SLOW)).toHaveValue('4');
    expect(screen.getByText(selectors.actionNames.drain_store)).toBeInTheDocument();
    expect(screen.getByLabelText(copy.actions.modes.leaders)).toBeChecked();
  });

  it("re-reads the audit trail on Refresh, with another operator's action in it", async () => {
    const { audit } = installActions(() => ({ status: 500 }));
    renderAt();
    expect(await screen.findByText(copy.actions.noAudit, {}, SLOW)).toBeInTheDocument();
    const now = Date.now();
    audit.unshift({
      ...{ id: 9, cluster: 'default', target: 'region 7', started_at: now, finished_at: now, who: 'bob' },
      ...{ action: 'split_region', params: { region_id: 7 }, preflight: null, outcome: 'ok', pd_answer: null, error: null },
    });
    await userEvent.click(screen.getByRole('button', { name: copy.cluster.refresh }));
    const row = await screen.findByText('split_region', { selector: 'td' }, SLOW);
    expect(row.closest('tr')?.textContent).toContain('bob');
  });

  it('shows the preflight before Confirm, then the outcome and the new audit row', async () => {
    const { calls } = limitBackend();
    renderAt(`?action=set_leader_schedule_limit&${LIMIT}=8`);
    expect(await screen.findByText(copy.actions.noAudit, {}, SLOW)).toBeInTheDocument();
    expect(confirm()).toBeDisabled();

    await userEvent.click(check());
    const preflight = await screen.findByTestId(testIds.actions.preflight, {}, SLOW);
    expect(
      within(preflight).getByText(`${LIMIT} would change from 4 to 8 (concurrent leader transfers)`)
    ).toBeVisible();
    expect(within(preflight).getByText(`${LIMIT} is 4 now, 8 asked`)).toBeVisible();
    expect(
      within(preflight)
        .getAllByRole('row')
        .map((r) => r.textContent)
    ).toEqual([`${copy.actions.current}${copy.actions.asked}`, `${LIMIT}48`]);
    expect(routeOf(calls[1])).toBe('POST /api/actions/set_leader_schedule_limit/preflight');
    expect(calls[1].data).toEqual({ [LIMIT]: 8 });

    await waitFor(() => expect(confirm()).toBeEnabled());
    await userEvent.click(confirm());
    const outcome = await screen.findByTestId(testIds.actions.outcome, {}, SLOW);
    expect(within(outcome).getByText(/PD answered: The config is updated\./)).toBeVisible();
    expect(within(outcome).getByText(`${copy.actions.effect}: ${LIMIT} = 8`)).toBeVisible();
    expect(routeOf(calls[2])).toBe('POST /api/actions/set_leader_schedule_limit/execute');
    // Confirm runs once per Check.
    expect(confirm()).toBeDisabled();

    const audit = await screen.findByText('set_leader_schedule_limit', { selector: 'td' }, SLOW);
    expect(audit.closest('tr')?.textContent).toContain(`admin`);
  });

  it('keeps Confirm disabled when a check fails, and shows which', async () => {
    installActions((step, req) => ({
      status: 200,
      data: {
        action: 'transfer_leader',
        params: req.data,
        safe: false,
        summary: 'would move the leader of region 2 to store 9',
        checks: [
          { name: 'region_exists', ok: true, detail: 'region 2 exists, leader on store 1' },
          { name: 'target_has_voter', ok: false, detail: 'store 9 holds no voter peer of region 2' },
        ],
        at: Date.now(),
      },
    }));
    renderAt('?action=transfer_leader&region_id=2');
    await fill('to_store_id', '9');
    await userEvent.click(check());
    const preflight = await screen.findByTestId(testIds.actions.preflight, {}, SLOW);
    expect(within(preflight).getByText(copy.actions.unsafe)).toBeVisible();
    expect(within(preflight).getByText('store 9 holds no voter peer of region 2')).toBeVisible();
    expect(within(preflight).getAllByText('failed')).toHaveLength(1);
    expect(confirm()).toBeDisabled();
  });

  it('sends a scheduler name as text, shows a warning check as a warning and still allows Confirm', async () => {
    const { calls } = installActions((step, req) => ({
      status: 200,
      data: {
        action: 'pause_scheduler',
        params: req.data,
        safe: true,
        summary: 'Warning: a drain is running. PD would pause balance-leader-scheduler for 600 s',
        checks: [
          { name: 'scheduler_exists', ok: true, detail: 'PD runs balance-leader-scheduler' },
          { name: 'drain_in_progress', ok: true, warning: true, detail: 'a drain is running (store 4 being removed)' },
        ],
        at: Date.now(),
      },
    }));
    renderAt('?action=pause_scheduler');
    await fill('name', 'balance-leader-scheduler');
    await fill('delay', '600');
    await userEvent.click(check());
    const preflight = await screen.findByTestId(testIds.actions.preflight, {}, SLOW);
    expect(calls.find((c) => routeOf(c) === 'POST /api/actions/pause_scheduler/preflight')?.data).toEqual({
      name: 'balance-leader-scheduler',
      delay: 600,
    });
    expect(within(preflight).getByText('a drain is running (store 4 being removed)')).toBeVisible();
    expect(within(preflight).getAllByText('warning')).toHaveLength(1);
    expect(within(preflight).getAllByText('ok')).toHaveLength(1);
    await waitFor(() => expect(confirm()).toBeEnabled());
  });

  it('names a wrong field without asking the backend', async () => {
    const { calls } = limitBackend();
    renderAt('?action=set_low_space_threshold');
    await fill('low-space-ratio', '1.5');
    await userEvent.click(check());
    expect(await screen.findByText(/^low-space-ratio: /)).toBeInTheDocument();
    await fill('low-space-ratio', 'lots');
    await userEvent.click(check());
    expect(await screen.findByText('low-space-ratio: "lots" is not a number')).toBeInTheDocument();
    // Only the audit trail was read (the page's table); nothing was checked or run.
    expect(calls.map(routeOf).filter((r) => r.includes('/api/actions/') && !r.startsWith('GET /api/actions/audit'))).toEqual([]);
  });

  it('asks for a new Check when a field changes after one', async () => {
    limitBackend();
    renderAt(`?action=set_leader_schedule_limit&${LIMIT}=8`);
    await userEvent.click(await screen.findByRole('button', { name: copy.actions.check }, SLOW));
    await screen.findByTestId(testIds.actions.preflight, {}, SLOW);
    await waitFor(() => expect(confirm()).toBeEnabled());
    fireEvent.change(screen.getByLabelText(field(LIMIT)), { target: { value: '16' } });
    expect(screen.queryByTestId(testIds.actions.preflight)).not.toBeInTheDocument();
    expect(confirm()).toBeDisabled();
  });

  it('lists the preflight’s reasons when the backend refuses at execution', async () => {
    limitBackend({
      status: 409,
      data: {
        statusCode: 409,
        code: ERROR_CODES.ACTION_UNSAFE,
        error: 'Conflict',
        message: 'set_leader_schedule_limit refused by preflight: PD changed meanwhile; limit is 4; try again',
        reasons: ['PD changed meanwhile; limit is 4', 'try again'],
      },
    });
    renderAt(`?action=set_leader_schedule_limit&${LIMIT}=8`);
    await userEvent.click(await screen.findByRole('button', { name: copy.actions.check }, SLOW));
    await waitFor(() => expect(confirm()).toBeEnabled(), SLOW);
    await userEvent.click(confirm());
    const outcome = await screen.findByTestId(testIds.actions.outcome, {}, SLOW);
    expect(
      within(outcome)
        .getAllByRole('listitem')
        .map((li) => li.textContent)
    ).toEqual(['PD changed meanwhile; limit is 4', 'try again']);
  });

  it('says that actions need the Admin role when Grafana refuses the route', async () => {
    installActions(() => ({ status: 403, data: { message: 'plugin proxy route access denied' } }));
    renderAt(`?action=set_leader_schedule_limit&${LIMIT}=8`);
    await userEvent.click(await screen.findByRole('button', { name: copy.actions.check }, SLOW));
    expect(await screen.findByText('actions need the Admin role', {}, SLOW)).toBeInTheDocument();
    expect(confirm()).toBeDisabled();
  });
});
