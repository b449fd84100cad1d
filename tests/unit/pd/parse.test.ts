import { checkedByteSize, parseGoDuration, parseJsonBig, RFC3339 } from '../../../src/subject/pd/parse';
import { StoreInfo } from '../../../src/subject/pd/schema';
// The simulator writes PD's formats; reading its output back proves the two agree.
import { bytesSize, goDuration } from '../../../src/simulator/format';

const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

describe('PD byte sizes (go-units BytesSize strings)', () => {
  it.each([
    ['0B', 0],
    ['512B', 512],
    ['300GiB', 300 * GiB],
    ['82GiB', 82 * GiB],
    ['161.5GiB', 161.5 * GiB],
    ['1.819TiB', 1.819 * TiB],
    ['1024MiB', 1024 * 1024 ** 2],
    ['1.5 KiB', 1536],
    ['2EiB', 2 * 1024 ** 6],
    ['1e3GiB', 1000 * GiB],
    ['7YiB', 7 * 1024 ** 8],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(checkedByteSize(text)).toBeCloseTo(bytes, 0);
    // As a store's capacity, through the schema's check and normalization.
    const info = StoreInfo.parse({ store: { id: 1, address: 'a:1', state_name: 'Up' }, status: { capacity: text } });
    expect(info.status.capacity).toBeCloseTo(bytes, 0);
  });

  it.each(['', '1.5GB', '300 GB', 'GiB', '-1GiB', '1,5GiB', '12'])('refuses %j with the offending text', (text) => {
    const r = StoreInfo.safeParse({ store: { id: 1, address: 'a:1', state_name: 'Up' }, status: { capacity: text } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe(`not a PD byte size (e.g. "1.819TiB"): ${JSON.stringify(text)}`);
  });

  it.each([
    [0, '0B'],
    [512, '512B'],
    [300 * GiB, '300GiB'],
    [161.5 * GiB, '161.5GiB'],
    [2 * TiB * 0.9095, '1.819TiB'],
    [1023.99 * 1024 ** 2, '1024MiB'],
  ])('writes %d bytes as PD does (%s)', (bytes, text) => {
    expect(bytesSize(bytes)).toBe(text);
  });

  it('round-trips within 4 significant digits', () => {
    for (const bytes of [1, 999, 1025, 7 * GiB + 12345, 1.23456 * TiB]) {
      expect(Math.abs(checkedByteSize(bytesSize(bytes)) - bytes) / bytes).toBeLessThan(0.0005);
    }
  });
});

describe('Go durations', () => {
  it.each([
    ['30m0s', 1800],
    ['1h0m0s', 3600],
    ['48h0m0s', 172800],
    ['174h15m49.812345678s', 174 * 3600 + 15 * 60 + 49.812345678],
    ['174h15m49.8s', 174 * 3600 + 15 * 60 + 49.8],
    ['10ms', 0.01],
    ['1.5µs', 1.5e-6],
    ['1.5μs', 1.5e-6],
    ['100ns', 1e-7],
    ['0s', 0],
    ['0', 0],
    ['1h', 3600],
    ['-1m30s', -90],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseGoDuration(text)).toBeCloseTo(seconds, 9);
  });

  it.each(['', '30', '1d', 'h', '1h 30m', '30m0'])('refuses %j', (text) => {
    expect(() => parseGoDuration(text)).toThrow(/not a Go duration/);
  });

  it.each([
    [1800, '30m0s'],
    [3600, '1h0m0s'],
    [0, '0s'],
    [5, '5s'],
    [627349.8, '174h15m49.8s'],
    [0.01, '10ms'],
  ])('writes %d seconds as Duration.String() (%s)', (seconds, text) => {
    expect(goDuration(BigInt(Math.round(seconds * 1e9)))).toBe(text);
    expect(parseGoDuration(text)).toBeCloseTo(seconds, 6);
  });
});

describe('RFC3339 times from Go', () => {
  it.each(['2025-06-10T08:29:56.812345678Z', '2025-06-10T16:29:56.8+08:00', '2025-06-10T08:29:56Z'])(
    'accepts %j',
    (text) => {
      expect(RFC3339.test(text)).toBe(true);
    }
  );

  it.each(['', 'yesterday', '2025-06-10 08:29:56', '2025-06-10T08:29:56'])('refuses %j', (text) => {
    expect(RFC3339.test(text)).toBe(false);
  });
});

describe('bigint-safe JSON', () => {
  it('keeps uint64 values beyond 2^53 exact and other numbers plain', () => {
    const v = parseJsonBig('{"id":13133905185624716513,"ns":1749541961204518733,"n":42,"f":6710886.4,"neg":-3}');
    expect(v).toEqual({
      id: '13133905185624716513',
      ns: '1749541961204518733',
      n: 42,
      f: 6710886.4,
      neg: -3,
    });
  });

  it('refuses truncated JSON with the position', () => {
    expect(() => parseJsonBig('{"count": 3, "stores": [')).toThrow(/end of JSON input|position/);
  });

  it('refuses malformed JSON', () => {
    expect(() => parseJsonBig('<html>bad gateway</html>')).toThrow();
    expect(() => parseJsonBig('')).toThrow();
  });
});
