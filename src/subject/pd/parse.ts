/**
 * Parsers for the value formats PD writes into its JSON (pd-tikv.md §1.0, §1.2; the simulator's `format.ts` writes
 * them): docker/go-units ByteSize strings, Go `time.Duration` strings, RFC3339 times with
 * nanoseconds, and uint64 numbers beyond 2^53.
 */

/** go-units `binaryAbbrs` (docker/go-units v0.4.0 size.go): each unit is 1024 times the previous one. */
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] as const;
export const BYTE_SIZE = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?) ?(B|KiB|MiB|GiB|TiB|PiB|EiB|ZiB|YiB)$/;

/** A unit's first letter (the `G` of `GiB`) → bytes per unit. */
const BYTES_PER_LETTER: Record<string, number> = Object.fromEntries(
  BYTE_UNITS.slice(1).map((u, i) => [u[0], 1024 ** (i + 1)])
);

/**
 * `"1.819TiB"` → bytes, for text BYTE_SIZE already matched (the PD schemas check it, with ajv or zod, before
 * normalizing). PD writes go-units `BytesSize` (4 significant digits), so the result is within ~0.05%. parseFloat
 * stops at the unit, which is read off its first letter. No second regex: that halves the cost of
 * PD's `/stores` sizes (3,000 at 1,000 stores; npm run bench, scenario a).
 */
export function checkedByteSize(s: string): number {
  return s.charCodeAt(s.length - 2) === 0x69 /* the i of KiB */
    ? parseFloat(s) * BYTES_PER_LETTER[s[s.length - 3]]
    : parseFloat(s);
}

/** Go `time.ParseDuration` units, in seconds. */
const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6, // U+00B5, what Duration.String() writes
  μs: 1e-6, // U+03BC, also accepted by Go
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};
/** Go `time.ParseDuration` syntax; a bare `0` is the one number without a unit it takes. */
export const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** What Go's `Duration.String()` writes for 1 s and more (`"174h15m49.812345678s"`, `"30m0s"`): one regex, no loop. */
const HOURS_MINUTES_SECONDS = /^(?:(\d+)h)?(?:(\d+)m)?(\d+(?:\.\d+)?)s$/;

/** `"174h15m49.812345678s"`, `"30m0s"`, `"10ms"`, `"0s"` → seconds (Go `time.ParseDuration` syntax). */
export function parseGoDuration(s: string): number {
  const hms = HOURS_MINUTES_SECONDS.exec(s);
  if (hms) {
    return (hms[1] ? Number(hms[1]) * 3600 : 0) + (hms[2] ? Number(hms[2]) * 60 : 0) + parseFloat(hms[3]);
  }
  if (!GO_DURATION.test(s)) {
    throw new Error(`not a Go duration (e.g. "30m0s"): ${JSON.stringify(s.slice(0, 40))}`);
  }
  let total = 0;
  for (const m of s.matchAll(DURATION_PART)) {
    total += parseFloat(m[1]) * DURATION_UNITS[m[2]];
  }
  return s.startsWith('-') && total !== 0 ? -total : total;
}

/** Go `time.Time` JSON: RFC3339 with up to 9 fractional digits and a zone. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * An integer literal of 16 or more digits in number position (after `:`, `[` or `,`, before `,`, `]` or `}`).
 * 2^53 has 16 digits, so every unsafe integer is one of these; the callback keeps the safe ones as they are.
 */
const LONG_INTEGER = /([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g;

/**
 * JSON.parse that keeps integers beyond 2^53 exact: they become their exact decimal strings (PD's `cluster_id`,
 * `member_id`; the schemas keep them as strings), every other number stays a JS number. Quoting before JSON.parse
 * is ~5× faster than a lossless parser; the PD client still uses it only for the answers that carry such ids. A
 * long digit run inside a string that happens to sit between `:`/`,` and `,`/`}` would be quoted too and make the
 * text invalid: a loud error, never a silent change. Throws on malformed or truncated text with JSON.parse's
 * position.
 */
export function parseJsonBig(text: string): unknown {
  return JSON.parse(
    text.replace(LONG_INTEGER, (m, pre: string, digits: string) =>
      Number.isSafeInteger(Number(digits)) ? m : `${pre}"${digits}"`
    )
  );
}
