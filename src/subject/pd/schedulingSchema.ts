/**
 * PD's scheduling answers: running operators and paused schedulers (schema.ts holds the rest of PD's shapes).
 *
 * `GET /operators` answers one `Operator.String()` per running operator (`pkg/schedule/operator/operator.go`):
 *   `admin-transfer-leader {transfer leader: store 1 to 4} (kind:admin,leader, region:1009(5, 3),
 *    createAt:2026-08-21 07:57:58.4002 +0000 UTC m=+91268.7, startAt:…, currentStep:0, size:96,
 *    steps:[0:{transfer leader from store 1 to store 4}], timeout:[10s])` (+ ` finished` / ` timeout`).
 * Its `?object` form (`OpObject`) has no steps nor times, so the text is parsed; the status is derived as
 * `ToJSONObject` does: finished → SUCCESS, timeout → TIMEOUT, not started → CREATED, else STARTED.
 */
import { z } from 'zod';

/** PD `OpStatus` names (`pkg/schedule/operator/status.go`) an operator in `/operators` can have. */
export const OPERATOR_STATUSES = ['CREATED', 'STARTED', 'SUCCESS', 'TIMEOUT'] as const;
export type OperatorStatus = (typeof OPERATOR_STATUSES)[number];

export interface Operator {
  region_id: number;
  /** Who made it (`admin-transfer-leader`, `balance-leader`, `replace-offline-replica`, …). */
  desc: string;
  /** What it does (`transfer leader: store 1 to 4`). */
  brief: string;
  /** `OpKind.String()` names (`admin`, `leader`, `region`, `replica`, `split`, …). */
  kind: string[];
  region_version: number;
  region_conf_ver: number;
  /** Epoch ms; null when PD printed its zero time. */
  create_time: number | null;
  start_time: number | null;
  current_step: number;
  /** Approximate region size, MiB. */
  size_mib: number;
  steps: string[];
  /** Go duration text (`10s`), '' on versions that did not print it. */
  timeout: string;
  status: OperatorStatus;
}

/** Go `time.Time.String()` (`2026-08-21 07:57:58.4002 +0000 UTC m=+91268.7`) → epoch ms; PD's zero time → null. */
export function parseGoTime(text: string): number | null {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))? ([+-])(\d\d)(\d\d)\b/.exec(text.trim());
  if (!m) {
    return null;
  }
  if (m[1].startsWith('0001-01-01')) {
    return null;
  }
  const ms = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  const t = Date.parse(`${m[1]}T${m[2]}.${ms}${m[4]}${m[5]}:${m[6]}`);
  return Number.isFinite(t) ? t : null;
}

// `kind:` holds commas (`admin,leader`), so each part is matched up to the next known label. v6.5 writes a
// full-width comma before `timeout`.
const OPERATOR_TEXT =
  /^(.*?) \{(.*)\} \(kind:(.*?), region:(\d+)\((\d+), ?(\d+)\), createAt:(.*?), startAt:(.*?), currentStep:(\d+)(?:, size:(\d+))?, steps:\[(.*?)\](?:[,，] ?timeout:\[([^\]]*)\])?\)((?: finished| timeout)*)$/s;

/** One `Operator.String()` → its fields; undefined when the text is not in PD's format. */
export function parseOperatorText(text: string): Operator | undefined {
  const m = OPERATOR_TEXT.exec(text);
  if (!m) {
    return undefined;
  }
  const stepsText = m[11];
  let steps: string[];
  if (stepsText === '') {
    steps = [];
  } else if (/^\d+:\{/.test(stepsText)) {
    steps = [...stepsText.matchAll(/\d+:\{(.*?)\}(?=, \d+:\{|$)/g)].map((s) => s[1]);
  } else {
    steps = stepsText.split(', ');
  }
  const start = parseGoTime(m[8]);
  const suffix = m[13];
  const status: OperatorStatus = suffix.includes('finished')
    ? 'SUCCESS'
    : suffix.includes('timeout')
      ? 'TIMEOUT'
      : start === null
        ? 'CREATED'
        : 'STARTED';
  return {
    region_id: Number(m[4]),
    desc: m[1],
    brief: m[2],
    kind: m[3] === 'unknown' ? [] : m[3].split(','),
    region_version: Number(m[5]),
    region_conf_ver: Number(m[6]),
    create_time: parseGoTime(m[7]),
    start_time: start,
    current_step: Number(m[9]),
    size_mib: m[10] === undefined ? 0 : Number(m[10]),
    steps,
    timeout: m[12] ?? '',
    status,
  };
}

/** `GET /operators`: a JSON array of `Operator.String()` (null when none); each parsed, a foreign text refused. */
export const OperatorTexts = z
  .array(z.string())
  .nullish()
  .transform((v, ctx) => {
    const out: Operator[] = [];
    for (const [i, text] of (v ?? []).entries()) {
      const op = parseOperatorText(text);
      if (!op) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `not a PD operator text: ${JSON.stringify(text.slice(0, 80))}`,
        });
        return z.NEVER;
      }
      out.push(op);
    }
    return out;
  });

/**
 * `GET /schedulers?status=paused&timestamp`: `[{name, paused_at, resume_at}]` (RFC3339, handler.go
 * `schedulerPausedPeriod`); a PD that ignores `timestamp` answers the names only.
 */
export const PausedSchedulers = z
  .array(
    z.union([
      z.string().transform((name) => ({ name, paused_at: null, resume_at: null })),
      z.object({ name: z.string(), paused_at: z.string(), resume_at: z.string() }).transform((p) => ({
        name: p.name,
        paused_at: rfc3339Ms(p.paused_at),
        resume_at: rfc3339Ms(p.resume_at),
      })),
    ])
  )
  .nullish()
  .transform((v) => v ?? []);
export type PausedScheduler = z.output<typeof PausedSchedulers>[number];

function rfc3339Ms(text: string): number | null {
  const t = Date.parse(text);
  // Go's zero time (`0001-01-01T00:00:00Z`) means "not set".
  return Number.isFinite(t) && t > 0 ? t : null;
}

