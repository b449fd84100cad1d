/**
 * PD's text encodings of numbers, sizes, durations and times, and JSON text with uint64 values that JavaScript
 * numbers cannot hold.
 */
import { parseGoDuration } from '../subject/pd/parse';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Go's `%.4g` for 0 ≤ v < 10000 (what go-units prints after scaling): 4 significant digits, no trailing zeros. */
function formatG4(v: number): string {
  if (v === 0) {
    return '0';
  }
  // toPrecision(4) gives exponent notation only for v ≥ 1e4 or tiny values, which scaling rules out above 1.
  const s = v.toPrecision(4);
  if (s.includes('e')) {
    return String(Number(s));
  }
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** docker/go-units `BytesSize` (v0.4.0, used by PD's `typeutil.ByteSize`): divide by 1024, `%.4g%s`. */
export function bytesSize(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${formatG4(v)}${BYTE_UNITS[i]}`;
}

/** Go `time.Duration.String()` for a duration in nanoseconds (bigint so sub-ms parts survive). */
export function goDuration(ns: bigint): string {
  if (ns === BigInt(0)) {
    return '0s';
  }
  const neg = ns < BigInt(0);
  let u = neg ? -ns : ns;
  let out: string;
  if (u < BigInt(1000000000)) {
    // Go prints sub-second durations with the largest fitting unit: ns, µs, ms.
    const units: Array<[bigint, string]> = [
      [BigInt(1000000), 'ms'],
      [BigInt(1000), 'µs'],
      [BigInt(1), 'ns'],
    ];
    const [div, name] = units.find(([d]) => u >= d) ?? [BigInt(1), 'ns'];
    out = `${fraction(u, div)}${name}`;
  } else {
    const h = u / BigInt(3600000000000);
    u -= h * BigInt(3600000000000);
    const m = u / BigInt(60000000000);
    u -= m * BigInt(60000000000);
    out = `${fraction(u, BigInt(1000000000))}s`;
    if (h > BigInt(0) || m > BigInt(0)) {
      out = `${m}m${out}`;
    }
    if (h > BigInt(0)) {
      out = `${h}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

function fraction(v: bigint, div: bigint): string {
  const whole = v / div;
  const rest = v % div;
  if (rest === BigInt(0)) {
    return String(whole);
  }
  const digits = String(div).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Go `time.ParseDuration` → milliseconds; undefined when the text is not a Go duration (PD's parser, reused). */
export function parseGoDurationMs(text: string): number | undefined {
  try {
    return parseGoDuration(text) * 1000;
  } catch {
    return undefined;
  }
}

/** Go `time.Time` RFC3339Nano in UTC: nanoseconds with trailing zeros trimmed. */
export function rfc3339Nano(ns: bigint): string {
  const ms = Number(ns / BigInt(1000000));
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = String(ns % BigInt(1000000000))
    .padStart(9, '0')
    .replace(/0+$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

const BIG_MARK = '\u0000big:';

/** Marks a uint64 so `pdJson` writes its digits unquoted (JSON.stringify cannot write a bigint). */
export function big(v: bigint | number | string): string {
  return `${BIG_MARK}${BigInt(v)}`;
}

/** PD's JSON text (2-space indent, like PD's `IndentJSON` renderer), with `big(...)` markers written as raw numbers. */
export function pdJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  return text.includes('\\u0000big:') ? text.replace(/"\\u0000big:(\d+)"/g, '$1') : text;
}
