import { BadQueryError } from '../../../src/shared/errors';
import { PDClient } from '../../../src/subject/pd/client';
import type { RegionInfo } from '../../../src/subject/pd/schema';
import { fixture, regionScanHandler, startPdFixtureServer, type PdFixtureServer } from '../../support/pdFixtureServer';

let pd: PdFixtureServer;
let client: PDClient;

beforeAll(async () => {
  pd = await startPdFixtureServer();
  pd.route('GET', '/regions/key', regionScanHandler(10));
  pd.route('GET', '/regions', fixture('regions_key_limit4'));
  client = new PDClient({ urls: [pd.url], timeoutMs: 5_000 });
});

afterAll(async () => {
  await client.close();
  await pd.close();
});

async function collect(it: AsyncIterable<RegionInfo>): Promise<RegionInfo[]> {
  const out: RegionInfo[] = [];
  for await (const r of it) {
    out.push(r);
  }
  return out;
}

describe('region scan', () => {
  it('walks the whole key space page by page with /regions/key and never reads /regions', async () => {
    const before = pd.requests.length;
    const regions = await collect(client.scanRegions({ pageSize: 3 }));
    expect(regions.map((r) => r.id)).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    const pages = pd.requests.slice(before);
    expect(pages.map((r) => r.path)).toEqual(['/regions/key', '/regions/key', '/regions/key', '/regions/key']);
    expect(pages.map((r) => Object.fromEntries(r.query))).toEqual([
      { key: '', end_key: '', limit: '3', format: 'hex' },
      { key: '0003', end_key: '', limit: '3', format: 'hex' },
      { key: '0006', end_key: '', limit: '3', format: 'hex' },
      { key: '0009', end_key: '', limit: '3', format: 'hex' },
    ]);
    expect(regions.at(-1)?.end_key).toBe('');
    expect(pd.requestsTo('/regions')).toHaveLength(0);
  });

  it('stops at the end key', async () => {
    const regions = await collect(client.scanRegions({ startKey: '0002', endKey: '0005', pageSize: 2 }));
    expect(regions.map((r) => [r.start_key, r.end_key])).toEqual([
      ['0002', '0003'],
      ['0003', '0004'],
      ['0004', '0005'],
    ]);
  });

  it('reads lazily: stopping early fetches no further pages', async () => {
    const before = pd.requestsTo('/regions/key').length;
    for await (const r of client.scanRegions({ pageSize: 2 })) {
      if (r.id === 101) {
        break;
      }
    }
    expect(pd.requestsTo('/regions/key').length - before).toBe(1);
  });

  it('sends keys upper-case, as PD writes them', async () => {
    const regions = await collect(client.scanRegions({ startKey: '000a', pageSize: 5 }));
    expect(regions.map((r) => r.id)).toEqual([109]);
    expect(pd.requestsTo('/regions/key').at(-1)?.query.get('key')).toBe('000A');
  });

  it('refuses a bad page size or a key that is not hex', async () => {
    await expect(collect(client.scanRegions({ pageSize: 0 }))).rejects.toMatchObject({ field: 'pageSize' });
    await expect(collect(client.scanRegions({ pageSize: 10241 }))).rejects.toBeInstanceOf(BadQueryError);
    await expect(collect(client.scanRegions({ startKey: 'xyz' }))).rejects.toMatchObject({ field: 'startKey' });
    await expect(collect(client.scanRegions({ endKey: 'ABC' }))).rejects.toMatchObject({ field: 'endKey' });
  });

  it('stops with an error when PD answers a page that does not advance (no endless loop)', async () => {
    const stuck = await startPdFixtureServer();
    const c = new PDClient({ urls: [stuck.url] });
    try {
      // Every page is the recorded first page, whatever the key: the second page ends where the first did.
      const seen: number[] = [];
      const err = await (async () => {
        try {
          for await (const r of c.scanRegions({ pageSize: 4 })) {
            seen.push(r.id);
          }
        } catch (e) {
          return e as Error;
        }
        throw new Error('expected the scan to fail');
      })();
      expect(err).toMatchObject({ name: 'UpstreamSchemaError', field: 'regions[3].end_key' });
      expect(err.message).toMatch(
        /^PD \/regions\/key: unexpected answer at regions\[3\]\.end_key: the scan does not advance/
      );
      expect(seen).toEqual([2, 1001, 1009, 1013]);
      expect(stuck.requestsTo('/regions/key')).toHaveLength(2);
    } finally {
      await c.close();
      await stuck.close();
    }
  });
});
