/**
 * The Cluster page of the built app in a real browser, against the real backend over the simulator and a real
 * Prometheus (no invented frames): each store id links to the TiKV store dashboard for that store on the page's
 * data source, and following the link lands on `/d/<uid>/<slug>?var-store=<id>&var-datasource=<uid>` (there is no
 * Grafana here to draw the dashboard: a stand-in page answers, the URL is what Grafana would route).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { DASHBOARDS } from '../../src/dashboards/names';
import { APP_PLUGIN_ID } from '../../src/shared/names';
import { startBackend, type TestBackend } from '../support/backend';
import { launchChromium, openAppPage } from './harness/browser';
import { type Harness, startHarnessServer } from './harness/server';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'test-results');
const API_TOKEN = 'browser-cluster-read-token-0123456789';
const DS_UID = 'tikv-east';
const STORES_TABLE = 'data-testid tikv-cluster-stores';

jest.setTimeout(180_000);

let backend: TestBackend;
let harness: Harness;
let browser: Browser;
let storeIds: number[];

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  backend = await startBackend({ prometheus: true, env: { API_TOKEN } });
  const stores = (await (await fetch(`${backend.sim.pdUrl}/stores`)).json()) as {
    stores: Array<{ store: { id: number } }>;
  };
  storeIds = stores.stores.map((s) => s.store.id).sort((a, b) => a - b);
  harness = await startHarnessServer({
    distDir: join(ROOT, 'dist'),
    appId: APP_PLUGIN_ID,
    datasource: {
      uid: DS_UID,
      name: 'TiKV east',
      jsonData: { backendUrl: backend.url },
      secureJsonData: { apiToken: API_TOKEN },
    },
    user: { login: 'viewer', role: 'Viewer' },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await backend?.close();
});

function openCluster(): Promise<Page> {
  return openAppPage(browser, harness, `/a/${APP_PLUGIN_ID}/cluster?ds=${DS_UID}`, (page) =>
    page.getByTestId(STORES_TABLE).getByRole('row').nth(storeIds.length).waitFor({ timeout: 60_000 })
  );
}

test('every store id of the stores table links to its store dashboard, on the page’s data source', async () => {
  const page = await openCluster();
  const links = page.getByTestId(STORES_TABLE).locator('a[href^="/d/"]');
  const found = await links.evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  expect(found).toEqual(
    storeIds.map((id) => [
      String(id),
      `/d/${DASHBOARDS.store.uid}/${DASHBOARDS.store.slug}?var-store=${id}&var-datasource=${DS_UID}`,
    ])
  );
  await page.screenshot({ path: join(RESULTS, 'cluster-store-links.png'), fullPage: true });
  await page.close();
});

test('following a store link opens the store dashboard URL for that store and data source', async () => {
  const page = await openCluster();
  // No Grafana here to serve the dashboard: the browser's request for it is answered by a stand-in page, and the
  // request is what the test checks (Grafana routes `/d/<uid>/<slug>` to the dashboard with that uid).
  const requested: string[] = [];
  await page.route(
    (u) => u.pathname.startsWith('/d/'),
    (route) => {
      requested.push(route.request().url());
      return route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<title>Grafana dashboard stand-in</title>',
      });
    }
  );
  const store = storeIds[1];
  await Promise.all([
    page.waitForURL((u) => u.pathname.startsWith('/d/'), { timeout: 30_000 }),
    page
      .getByTestId(STORES_TABLE)
      .getByRole('link', { name: String(store), exact: true })
      .click(),
  ]);
  const url = new URL(page.url());
  expect(url.origin).toBe(harness.url);
  expect(url.pathname).toBe(`/d/${DASHBOARDS.store.uid}/${DASHBOARDS.store.slug}`);
  expect(Object.fromEntries(url.searchParams)).toEqual({ 'var-store': String(store), 'var-datasource': DS_UID });
  expect(requested).toEqual([url.href]);
  await page.close();
});
