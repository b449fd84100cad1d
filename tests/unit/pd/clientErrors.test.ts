import type { ServerResponse } from 'node:http';

import {
  StoreNotFoundError,
  UpstreamSchemaError,
  UpstreamStatusError,
  UpstreamTimeoutError,
  UpstreamTooLargeError,
  UpstreamUnreachableError,
} from '../../../src/shared/errors';
import { PDClient, pdErrorMessage } from '../../../src/subject/pd/client';
import {
  fixtureText,
  refusedUrl,
  sendJson,
  startPdFixtureServer,
  type PdFixtureServer,
} from '../../support/pdFixtureServer';

let pd: PdFixtureServer;
let client: PDClient;
/** Responses held open by "never answers" routes; ended in afterAll. */
const hung: ServerResponse[] = [];

beforeAll(async () => {
  pd = await startPdFixtureServer();
  client = new PDClient({ urls: [pd.url], timeoutMs: 5_000 });
  // Routes of a member that never answers.
  for (const [method, p] of [
    ['GET', '/stats/region'],
    ['POST', '/schedulers'],
  ]) {
    pd.route(method, p, (_req, res) => {
      hung.push(res);
    });
  }
});

afterAll(async () => {
  await client.close();
  for (const res of hung) {
    res.destroy();
  }
  await pd.close();
});

