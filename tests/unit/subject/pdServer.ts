/**
 * The PD fixture server (tests/support/pdFixtureServer.ts, PD's Date header = the fixtures' now) with the routes the
 * observations need beyond the recorded fixtures: `/stores` honouring PD's `state` filter over the fixture's stores
 * plus extra ones (Tombstone, TiFlash), `/hotspot/regions/write` honouring `store_id`, and `/regions/check/<kind>`
 * (store 5 is Down in the fixture cluster, so its peers are down and pending in the regions of the recorded scan).
 */
import {
  FIXTURE_NOW,
  fixtureText,
  type PdFixtureServer,
  sendJson,
  startPdFixtureServer,
} from '../../support/pdFixtureServer';

export const PD_NOW = FIXTURE_NOW;

export interface PdServerOptions {
  /** Wire-shaped StoreInfo objects served besides the fixture's three stores. */
  extraStores?: unknown[];
  /** Answer this status and body for a GET path below `/pd/api/v1` (e.g. PD failing one endpoint). */
  fail?: { path: string; status: number; body: unknown };
}

export interface PdServer extends PdFixtureServer {
  /** Paths with query strings, in arrival order. */
  paths(): string[];
}

const REGION_CHECKS = ['miss-peer', 'pending-peer', 'down-peer', 'offline-peer', 'extra-peer'];

export async function startPdServer(opts: PdServerOptions = {}): Promise<PdServer> {
  const server = await startPdFixtureServer();
  const stores: Array<{ store: { state?: number } }> = [
    ...JSON.parse(fixtureText('stores')).stores,
    ...(opts.extraStores ?? []),
  ] as never;
  // PD filters `/stores` on the legacy integer state (absent = 0 = Up); without a filter it hides Tombstone.
  server.route('GET', '/stores', (req, res) => {
    const wanted = req.query.getAll('state').map(Number);
    const states = wanted.length > 0 ? wanted : [0, 1];
    const list = stores.filter((s) => states.includes(s.store.state ?? 0));
    sendJson(res, 200, JSON.stringify({ count: list.length, stores: list }));
  });
  server.route('GET', '/hotspot/regions/write', (req, res) => {
    const hot = JSON.parse(fixtureText('hotspot_regions_write'));
    const ids = req.query.getAll('store_id');
    if (ids.length > 0) {
      for (const group of ['as_peer', 'as_leader']) {
        hot[group] = Object.fromEntries(Object.entries(hot[group]).filter(([id]) => ids.includes(id)));
      }
    }
    sendJson(res, 200, JSON.stringify(hot));
  });
  const scanned = JSON.parse(fixtureText('regions_key_limit4')).regions;
  for (const kind of REGION_CHECKS) {
    const list = kind === 'down-peer' || kind === 'pending-peer' ? scanned : [];
    server.route('GET', `/regions/check/${kind}`, (_req, res) =>
      sendJson(res, 200, JSON.stringify({ count: list.length, regions: list }))
    );
  }
  if (opts.fail) {
    const { status, body } = opts.fail;
    server.route('GET', opts.fail.path, (_req, res) => sendJson(res, status, JSON.stringify(body)));
  }
  return Object.assign(server, {
    paths: () => server.requests.map((r) => (r.query.size > 0 ? `${r.path}?${r.query}` : r.path)),
  });
}
