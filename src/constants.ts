import pluginJson from './plugin.json';

export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

/** App page routes (plugin.json `includes` pages point at these). */
export enum ROUTES {
  Cluster = 'cluster',
  Invariants = 'invariants',
  Actions = 'actions',
}
