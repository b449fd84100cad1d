/**
 * N hours of past metrics for M stores, with scheduled faults, as OpenMetrics text for
 * `promtool tsdb create-blocks-from openmetrics` (samples in time order per series, timestamps in seconds, `# EOF`).
 * Deterministic from the seed; `historySchedule` gives tests the fault intervals the data implies.
 */
import { Cluster, type SimStore } from './cluster';
import { parseGoDurationMs } from './format';
import { LATENCY_BUCKETS, latencyShape } from './latency';
import { STORE_DISCONNECT_MS } from './storeState';

export const HISTORY_FAULT_KINDS = ['down', 'latency', 'disk', 'miss-peer', 'down-peer'] as const;
export type HistoryFaultKind = (typeof HISTORY_FAULT_KINDS)[number];
/** Cluster-level faults: PD's `pd_regions_status` counts (no store; `store_id` 0, `instance` = PD's). */
export const REGION_FAULT_KINDS: readonly HistoryFaultKind[] = ['miss-peer', 'down-peer'];
/** PD's PD instance in the history (`job="pd"`). */
export const HISTORY_PD_INSTANCE = '127.0.0.1:2379';

/**
 * One fault as written: kind, store (0 for region faults), value (latency P99 ms, disk used %, region count),
 * offset from the start and duration.
 */
export interface HistoryFaultSpec {
  kind: HistoryFaultKind;
  store_id: number;
  value?: number;
  offsetMs: number;
  durationMs: number;
}

/** A fault placed in time: `[fromMs, toMs)` (ms since epoch); samples at t with fromMs ≤ t < toMs are affected. */
export interface HistoryFault {
  kind: HistoryFaultKind;
  store_id: number;
  instance: string;
  value?: number;
  fromMs: number;
  toMs: number;
}

export interface HistoryOptions {
  hours: number;
  stores: number;
  stepMs: number;
  seed?: number;
  regions?: number;
  /** Last sample time (ms); default: now rounded down to the step. */
  endMs?: number;
  faults?: HistoryFaultSpec[];
}

export interface HistorySchedule {
  startMs: number;
  endMs: number;
  stepMs: number;
  seed: number;
  stores: Array<{ store_id: number; instance: string; address: string }>;
  faults: HistoryFault[];
}

export class HistorySpecError extends Error {}

function duration(text: string, what: string): number {
  const ms = parseGoDurationMs(text);
  if (ms === undefined || ms < 0) {
    throw new HistorySpecError(`${what}: ${JSON.stringify(text)} is not a duration like 90s, 30m, 2h`);
  }
  return ms;
}

/**
 * Fault list: items separated by `,` or `;`, each `<kind>:<store_id>[=<value>]@<offset>+<duration>`, e.g.
 * `down:2@2h+30m, latency:3=250@5h+20m, disk:1=85@10h+2h` (latency value = P99 in ms, disk value = used %), or a
 * region fault without a store: `miss-peer=12@3h+20m`, `down-peer=4@6h+15m` (value = regions).
 */
export function parseFaultSpec(text: string): HistoryFaultSpec[] {
  return text
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((item) => {
      const m = /^([\w-]+)(?::(\d+))?(?:=([\d.]+))?@([^+]+)\+(.+)$/.exec(item);
      if (!m) {
        throw new HistorySpecError(
          `fault ${JSON.stringify(item)}: expected <kind>:<store_id>[=<value>]@<offset>+<duration> ` +
            'or <miss-peer|down-peer>=<regions>@<offset>+<duration>'
        );
      }
      const kind = m[1] as HistoryFaultKind;
      if (!HISTORY_FAULT_KINDS.includes(kind)) {
        throw new HistorySpecError(
          `fault ${JSON.stringify(item)}: kind must be one of ${HISTORY_FAULT_KINDS.join(', ')}`
        );
      }
      const value = m[3] === undefined ? undefined : Number(m[3]);
      if (kind !== 'down' && (value === undefined || !(value > 0))) {
        throw new HistorySpecError(
          `fault ${JSON.stringify(item)}: ${kind} needs a positive value (=<ms> or =<percent>)`
        );
      }
      if (kind === 'disk' && value! > 100) {
        throw new HistorySpecError(`fault ${JSON.stringify(item)}: disk used percent must be at most 100`);
      }
      const regional = REGION_FAULT_KINDS.includes(kind);
      if (regional !== (m[2] === undefined)) {
        throw new HistorySpecError(
          `fault ${JSON.stringify(item)}: ${regional ? `${kind} is cluster-level and takes no store id` : `${kind} needs :<store_id>`}`
        );
      }
      if (regional && !Number.isInteger(value)) {
        throw new HistorySpecError(`fault ${JSON.stringify(item)}: ${kind} needs a whole number of regions`);
      }
      return {
        kind,
        store_id: regional ? 0 : Number(m[2]),
        value,
        offsetMs: duration(m[4].trim(), `fault ${item} offset`),
        durationMs: duration(m[5].trim(), `fault ${item} duration`),
      };
    });
}

