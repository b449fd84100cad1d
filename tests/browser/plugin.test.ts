/**
 * The built plugin in a real browser: headless Debian Chromium loads `dist/datasource/module.js` the way Grafana
 * does (SystemJS/AMD with shared react and @grafana/* modules), its requests go through a proxy that applies the
 * routes of the built plugin.json (so the routes and token injection are proven too) to a backend serving the
 * simulator and a real Prometheus. Assertions are on what is visible; screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { DATASOURCE_PLUGIN_ID, APP_PLUGIN_ID } from '../../src/shared/names';
import { startBackend, type TestBackend } from '../support/backend';
import { launchChromium } from './harness/browser';
import { type Harness, startHarnessServer } from './harness/server';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results');
const API_TOKEN = 'browser-read-token-0123456789';

jest.setTimeout(180_000);

let backend: TestBackend;
let harness: Harness;
let browser: Browser;
let addresses: string[];
const DOWN_STORE = 3;

async function openHarness(h: Harness): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(h.url);
  await page.waitForFunction(() => (window as any).harnessReady === true, null, { timeout: 60_000 });
  const components = await page.evaluate(() => (window as any).harness.loadDatasource());
  expect(components).toEqual(expect.arrayContaining(['ConfigEditor', 'QueryEditor']));
  expect(errors).toEqual([]);
  return page;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  backend = await startBackend({ prometheus: true, env: { API_TOKEN } });
  const stores = await (await fetch(`${backend.sim.pdUrl}/stores`)).json();
  addresses = stores.stores.map((s: { store: { address: string } }) => s.store.address);
  // A store that stopped heartbeating two minutes ago: PD shows it Disconnected, the live checker reports it down.
  backend.sim.stopStore(DOWN_STORE, { secondsAgo: 120 });
  harness = await startHarnessServer({
    distDir: join(ROOT, 'dist'),
    appId: APP_PLUGIN_ID,
    datasource: {
      uid: 'tikv-operator',
      name: 'TiKV Operator',
      jsonData: { backendUrl: backend.url },
      secureJsonData: { apiToken: API_TOKEN },
    },
    user: { login: 'admin', role: 'Admin' },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await backend?.close();
});

test('the built data source module loads as Grafana loads it, without page errors', async () => {
  const page = await openHarness(harness);
  await page.close();
});

test.each(['light', 'dark'] as const)('the ConfigEditor shows the backend URL and a configured API token (%s)', async (mode) => {
  const page = await openHarness(harness);
  await page.evaluate((m) => (window as any).harness.renderConfigEditor(m), mode);
  await page.getByText('Backend URL').first().waitFor();
  expect(await page.locator('#tikv-config-backend-url').inputValue()).toBe(backend.url);
  // Secrets never reach the browser: the API token field only says that one is configured, with a Reset button.
  expect(await page.locator('#tikv-config-api-token').inputValue()).toBe('configured');
  await page.getByRole('button', { name: 'Reset' }).first().waitFor();
  await shot(page, `config-editor-${mode}`);
  await page.close();
});

test.each(['light', 'dark'] as const)('the QueryEditor shows observation descriptions from the backend (%s)', async (mode) => {
  const page = await openHarness(harness);
  await page.evaluate(
    (m) => (window as any).harness.renderQueryEditor(m, { refId: 'A', kind: 'observation', observation: 'get_stores' }),
    mode
  );
  await page.getByText('Observation').first().waitFor();
  await page.locator('#tikv-query-observation').focus();
  await page.keyboard.press('ArrowDown');
  // The descriptions come from GET /api/subject through the `api` route, with the API token injected.
  await page.getByText(/Stores as PD sees them/).first().waitFor({ timeout: 30_000 });
  await page.getByText(/Top-N hot write regions/).first().waitFor();
  await shot(page, `query-editor-${mode}`);
  expect(harness.proxyLog.some((e) => e.path.startsWith('api/subject') && e.route === 'api' && e.status === 200)).toBe(true);
  await page.close();
});

test('a get_stores query shows the stores table', async () => {
  const page = await openHarness(harness);
  const result = await page.evaluate(() =>
    (window as any).harness.runQuery('light', [{ refId: 'A', kind: 'observation', observation: 'get_stores' }])
  );
  expect(result.errors).toEqual([]);
  for (const address of addresses) {
    await page.getByText(address).first().waitFor();
  }
  await shot(page, 'stores-table-light');
  await page.close();
});

test('an invariant query shows the down store in the violations table', async () => {
  const page = await openHarness(harness);
  const deadline = Date.now() + 60_000;
  let seen = false;
  while (!seen && Date.now() < deadline) {
    const result = await page.evaluate(() =>
      (window as any).harness.runQuery('dark', [
        { refId: 'V', kind: 'invariant', invariants: ['store_down'], format: 'violations' },
      ])
    );
    expect(result.errors).toEqual([]);
    seen = (await page.getByText('store_down').count()) > 0;
    if (!seen) {
      await page.waitForTimeout(500);
    }
  }
  expect(seen).toBe(true);
  await page.getByText(addresses[DOWN_STORE - 1]).first().waitFor();
  await shot(page, 'violations-table-dark');
  await page.close();
});

test('Save & test reports the backend healthy through the route', async () => {
  const page = await openHarness(harness);
  const result = await page.evaluate(() => (window as any).harness.testDatasource());
  expect(result.status).toBe('success');
  await page.close();
});

test('a wrong API token is reported in words, not as a bare 400', async () => {
  const wrong = await startHarnessServer({
    distDir: join(ROOT, 'dist'),
    appId: APP_PLUGIN_ID,
    datasource: { uid: 'tikv-wrong', name: 'TiKV wrong token', jsonData: { backendUrl: backend.url }, secureJsonData: { apiToken: 'not-the-token' } },
    user: { login: 'viewer', role: 'Viewer' },
  });
  try {
    const page = await openHarness(wrong);
    const result = await page.evaluate(() =>
      (window as any).harness.runQuery('light', [{ refId: 'A', kind: 'observation', observation: 'get_stores' }])
    );
    expect(result.errors.join(' ')).toMatch(/API token is missing or wrong/);
    await page.getByText(/API token is missing or wrong/).first().waitFor();
    // Grafana's proxy turned the backend's 401 into a 400; the harness logged the backend's own status.
    expect(wrong.proxyLog.some((e) => e.route === 'api' && e.status === 401)).toBe(true);
    await page.close();
  } finally {
    await wrong.close();
  }
});

test('a Viewer is refused on the actions route by its role, before any token is sent', async () => {
  const viewer = await startHarnessServer({
    distDir: join(ROOT, 'dist'),
    appId: APP_PLUGIN_ID,
    datasource: { uid: 'tikv-viewer', name: 'TiKV viewer', jsonData: { backendUrl: backend.url }, secureJsonData: { apiToken: API_TOKEN, actionsToken: 'x' } },
    user: { login: 'viewer', role: 'Viewer' },
  });
  try {
    const res = await fetch(`${viewer.url}/api/datasources/proxy/uid/tikv-viewer/api/actions/audit`);
    expect(res.status).toBe(403);
    expect(viewer.proxyLog.at(-1)).toEqual({ path: 'api/actions/audit', route: 'api/actions', status: 403 });
  } finally {
    await viewer.close();
  }
});

test('the built plugin.json of the data source is the one the harness applied', () => {
  // Guards the premise of these tests: the harness read the real build, whose type is our data source id.
  const plugin = require(join(ROOT, 'dist', 'datasource', 'plugin.json'));
  expect(plugin.id).toBe(DATASOURCE_PLUGIN_ID);
  expect(plugin.routes.map((r: { path: string }) => r.path)).toEqual(['api/actions', 'api']);
});
