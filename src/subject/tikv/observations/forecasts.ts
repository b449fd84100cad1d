/**
 * get_forecasts: per store, when its disk will reach the low_disk threshold, 80 % and 100 %, and — for a
 * disconnected store — how long before PD marks it Down.
 *
 * Disk: a least-squares line through the window's `tikv_store_size_bytes{type="available"}` samples, computed by
 * Prometheus (`deriv` for the slope, `predict_linear(…, 0)` for the line's value now, so a scrape's lag does not
 * shift the answer); used ratio = 1 − available / capacity. A store gets a finite time once its samples span a
 * minute and the line rises; `null` when it does not rise. The fit's confidence is coverage × R²:
 *   coverage = min(1, (n − 1)·scrape interval / window)  (how much of the window has samples),
 *   R²       = slope² · var(t) / var(available), var(t) = scrape² · (n² − 1) / 12 for n evenly spaced samples,
 * so a fresh minute of a perfectly linear ramp in a 6 h window is a finite time with confidence ≈ 0.003: shown, low.
 *
 * Down: PD declares a store Down once its heartbeat is older than `max-store-down-time` (PD
 * `pkg/core/store.go` IsUnhealthy/DownTime, `/config/schedule`); a Disconnected store's countdown is that minus its
 * heartbeat age by PD's clock (the `Date` header, whole seconds: centred on the half second), 0 when already Down,
 * null for any other state.
 */
import type { PrometheusClient, Sample } from '../../prometheus/client';
import type { StoreInfo } from '../../pd/schema';
import { InstanceDirectory, type InstanceMapping, scopedSelector } from '../instances';
import { formatPromDuration, parsePromDuration, type SelectorFn } from '../promql';
import type { StoreRow } from './stores';

/** Default trend window. */
export const DEFAULT_FORECAST_WINDOW = '6h';
/** The samples must span this long before a time is given. */
export const MIN_FIT_SPAN_MS = 60_000;
/** The levels besides the low_disk threshold. */
export const FORECAST_LEVELS = [0.8, 1] as const;

export interface ForecastRow {
  store_id: number;
  address: string;
  /** Latest used ratio (1 − available / capacity); null without samples. */
  used_ratio: number | null;
  /** Seconds until each level (keyed by `forecastColumn(level)`); null when not rising or without a fit. */
  times: Record<string, number | null>;
  /** 0…1, coverage × R² of the fit; null without a fit. */
  confidence: number | null;
  /** Seconds until PD marks the store Down (Disconnected stores); 0 when Down; null otherwise. */
  down_in_seconds: number | null;
}

export interface ForecastsResult {
  /** Used-ratio levels: the low_disk threshold, then 80 % and 100 %. */
  levels: number[];
  /** Column name of each level, same order (`time_to_70_seconds`, …). */
  columns: string[];
  window: string;
  rows: ForecastRow[];
  /** Prometheus' evaluation time of the fit, epoch ms. */
  at: number | null;
  pd_now: number;
  warnings: string[];
}

/** `time_to_70_seconds` for 0.7; `time_to_72_5_seconds` for 0.725 (names follow the configured threshold). */
export function forecastColumn(level: number): string {
  const pct = String(Number((level * 100).toFixed(1))).replace('.', '_');
  return `time_to_${pct}_seconds`;
}

/** The low_disk threshold first (its column leads the table), then 80 % and 100 % unless it is one of them. */
export function forecastLevels(lowDiskRatio: number): number[] {
  return [lowDiskRatio, ...FORECAST_LEVELS.filter((l) => l !== lowDiskRatio)];
}

export interface Fit {
  /** Used ratio per second. */
  slope: number;
  /** The line's used ratio at the evaluation time. */
  usedNow: number;
  samples: number;
  /** Population variance of the available bytes. */
  varAvailable: number;
  capacity: number;
}

/** Seconds until the line reaches `level`: 0 when already there, null when it does not rise. */
export function timeToLevel(fit: Fit, level: number): number | null {
  if (fit.usedNow >= level) {
    return 0;
  }
  if (!(fit.slope > 0)) {
    return null;
  }
  return (level - fit.usedNow) / fit.slope;
}

/** coverage × R² (module comment); a flat line (no variance) fits perfectly. */
export function fitConfidence(fit: Fit, scrapeIntervalMs: number, windowMs: number): number {
  const d = scrapeIntervalMs / 1000;
  const coverage = Math.min(1, Math.max(0, ((fit.samples - 1) * scrapeIntervalMs) / windowMs));
  if (!(fit.varAvailable > 0)) {
    return coverage;
  }
  const varT = (d * d * (fit.samples * fit.samples - 1)) / 12;
  const slopeBytes = fit.slope * fit.capacity;
  const r2 = Math.min(1, Math.max(0, (slopeBytes * slopeBytes * varT) / fit.varAvailable));
  return coverage * r2;
}

/**
 * PD's `Date` header has whole seconds, so a heartbeat age measured on it reads 0–1 s short; the countdown is
 * centred on the half second (±0.5 s instead of 0…1 s late).
 */