function validate(o: HistoryOptions): void {
  if (!(o.hours > 0 && o.hours <= 24 * 60)) {
    throw new HistorySpecError(`hours must be > 0 and ≤ 1440, got ${o.hours}`);
  }
  if (!Number.isInteger(o.stores) || o.stores < 1 || o.stores > 1000) {
    throw new HistorySpecError(`stores must be an integer from 1 to 1000, got ${o.stores}`);
  }
  if (!(o.stepMs >= 1000)) {
    throw new HistorySpecError(`step must be at least 1s, got ${o.stepMs} ms`);
  }
  for (const f of o.faults ?? []) {
    if (REGION_FAULT_KINDS.includes(f.kind)) {
      if (f.store_id !== 0 || !(Number.isInteger(f.value) && f.value! > 0)) {
        throw new HistorySpecError(`${f.kind} fault: store_id must be 0 and value a positive whole number of regions`);
      }
    } else if (f.store_id < 1 || f.store_id > o.stores) {
      throw new HistorySpecError(`fault on store ${f.store_id}: stores are 1…${o.stores}`);
    }
  }
}

/** The time range, the stores' instances and the faults placed in time. */
export function historySchedule(o: HistoryOptions): HistorySchedule {
  validate(o);
  const seed = o.seed ?? 1;
  const endMs = o.endMs ?? Math.floor(Date.now() / o.stepMs) * o.stepMs;
  const startMs = endMs - Math.round(o.hours * 3_600_000);
  const cluster = new Cluster({ stores: o.stores, regions: 1, seed }, startMs);
  return {
    startMs,
    endMs,
    stepMs: o.stepMs,
    seed,
    stores: cluster.stores.map((st) => ({ store_id: st.id, instance: st.statusAddress, address: st.address })),
    faults: (o.faults ?? []).map((f) => ({
      kind: f.kind,
      store_id: f.store_id,
      instance: f.store_id === 0 ? HISTORY_PD_INSTANCE : cluster.stores[f.store_id - 1].statusAddress,
      value: f.value,
      fromMs: startMs + f.offsetMs,
      toMs: startMs + f.offsetMs + f.durationMs,
    })),
  };
}

function active(faults: HistoryFault[], kind: HistoryFaultKind, storeId: number, t: number): HistoryFault | undefined {
  return faults.find((f) => f.kind === kind && f.store_id === storeId && f.fromMs <= t && t < f.toMs);
}

function ts(t: number): string {
  return t % 1000 === 0 ? String(t / 1000) : (t / 1000).toFixed(3);
}

/**
 * Writes the history through `write` (called with chunks of text) and returns its schedule. Families: `up` (tikv and
 * pd jobs), `tikv_storage_engine_async_request_duration_seconds` (type write), `tikv_store_size_bytes`,
 * `tikv_raftstore_region_count`, `process_start_time_seconds`, `pd_cluster_status` (store up/disconnected/down
 * counts), `pd_scheduler_store_status` (capacity/available/used), `pd_regions_status` (miss-peer and down-peer
 * region counts: the region faults).
 */
