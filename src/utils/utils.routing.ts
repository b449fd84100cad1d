import { PLUGIN_BASE_URL, ROUTES } from '../constants';
import type { ActionName } from '../shared/names';

// Prefixes the route with the base URL of the plugin
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}

/** The Actions page with an action picked and some of its PD parameters filled in (src/pages/actions/actionFields.ts). */
export function actionLink(action: ActionName, params: Record<string, string | number>): string {
  const search = new URLSearchParams({ action });
  for (const [name, value] of Object.entries(params)) {
    search.set(name, String(value));
  }
  return `${prefixRoute(ROUTES.Actions)}?${search.toString()}`;
}
