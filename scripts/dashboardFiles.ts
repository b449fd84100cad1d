/**
 * The dashboards' files as committed: src/dashboards/ generates the JSON, Prettier formats it with the project's
 * settings (so `npm run lint:fix` leaves the generated files alone).
 */
import { join } from 'node:path';

import { format, resolveConfig } from 'prettier';

import { generateDashboards } from '../src/dashboards';

export const DASHBOARD_DIR = join(__dirname, '..', 'provisioning', 'dashboards');

/** File name → formatted text. */
export async function renderDashboards(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [file, text] of Object.entries(generateDashboards())) {
    const filepath = join(DASHBOARD_DIR, file);
    out[file] = await format(text, { ...(await resolveConfig(filepath)), filepath });
  }
  return out;
}
