/**
 * A history of generated faults for the equivalence test, as OpenMetrics text for promtool: per store `up`,
 * `tikv_store_size_bytes` (available, capacity) and the write latency histogram, every `stepMs`, with
 *
 * - down: `up` = 0;
 * - latency: `high` (all writes in the 0.1–0.2 s bucket: P99 ≈ 0.2 s), `idle` (no writes: the quantile is NaN),
 *   `flap` (high and normal on alternate steps, around the 0.1 s threshold);
 * - disk: a used ratio (`flap`: 0.7 and just above it on alternate steps, at the 0.7 threshold), or NaN
 *   (capacity and available 0);
 * - gaps: no sample of any metric of the store (Prometheus down or the target unreachable);
 * - stopAt: the store's series end (removed from scraping);
 * - cluster-level `regions` (region_health): PD's `pd_regions_status` miss-peer and down-peer counts per interval
 *   (0 outside), with `regionGaps` where PD has no sample.
 *
 *   randomSchedules(stores, spanMs, stepMs, seed): StoreSchedule[]   — fast-check generated, deterministic
 *   writeFaultHistory({ startMs, stepMs, steps, stores }, write)
 */
import fc from 'fast-check';

type Interval = [number, number];
export interface StoreSchedule {
  instance: string;
  down: Interval[];
  latency: Array<[number, number, 'high' | 'idle' | 'flap']>;
  disk: Array<[number, number, number | 'nan' | 'flap']>;
  gaps: Interval[];
  /** Offset (ms) from which the store has no samples at all. */
  stopAt?: number;
}

const BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.2, 0.5, 1];

export function randomSchedules(stores: number, spanMs: number, stepMs: number, seed: number): StoreSchedule[] {
  const steps = Math.floor(spanMs / stepMs);
  // Durations: a step or three, around a 60 s grace, tens of minutes, hours.
  const duration = fc.oneof(
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 3, max: 8 }),
    fc.integer({ min: 20, max: 120 }),
    fc.integer({ min: 200, max: 900 })
  );
  const interval = fc
    .tuple(fc.integer({ min: 0, max: steps - 1 }), duration)
    .map(([a, d]): Interval => [a * stepMs, (a + d) * stepMs]);
  const schedule = fc.record({
    down: fc.array(interval, { maxLength: 3 }),
    latency: fc.array(
      fc.tuple(interval, fc.constantFrom('high', 'idle', 'flap') as fc.Arbitrary<'high' | 'idle' | 'flap'>),
      { maxLength: 3 }
    ),
    disk: fc.array(fc.tuple(interval, fc.constantFrom<number | 'nan' | 'flap'>(0.8, 0.95, 0.69, 'nan', 'flap')), {
      maxLength: 3,
    }),
    gaps: fc.array(
      fc
        .tuple(
          fc.integer({ min: 0, max: steps - 1 }),
          fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 60, max: 300 }))
        )
        .map(([a, d]): Interval => [a * stepMs, (a + d) * stepMs]),
      { maxLength: 2 }
    ),
    stopAt: fc.option(
      fc.integer({ min: 1, max: steps - 1 }).map((a) => a * stepMs),
      { freq: 6 }
    ),
  });
  return fc.sample(schedule, { seed, numRuns: stores }).map((s, i) => ({
    instance: `10.0.${Math.floor(i / 250)}.${i % 250}:20180`,
    down: s.down,
    latency: s.latency.map(([[a, b], k]) => [a, b, k]),
    disk: s.disk.map(([[a, b], k]) => [a, b, k]),
    gaps: s.gaps,
    stopAt: s.stopAt ?? undefined,
  }));
}

const inside = (t: number, [a, b]: readonly [number, number, ...unknown[]]) => t >= a && t < b;

/** PD's region counts over an interval: [from, to, miss-peer regions, down-peer regions]. */
export type RegionInterval = [number, number, number, number];

export function writeFaultHistory(
  o: {
    startMs: number;
    stepMs: number;
    steps: number;
    stores: StoreSchedule[];
    regions?: RegionInterval[];
    regionGaps?: Interval[];
  },
  write: (chunk: string) => void
): void {
  let buf: string[] = [];
  const line = (s: string) => {
    buf.push(s);
    if (buf.length >= 5000) {
      write(`${buf.join('\n')}\n`);
      buf = [];
    }
  };
  const ts = (t: number) => String(t / 1000);
  const present = (st: StoreSchedule, off: number) =>
    !(st.stopAt !== undefined && off >= st.stopAt) && !st.gaps.some((g) => inside(off, g));
  const offsets = Array.from({ length: o.steps }, (_, k) => k * o.stepMs);
  line('# TYPE up gauge');
  for (const off of offsets) {
    for (const st of o.stores) {
      if (present(st, off)) {
        line(
          `up{job="tikv",instance="${st.instance}"} ${st.down.some((d) => inside(off, d)) ? 0 : 1} ${ts(o.startMs + off)}`
        );
      }
    }
  }
  const hist = 'tikv_storage_engine_async_request_duration_seconds_bucket';
  line(`# TYPE tikv_storage_engine_async_request_duration_seconds histogram`);
  const acc = o.stores.map(() => new Float64Array(BUCKETS.length + 1));
  for (const [k, off] of offsets.entries()) {
    for (const [i, st] of o.stores.entries()) {
      const f = st.latency.find((l) => inside(off, l));
      const kind = f?.[2] === 'flap' ? (k % 2 === 0 ? 'high' : undefined) : f?.[2];
      if (kind !== 'idle') {
        const v = kind === 'high' ? 0.15 : 0.02;
        BUCKETS.forEach((le, j) => {
          acc[i][j] += v <= le ? 100 : 0;
        });
        acc[i][BUCKETS.length] += 100;
      }
      if (!present(st, off)) {
        continue;
      }
      const l = `job="tikv",instance="${st.instance}",type="write"`;
      [...BUCKETS, '+Inf'].forEach((le, j) => line(`${hist}{${l},le="${le}"} ${acc[i][j]} ${ts(o.startMs + off)}`));
    }
  }
  line('# TYPE tikv_store_size_bytes gauge');
  const capacity = 1e12;
  for (const [k, off] of offsets.entries()) {
    for (const st of o.stores) {
      if (!present(st, off)) {
        continue;
      }
      const f = st.disk.find((d) => inside(off, d));
      const ratio = f === undefined ? 0.5 : f[2] === 'flap' ? (k % 2 === 0 ? 0.7 : 0.7000001) : f[2];
      const l = `job="tikv",instance="${st.instance}"`;
      const [avail, cap] = ratio === 'nan' ? [0, 0] : [Math.round(capacity * (1 - ratio)), capacity];
      line(`tikv_store_size_bytes{${l},type="available"} ${avail} ${ts(o.startMs + off)}`);
      line(`tikv_store_size_bytes{${l},type="capacity"} ${cap} ${ts(o.startMs + off)}`);
    }
  }
  if (o.regions) {
    line('# TYPE pd_regions_status gauge');
    for (const off of offsets) {
      if ((o.regionGaps ?? []).some((g) => inside(off, g))) {
        continue;
      }
      const r = o.regions.find((x) => inside(off, x));
      const l = 'job="pd",instance="10.9.9.9:2379"';
      line(`pd_regions_status{${l},type="miss-peer-region-count"} ${r?.[2] ?? 0} ${ts(o.startMs + off)}`);
      line(`pd_regions_status{${l},type="down-peer-region-count"} ${r?.[3] ?? 0} ${ts(o.startMs + off)}`);
    }
  }
  line('# EOF');
  write(`${buf.join('\n')}\n`);
}