/** The rejection of `p` (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('PD error bodies', () => {
  it("maps a JSON-string error body to an error naming PD, the path, the status and PD's message", async () => {
    const err = await rejection(client.deleteStore(4));
    expect(err).toBeInstanceOf(UpstreamStatusError);
    expect(err).toMatchObject({
      upstream: 'pd',
      path: '/store/4',
      status: 400,
      upstreamMessage:
        '[PD:core:ErrStoresNotEnough]can not remove store 4 since the number of up stores would be 2 while need 3',
    });
    expect(err.message).toBe(
      'PD /store/4: HTTP 400: [PD:core:ErrStoresNotEnough]can not remove store 4 since the number of up stores would be 2 while need 3'
    );
  });

  it('maps an errcode object body to its code and msg', async () => {
    pd.route('POST', '/config', (_req, res) => {
      res.setHeader('TiDB-Error-Code', 'api.invalid_value');
      sendJson(res, 400, '{"code":"api.invalid_value","msg":"config item leader-schedule-limt not found","data":null}');
    });
    const err = await rejection(client.updateConfig({ 'leader-schedule-limt': 8 }));
    expect(err).toBeInstanceOf(UpstreamStatusError);
    expect(err).toMatchObject({
      status: 400,
      upstreamMessage: 'api.invalid_value: config item leader-schedule-limt not found',
    });
    expect(err.message).toContain('PD /config: HTTP 400');
  });

  it('keeps a non-JSON error body as text', async () => {
    pd.route('GET', '/cluster/status', (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    });
    const c = new PDClient({ urls: [pd.url] });
    try {
      const err = await rejection(c.getClusterStatus());
      expect(err).toMatchObject({
        name: 'UpstreamStatusError',
        status: 502,
        upstreamMessage: '<html>Bad Gateway</html>',
      });
    } finally {
      await c.close();
    }
  });

  it("reads PD's error body shapes", () => {
    expect(pdErrorMessage('"[PD:core:ErrStoreNotFound]store 9 not found"')).toBe(
      '[PD:core:ErrStoreNotFound]store 9 not found'
    );
    expect(pdErrorMessage('{"code":"input","msg":"bad"}')).toBe('input: bad');
    expect(pdErrorMessage('{"msg":"bad","data":{"id":13133905185624716513}}')).toBe('bad');
    expect(pdErrorMessage('{"data":1}')).toBeUndefined();
    expect(pdErrorMessage('not json')).toBeUndefined();
  });

  it('reads no evicted store when no evict-leader scheduler runs (PD answers 404 for its config)', async () => {
    pd.route('GET', '/scheduler-config/evict-leader-scheduler/list', (_req, res) => sendJson(res, 404, '"404 page not found"'));
    expect((await client.getEvictLeaderStores()).data).toEqual([]);
    pd.route('GET', '/scheduler-config/evict-leader-scheduler/list', (_req, res) => sendJson(res, 500, '"boom"'));
    await expect(client.getEvictLeaderStores()).rejects.toMatchObject({ status: 500 });
  });

  it('raises StoreNotFoundError for an unknown store', async () => {
    pd.route('GET', '/store/9', (_req, res) => sendJson(res, 404, '"[PD:core:ErrStoreNotFound]store 9 not found"'));
    const err = await rejection(client.getStore(9));
    expect(err).toBeInstanceOf(StoreNotFoundError);
    expect(err).toMatchObject({ storeId: 9, code: 'TKO_ERR_STORE_NOT_FOUND', statusCode: 404 });
  });

  it('does not mistake Go\'s "404 page not found" (a wrong URL) for an unknown store', async () => {
    const err = await rejection(client.getStore(12));
    expect(err).toBeInstanceOf(UpstreamStatusError);
    expect(err).toMatchObject({ status: 404, upstreamMessage: '404 page not found' });
  });

  it('raises StoreNotFoundError when draining an unknown store', async () => {
    pd.route('DELETE', '/store/9', (_req, res) => sendJson(res, 404, '"[PD:core:ErrStoreNotFound]store 9 not found"'));
    await expect(client.deleteStore(9)).rejects.toBeInstanceOf(StoreNotFoundError);
  });
});

describe('malformed, truncated and off-schema answers', () => {
  it('names the field path of a value that fails the schema', async () => {
    pd.route('GET', '/stores', (_req, res) =>
      sendJson(res, 200, fixtureText('stores').replace('"300GiB"', '"300 GB"'))
    );
    const err = await rejection(client.getStores());
    expect(err).toBeInstanceOf(UpstreamSchemaError);
    expect(err).toMatchObject({ upstream: 'pd', path: '/stores', status: 200, field: 'stores[1].status.capacity' });
    expect(err.message).toBe(
      'PD /stores: unexpected answer at stores[1].status.capacity: not a PD byte size (e.g. "1.819TiB"): "300 GB"'
    );
  });

  it('names a missing required field', async () => {
    pd.route('GET', '/regions/count', (_req, res) => sendJson(res, 200, '{"regions":null}'));
    const err = await rejection(client.getRegionCount());
    expect(err).toMatchObject({ name: 'UpstreamSchemaError', field: 'count' });
  });

  it('names a wrong type deep in a list', async () => {
    pd.route('GET', '/hotspot/regions/write', (_req, res) =>
      sendJson(res, 200, fixtureText('hotspot_regions_write').replace('"region_id": 1013', '"region_id": "1013"'))
    );
    const err = await rejection(client.getHotWriteRegions());
    expect(err).toMatchObject({ name: 'UpstreamSchemaError', field: 'as_peer.1.statistics[1].region_id' });
  });

  it('refuses a truncated answer', async () => {
    pd.route('GET', '/members', (_req, res) => sendJson(res, 200, fixtureText('members').slice(0, 200)));
    const err = await rejection(client.getMembers());
    expect(err).toBeInstanceOf(UpstreamSchemaError);
    expect(err.message).toMatch(/^PD \/members: unexpected answer: body is not valid JSON \(.*(end of JSON input|Unterminated string|position \d+)/);
  });

  it('refuses an empty answer where JSON was expected', async () => {
    pd.route('GET', '/version', (_req, res) => sendJson(res, 200, ''));
    const err = await rejection(client.getVersion());
    expect(err.message).toBe('PD /version: unexpected answer: empty body where JSON was expected');
  });

  it('refuses an answer over the size limit', async () => {
    const small = new PDClient({ urls: [pd.url], maxBodyBytes: 1000 });
    try {
      await expect(small.getScheduleConfig()).rejects.toBeInstanceOf(UpstreamTooLargeError);
    } finally {
      await small.close();
    }
  });
});

describe('timeouts', () => {
  it('gives up on a member that never answers after the configured timeout', async () => {
    const c = new PDClient({ urls: [pd.url], timeoutMs: 150 });
    try {
      const started = Date.now();
      const err = await rejection(c.getRegionStats());
      expect(err).toBeInstanceOf(UpstreamTimeoutError);
      expect(err.message).toBe('PD /stats/region: no answer within 150 ms');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await c.close();
    }
  });

  it('honours a per-call timeout', async () => {
    const err = await rejection(client.getRegionStats({ timeoutMs: 100 }));
    expect(err).toMatchObject({ name: 'UpstreamTimeoutError', path: '/stats/region' });
  });
});

describe('failover across PD members', () => {
  let second: PdFixtureServer;
  beforeAll(async () => {
    second = await startPdFixtureServer();
  });
  afterAll(async () => {
    await second.close();
  });

  it('reads from the next member when the first refuses connections', async () => {
    const c = new PDClient({ urls: [await refusedUrl(), second.url] });
    try {
      const a = await c.getStores();
      expect(a.origin).toBe(second.url);
      expect(a.data.count).toBe(3);
    } finally {
      await c.close();
    }
  });

  it('reads from the next member when the first answers 503', async () => {
    const notReady = await startPdFixtureServer();
    notReady.route('GET', '/cluster', (_req, res) => sendJson(res, 503, '"[PD:apiutil:ErrRedirect]redirect failed"'));
    const c = new PDClient({ urls: [notReady.url, second.url] });
    try {
      const a = await c.getCluster();
      expect(a.origin).toBe(second.url);
      expect(a.data.id).toBe('7291847362517380123');
      expect(notReady.requestsTo('/cluster')).toHaveLength(1);
    } finally {
      await c.close();
      await notReady.close();
    }
  });

  it("raises the last member's error when every member fails", async () => {
    const c = new PDClient({ urls: [await refusedUrl(), await refusedUrl()] });
    try {
      const err = await rejection(c.getHealth());
      expect(err).toBeInstanceOf(UpstreamUnreachableError);
      expect(err.message).toMatch(/^PD \/health: unreachable \(ECONNREFUSED\)/);
    } finally {
      await c.close();
    }
  });

  it('does not retry a write on another member once one answered', async () => {
    const notReady = await startPdFixtureServer();
    notReady.route('POST', '/operators', (_req, res) =>
      sendJson(res, 503, '"[PD:apiutil:ErrRedirect]redirect failed"')
    );
    second.route('POST', '/operators', (_req, res) => sendJson(res, 200, '"The operator is created."'));
    const c = new PDClient({ urls: [notReady.url, second.url] });
    try {
      const err = await rejection(c.createOperator({ name: 'transfer-leader', region_id: 1009, to_store_id: 4 }));
      expect(err).toMatchObject({ name: 'UpstreamStatusError', status: 503 });
      expect(notReady.requestsTo('/operators')).toHaveLength(1);
      expect(second.requestsTo('/operators')).toHaveLength(0);
    } finally {
      await c.close();
      await notReady.close();
    }
  });

  it('does not retry a write that timed out (it may have been applied)', async () => {
    second.route('POST', '/schedulers', (_req, res) => sendJson(res, 200, '"The scheduler is created."'));
    const c = new PDClient({ urls: [pd.url, second.url], timeoutMs: 150 });
    try {
      const err = await rejection(c.addScheduler({ name: 'evict-leader-scheduler', store_id: 4 }));
      expect(err).toBeInstanceOf(UpstreamTimeoutError);
      expect(second.requestsTo('/schedulers')).toHaveLength(0);
    } finally {
      await c.close();
    }
  });

  it('sends a write to the next member when the first refused the connection (never sent)', async () => {
    second.route('POST', '/operators', (_req, res) => sendJson(res, 200, '"The operator is created."'));
    const c = new PDClient({ urls: [await refusedUrl(), second.url] });
    try {
      const before = second.requestsTo('/operators').length;
      expect(await c.createOperator({ name: 'add-peer', region_id: 1009, store_id: 6 })).toBe(
        'The operator is created.'
      );
      expect(second.requestsTo('/operators').length - before).toBe(1);
    } finally {
      await c.close();
    }
  });
});
