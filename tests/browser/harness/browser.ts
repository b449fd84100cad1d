/** Headless Debian Chromium driven by playwright-core (never `playwright install`: no downloads here). */
import { chromium, type Browser, type Page } from 'playwright-core';

import type { Harness } from './server';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * Opens the harness page in a new 1280×1000 page, renders the app page at `path` (e.g. `/a/<app id>/cluster?ds=…`)
 * in `mode`, waits for `ready` (the page's own sign that its data arrived), and expects no page errors on the way.
 */
export async function openAppPage(
  browser: Browser,
  h: Pick<Harness, 'url'>,
  path: string,
  ready: (page: Page) => Promise<void>,
  mode: 'light' | 'dark' = 'light'
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, colorScheme: mode });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(h.url);
  await page.waitForFunction(() => (window as any).harnessReady === true, null, { timeout: 60_000 });
  const loaded = await page.evaluate(([m, p]) => (window as any).harness.renderAppPage(m, p), [mode, path] as const);
  expect(loaded).toEqual({ root: true });
  await ready(page);
  expect(errors).toEqual([]);
  return page;
}
