import { bytesSize, goDuration, parseGoDurationMs, pdJson, big, rfc3339Nano } from '../../../src/simulator/format';

describe('PD text encodings', () => {
  it('writes sizes as go-units BytesSize: binary units, 4 significant digits, no space', () => {
    expect(bytesSize(0)).toBe('0B');
    expect(bytesSize(512)).toBe('512B');
    expect(bytesSize(300 * 1024 ** 3)).toBe('300GiB');
    expect(bytesSize(82 * 1024 ** 3)).toBe('82GiB');
    expect(bytesSize(161.5 * 1024 ** 3)).toBe('161.5GiB');
    expect(bytesSize(2_000_000_000_000)).toBe('1.819TiB');
    expect(bytesSize(1024 ** 3 - 1)).toBe('1024MiB');
  });

  it('writes durations as Go time.Duration.String()', () => {
    const s = (n: number) => BigInt(n) * BigInt(1_000_000_000);
    expect(goDuration(s(1800))).toBe('30m0s');
    expect(goDuration(s(3600))).toBe('1h0m0s');
    expect(goDuration(s(5))).toBe('5s');
    expect(goDuration(BigInt(10_000_000))).toBe('10ms');
    expect(goDuration(s(174 * 3600 + 15 * 60 + 49) + BigInt(812345678))).toBe('174h15m49.812345678s');
  });

  it('parses Go durations and rejects other text', () => {
    expect(parseGoDurationMs('5s')).toBe(5000);
    expect(parseGoDurationMs('1h30m')).toBe(5_400_000);
    expect(parseGoDurationMs('1.5s')).toBe(1500);
    expect(parseGoDurationMs('30m0s')).toBe(1_800_000);
    expect(parseGoDurationMs('5')).toBeUndefined();
    expect(parseGoDurationMs('five seconds')).toBeUndefined();
  });

  it('writes uint64 values above 2^53 as exact JSON digits', () => {
    const text = pdJson({ cluster_id: big('7291847362517380123'), n: 1 });
    expect(text).toContain('"cluster_id": 7291847362517380123');
  });

  it('writes times as RFC3339 with nanoseconds, trailing zeros trimmed', () => {
    expect(rfc3339Nano(BigInt('1749544196812345678'))).toBe('2025-06-10T08:29:56.812345678Z');
    expect(rfc3339Nano(BigInt('1749544196000000000'))).toBe('2025-06-10T08:29:56Z');
  });
});