export const PD_DATE_HALF_SECOND = 0.5;

/** Down countdown of one store row; `dateCorrection` is PD_DATE_HALF_SECOND when the ages are on PD's clock. */
export function downInSeconds(
  row: Pick<StoreRow, 'state_name' | 'heartbeat_age_seconds'>,
  maxStoreDownSeconds: number,
  dateCorrection = 0
): number | null {
  if (row.state_name === 'Down') {
    return 0;
  }
  if (row.state_name !== 'Disconnected' || row.heartbeat_age_seconds === null) {
    return null;
  }
  return Math.max(0, maxStoreDownSeconds - row.heartbeat_age_seconds - dateCorrection);
}

export function forecastExprs(
  sel: SelectorFn,
  window: string
): Record<'used' | 'deriv' | 'line' | 'count' | 'stdvar' | 'capacity', string> {
  const avail = sel('tikv_store_size_bytes', [{ name: 'type', op: '=', value: 'available' }], 'tikv');
  const cap = `sum by (instance) (${sel('tikv_store_size_bytes', [{ name: 'type', op: '=', value: 'capacity' }], 'tikv')})`;
  return {
    used: `1 - sum by (instance) (${avail}) / ${cap}`,
    deriv: `sum by (instance) (deriv(${avail}[${window}]))`,
    line: `sum by (instance) (predict_linear(${avail}[${window}], 0))`,
    count: `max by (instance) (count_over_time(${avail}[${window}]))`,
    stdvar: `sum by (instance) (stdvar_over_time(${avail}[${window}]))`,
    capacity: cap,
  };
}

export interface ForecastRequest {
  prometheus: PrometheusClient;
  /** Every store PD knows (for joining instances) and the ones to answer for. */
  allStores: StoreInfo[];
  targets: StoreRow[];
  filtered: boolean;
  mapping: InstanceMapping;
  window: string;
  scrapeIntervalMs: number;
  lowDiskRatio: number;
  maxStoreDownSeconds: number;
  pdNow: number;
  /** Whether the heartbeat ages were measured on PD's clock (its whole-second `Date` header) or the local one. */
  clock: 'pd' | 'local';
  signal?: AbortSignal;
}

export async function forecasts(req: ForecastRequest): Promise<ForecastsResult> {
  const windowMs = parsePromDuration(req.window, 'window');
  const window = formatPromDuration(windowMs);
  const { prometheus, mapping, signal } = req;
  const directory = new InstanceDirectory(req.allStores, mapping);
  const only = req.targets.map((r) => ({
    store: { id: r.store_id, address: r.address, status_address: r.status_address },
  }));
  const exprs = forecastExprs(scopedSelector(prometheus, req.filtered ? only : undefined, mapping), window);
  const keys = Object.keys(exprs) as Array<keyof typeof exprs>;
  // One evaluation time for all six queries, so the line, slope and counts describe the same window.
  const at = Date.now();
  const answers = await Promise.all(keys.map((k) => prometheus.query(exprs[k], at, signal)));
  const warnings = [...new Set(answers.flatMap((a) => a.warnings))];
  const byStore = new Map<number, Partial<Record<keyof typeof exprs, number>>>();
  let evalAt: number | null = null;
  keys.forEach((k, i) => {
    for (const s of answers[i].samples as Sample[]) {
      const store = directory.byInstance(s.labels.instance ?? '');
      if (!store || !Number.isFinite(s.v)) {
        continue;
      }
      evalAt = s.t;
      const entry = byStore.get(store.store_id) ?? {};
      entry[k] = s.v;
      byStore.set(store.store_id, entry);
    }
  });

  const levels = forecastLevels(req.lowDiskRatio);
  const columns = levels.map(forecastColumn);
  const rows = req.targets.map((row): ForecastRow => {
    const m = byStore.get(row.store_id) ?? {};
    const times: Record<string, number | null> = Object.fromEntries(columns.map((c) => [c, null]));
    let confidence: number | null = null;
    const { deriv, line, count, stdvar, capacity } = m;
    if (
      deriv !== undefined &&
      line !== undefined &&
      count !== undefined &&
      capacity !== undefined &&
      capacity > 0 &&
      (count - 1) * req.scrapeIntervalMs >= MIN_FIT_SPAN_MS
    ) {
      const fit: Fit = {
        slope: -deriv / capacity,
        usedNow: 1 - line / capacity,
        samples: count,
        varAvailable: stdvar ?? 0,
        capacity,
      };
      levels.forEach((level, i) => {
        times[columns[i]] = timeToLevel(fit, level);
      });
      confidence = fitConfidence(fit, req.scrapeIntervalMs, windowMs);
    }
    return {
      store_id: row.store_id,
      address: row.address,
      used_ratio: m.used ?? null,
      times,
      confidence,
      down_in_seconds: downInSeconds(row, req.maxStoreDownSeconds, req.clock === 'pd' ? PD_DATE_HALF_SECOND : 0),
    };
  });
  return { levels, columns, window, rows, at: evalAt, pd_now: req.pdNow, warnings };
}
