/**
 * The Actions page of the built app in a real browser: Grafana's way of loading `dist/module.js` (the app) and
 * `dist/datasource/module.js`, requests through a proxy applying the built plugin.json routes (the Admin-only
 * `api/actions` route injects the actions token; X-Grafana-User names the user), to a backend with actions on, over
 * the simulator's PD. The user sees the preflight, confirms, sees PD's answer and the new audit row with their name.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { APP_PLUGIN_ID } from '../../src/shared/names';
import { startBackend, type TestBackend } from '../support/backend';
import { launchChromium, openAppPage } from './harness/browser';
import { type Harness, type Role, startHarnessServer } from './harness/server';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results');
const API_TOKEN = 'browser-read-token-0123456789';
const ACTIONS_TOKEN = 'browser-actions-token-9876543210';
const USER = 'sre-alice';
const LIMIT = 'leader-schedule-limit';

jest.setTimeout(180_000);

let backend: TestBackend;
let admin: Harness;
let viewer: Harness;
let browser: Browser;
let auditDir: string;

function harnessFor(role: Role): Promise<Harness> {
  return startHarnessServer({
    distDir: join(ROOT, 'dist'),
    appId: APP_PLUGIN_ID,
    datasource: {
      uid: 'tikv-operator',
      name: 'TiKV Operator',
      jsonData: { backendUrl: backend.url },
      secureJsonData: { apiToken: API_TOKEN, actionsToken: ACTIONS_TOKEN },
    },
    user: { login: USER, role },
    sendUserHeader: true,
  });
}

function openActions(h: Harness, mode: 'light' | 'dark', search: string): Promise<Page> {
  return openAppPage(
    browser,
    h,
    `/a/${APP_PLUGIN_ID}/actions${search}`,
    (page) => page.getByRole('button', { name: 'Check' }).waitFor({ timeout: 60_000 }),
    mode
  );
}

async function pdLeaderLimit(): Promise<number> {
  const schedule = await (await fetch(`${backend.sim.pdUrl}/config/schedule`)).json();
  return schedule[LIMIT];
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  auditDir = mkdtempSync(join(tmpdir(), 'tikv-operator-audit-'));
  backend = await startBackend({
    prometheus: false,
    env: { API_TOKEN, ACTIONS_ENABLED: 'true', ACTIONS_TOKEN, AUDIT_DB_PATH: join(auditDir, 'audit.db') },
  });
  admin = await harnessFor('Admin');
  viewer = await harnessFor('Viewer');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await viewer?.close();
  await backend?.close();
  if (auditDir) {
    rmSync(auditDir, { recursive: true, force: true });
  }
});

test.each(['light', 'dark'] as const)(
  'an Admin checks set_leader_schedule_limit, confirms it, and sees the outcome and the audit row (%s)',
  async (mode) => {
    const before = await pdLeaderLimit();
    const asked = before + (mode === 'light' ? 3 : 5);
    const page = await openActions(admin, mode, `?action=set_leader_schedule_limit&${LIMIT}=${asked}`);
    expect(await page.getByLabel(new RegExp(`^${LIMIT}`)).inputValue()).toBe(String(asked));
    const confirm = page.getByRole('button', { name: 'Confirm' });
    expect(await confirm.isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Check' }).click();
    const preflight = page.getByTestId('data-testid tikv-actions-preflight');
    await preflight.getByText(`${LIMIT} would change from ${before} to ${asked}`).waitFor({ timeout: 30_000 });
    await preflight.getByText('Safe to run').waitFor();
    await preflight.getByText(`${LIMIT} is ${before} now, ${asked} asked`).waitFor();
    await shot(page, `actions-preflight-${mode}`);

    await page.waitForFunction(
      () => !Array.from(document.querySelectorAll('button')).find((b) => b.textContent === 'Confirm')?.disabled,
      null,
      { timeout: 10_000 }
    );
    await confirm.click();
    const outcome = page.getByTestId('data-testid tikv-actions-outcome');
    await outcome.getByText(/PD answered: /).waitFor({ timeout: 30_000 });
    await outcome.getByText(`PD shows now: ${LIMIT} = ${asked}`).waitFor();
    expect(await pdLeaderLimit()).toBe(asked);

    // The audit table re-runs its audit query after Confirm: the new row names the Grafana user.
    const audit = page.getByTestId('data-testid tikv-actions-audit');
    const row = audit.locator('tr', { hasText: `"${LIMIT}":${asked}` });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(USER);
    expect(await row.textContent()).toContain('set_leader_schedule_limit');
    expect(await row.textContent()).toContain('done');
    await shot(page, `actions-outcome-${mode}`);
    expect(
      admin.proxyLog.some(
        (e) =>
          e.path.startsWith('api/actions/set_leader_schedule_limit/execute') &&
          e.route === 'api/actions' &&
          e.status === 200
      )
    ).toBe(true);
    await page.close();
  }
);

test('a Viewer is told that actions need the Admin role, and PD is not touched', async () => {
  const before = await pdLeaderLimit();
  const page = await openActions(viewer, 'light', `?action=set_leader_schedule_limit&${LIMIT}=${before + 1}`);
  await page.getByRole('button', { name: 'Check' }).click();
  // The Check's alert says why; the audit table (read through the same Admin-only route) says so too.
  await page
    .getByRole('alert', { name: 'Check failed' })
    .getByText('actions need the Admin role')
    .waitFor({ timeout: 30_000 });
  expect(await page.getByRole('button', { name: 'Confirm' }).isDisabled()).toBe(true);
  expect(await pdLeaderLimit()).toBe(before);
  const refused = viewer.proxyLog.filter((e) => e.route === 'api/actions');
  expect(refused.map((e) => [e.path.split('?')[0], e.status]).sort()).toEqual([
    ['api/actions/audit', 403],
    ['api/actions/set_leader_schedule_limit/preflight', 403],
  ]);
  await page.close();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}
