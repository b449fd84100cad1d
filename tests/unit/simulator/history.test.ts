/**
 * The history writer: OpenMetrics text ending in `# EOF`, samples in time order per series, faults exactly where the
 * schedule says, deterministic from the seed.
 */
import { historySchedule, parseFaultSpec, writeHistory, type HistoryOptions } from '../../../src/simulator/history';

const END = Date.UTC(2026, 0, 1, 12, 0, 0);
const options: HistoryOptions = {
  hours: 1,
  stores: 3,
  stepMs: 15_000,
  seed: 4,
  endMs: END,
  faults: parseFaultSpec('down:2@10m+15m, latency:3=250@20m+10m; disk:1=85@30m+20m'),
};

function render(o: HistoryOptions): string {
  const chunks: string[] = [];
  writeHistory(o, (c) => chunks.push(c));
  return chunks.join('');
}

describe('history', () => {
  const text = render(options);
  const lines = text.trimEnd().split('\n');

  it('is OpenMetrics ending in # EOF, with a TYPE line per family and timestamps in seconds', () => {
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(lines.filter((l) => l === '# EOF')).toHaveLength(1);
    expect(text).toContain('# TYPE tikv_storage_engine_async_request_duration_seconds histogram');
    const m = /^up\{job="tikv",instance="[^"]+"\} [01] (\d+)$/m.exec(text);
    expect(Number(m![1]) * 1000).toBe(END - 3_600_000);
  });

  it('keeps every series in strictly increasing time order', () => {
    const lastTs = new Map<string, number>();
    for (const l of lines) {
      if (l.startsWith('#')) {
        continue;
      }
      const m = /^(\S+) \S+ (\S+)$/.exec(l)!;
      const prev = lastTs.get(m[1]);
      expect(prev === undefined || Number(m[2]) > prev).toBe(true);
      lastTs.set(m[1], Number(m[2]));
    }
  });

  it('records up == 0 for the stopped store exactly inside the scheduled interval', () => {
    const schedule = historySchedule(options);
    const down = schedule.faults.find((f) => f.kind === 'down')!;
    expect(down.store_id).toBe(2);
    expect(down.toMs - down.fromMs).toBe(15 * 60_000);
    const upOf2 = lines
      .filter((l) => l.startsWith(`up{job="tikv",instance="${down.instance}"}`))
      .map((l) => l.split(' ').slice(-2).map(Number));
    expect(upOf2).toHaveLength(241);
    for (const [v, t] of upOf2) {
      expect(v).toBe(t * 1000 >= down.fromMs && t * 1000 < down.toMs ? 0 : 1);
    }
  });

  it('writes the disk fill and is the same text for the same seed', () => {
    const disk = historySchedule(options).faults.find((f) => f.kind === 'disk')!;
    const t = (disk.fromMs + 60_000) / 1000;
    const value = (type: string) =>
      Number(
        new RegExp(
          `^tikv_store_size_bytes\\{job="tikv",instance="${disk.instance}",type="${type}"\\} (\\d+) ${t}$`,
          'm'
        ).exec(text)![1]
      );
    expect(1 - value('available') / value('capacity')).toBeCloseTo(0.85, 6);
    expect(render(options)).toBe(text);
    expect(render({ ...options, seed: 5 })).not.toBe(text);
  });

  it('rejects fault specs it cannot read, naming the item', () => {
    expect(() => parseFaultSpec('explode:1@1h+1m')).toThrow(/kind must be one of down, latency, disk/);
    expect(() => parseFaultSpec('latency:1@1h+1m')).toThrow(/needs a positive value/);
    expect(() => parseFaultSpec('down:1@soon+1m')).toThrow(/offset/);
    expect(() => historySchedule({ ...options, faults: parseFaultSpec('down:9@1m+1m') })).toThrow(/store 9/);
    expect(() => parseFaultSpec('miss-peer:1=3@1h+1m')).toThrow(/cluster-level and takes no store id/);
    expect(() => parseFaultSpec('down-peer@1h+1m')).toThrow(/needs a positive value/);
    expect(() => parseFaultSpec('miss-peer=2.5@1h+1m')).toThrow(/whole number of regions/);
    expect(() => parseFaultSpec('disk=80@1h+1m')).toThrow(/disk needs :<store_id>/);
  });

  it("writes region faults as PD's hyphenated pd_regions_status counts, 0 outside them", () => {
    const o = { ...options, faults: parseFaultSpec('miss-peer=4@10m+5m, down-peer=2@12m+10m') };
    const schedule = historySchedule(o);
    expect(schedule.faults[0]).toMatchObject({ kind: 'miss-peer', store_id: 0, instance: '127.0.0.1:2379', value: 4 });
    const series = (type: string) =>
      render(o)
        .split('\n')
        .filter((l) => l.startsWith(`pd_regions_status{job="pd",instance="127.0.0.1:2379",type="${type}"}`))
        .map((l) => l.split(' ').slice(-2).map(Number));
    const start = END - 3_600_000;
    const at = (samples: number[][], min: number) => samples.find(([, t]) => t * 1000 === start + min * 60_000)![0];
    const miss = series('miss-peer-region-count');
    const down = series('down-peer-region-count');
    expect(miss).toHaveLength(241);
    expect([at(miss, 9), at(miss, 10), at(miss, 14), at(miss, 15)]).toEqual([0, 4, 4, 0]);
    expect([at(down, 11), at(down, 12), at(down, 21), at(down, 22)]).toEqual([0, 2, 2, 0]);
  });
});