export function writeHistory(o: HistoryOptions, write: (chunk: string) => void): HistorySchedule {
  const schedule = historySchedule(o);
  const { startMs, endMs, stepMs, faults } = schedule;
  const cluster = new Cluster({ stores: o.stores, regions: o.regions ?? 1000, seed: schedule.seed }, startMs);
  const counts = cluster.counts(startMs);
  const pdInstance = HISTORY_PD_INSTANCE;
  const times: number[] = [];
  for (let t = startMs; t <= endMs; t += stepMs) {
    times.push(t);
  }
  let buf: string[] = [];
  const flush = () => {
    if (buf.length > 0) {
      write(`${buf.join('\n')}\n`);
      buf = [];
    }
  };
  const line = (s: string) => {
    buf.push(s);
    if (buf.length >= 5000) {
      flush();
    }
  };
  const tikvLabels = (st: SimStore) => `job="tikv",instance="${st.statusAddress}"`;
  const isDown = (st: SimStore, t: number) => active(faults, 'down', st.id, t) !== undefined;
  const usedRatio = (st: SimStore, t: number) => {
    const f = active(faults, 'disk', st.id, t);
    return f ? f.value! / 100 : st.baseUsedRatio;
  };

  line('# TYPE up gauge');
  for (const t of times) {
    for (const st of cluster.stores) {
      line(`up{${tikvLabels(st)}} ${isDown(st, t) ? 0 : 1} ${ts(t)}`);
    }
    line(`up{job="pd",instance="${pdInstance}"} 1 ${ts(t)}`);
  }

  // Counters accumulate only while the store is up, at its P99 of the step.
  const hist = 'tikv_storage_engine_async_request_duration_seconds';
  line(`# TYPE ${hist} histogram`);
  const acc = cluster.stores.map(() => ({ buckets: new Float64Array(LATENCY_BUCKETS.length + 1), sum: 0 }));
  for (const t of times) {
    for (const st of cluster.stores) {
      if (isDown(st, t)) {
        continue;
      }
      const a = acc[st.index];
      const spike = active(faults, 'latency', st.id, t);
      const shape = latencyShape((spike ? spike.value! : st.baseP99Ms) / 1000);
      const n = t === startMs ? 0 : (st.writeOps * stepMs) / 1000;
      const l = `${tikvLabels(st)},type="write"`;
      for (let k = 0; k < a.buckets.length; k++) {
        a.buckets[k] += n * shape.cumulative[k];
        const le = k < LATENCY_BUCKETS.length ? String(LATENCY_BUCKETS[k]) : '+Inf';
        line(`${hist}_bucket{${l},le="${le}"} ${Math.round(a.buckets[k])} ${ts(t)}`);
      }
      a.sum += n * shape.mean;
      line(`${hist}_count{${l}} ${Math.round(a.buckets[a.buckets.length - 1])} ${ts(t)}`);
      line(`${hist}_sum{${l}} ${a.sum} ${ts(t)}`);
    }
  }

  line('# TYPE tikv_store_size_bytes gauge');
  for (const t of times) {
    for (const st of cluster.stores) {
      if (!isDown(st, t)) {
        const used = Math.round(st.capacity * usedRatio(st, t));
        line(`tikv_store_size_bytes{${tikvLabels(st)},type="available"} ${st.capacity - used} ${ts(t)}`);
        line(`tikv_store_size_bytes{${tikvLabels(st)},type="capacity"} ${st.capacity} ${ts(t)}`);
        line(`tikv_store_size_bytes{${tikvLabels(st)},type="used"} ${used} ${ts(t)}`);
      }
    }
  }

  line('# TYPE tikv_raftstore_region_count gauge');
  for (const t of times) {
    for (const st of cluster.stores) {
      if (!isDown(st, t)) {
        line(`tikv_raftstore_region_count{${tikvLabels(st)},type="leader"} ${counts.leaderCount[st.index]} ${ts(t)}`);
        line(`tikv_raftstore_region_count{${tikvLabels(st)},type="region"} ${counts.regionCount[st.index]} ${ts(t)}`);
      }
    }
  }

  line('# TYPE process_start_time_seconds gauge');
  for (const t of times) {
    for (const st of cluster.stores) {
      if (!isDown(st, t)) {
        line(`process_start_time_seconds{${tikvLabels(st)}} ${st.startTimestamp} ${ts(t)}`);
      }
    }
  }

  // PD's view: heartbeats stop with the store; Disconnected after 20 s, Down after max-store-down-time (30 min).
  const maxDownMs = cluster.maxStoreDownMs();
  line('# TYPE pd_cluster_status gauge');
  for (const t of times) {
    let up = 0;
    let disconnected = 0;
    let down = 0;
    for (const st of cluster.stores) {
      const f = active(faults, 'down', st.id, t);
      const age = f ? t - f.fromMs : 0;
      if (age >= maxDownMs) {
        down++;
      } else if (age > STORE_DISCONNECT_MS) {
        disconnected++;
      } else {
        up++;
      }
    }
    const l = `job="pd",instance="${pdInstance}"`;
    line(`pd_cluster_status{${l},type="store_up_count"} ${up} ${ts(t)}`);
    line(`pd_cluster_status{${l},type="store_disconnected_count"} ${disconnected} ${ts(t)}`);
    line(`pd_cluster_status{${l},type="store_down_count"} ${down} ${ts(t)}`);
  }

  line('# TYPE pd_scheduler_store_status gauge');
  for (const t of times) {
    for (const st of cluster.stores) {
      const used = Math.round(st.capacity * usedRatio(st, t));
      const l = `job="pd",instance="${pdInstance}",address="${st.address}",store="${st.id}"`;
      line(`pd_scheduler_store_status{${l},type="store_available"} ${st.capacity - used} ${ts(t)}`);
      line(`pd_scheduler_store_status{${l},type="store_capacity"} ${st.capacity} ${ts(t)}`);
      line(`pd_scheduler_store_status{${l},type="store_used"} ${used} ${ts(t)}`);
    }
  }

  // PD's region checker counts (hyphenated types, as PD emits them): the region faults, else 0.
  line('# TYPE pd_regions_status gauge');
  for (const t of times) {
    const l = `job="pd",instance="${pdInstance}"`;
    for (const kind of REGION_FAULT_KINDS) {
      const n = faults.filter((f) => f.kind === kind && f.fromMs <= t && t < f.toMs).reduce((a, f) => a + f.value!, 0);
      line(`pd_regions_status{${l},type="${kind}-region-count"} ${n} ${ts(t)}`);
    }
  }
  line('# EOF');
  flush();
  return schedule;
}
