/**
 * The PromQL test notation (promql/promqltest `load`), for engine timelines: space-separated values at a fixed
 * step from epoch 0. `90` a value, `_` a missing sample, `NaN`/`Inf`/`-Inf`, `axN` = a repeated N more times
 * (N+1 values), `a+bxN` / `a-bxN` = a growing/shrinking by b N times, `_xN` = N missing samples.
 */
export type Point = [t: number, v: number | undefined];

export function series(text: string, stepMs: number): Point[] {
  const values: Array<number | undefined> = [];
  for (const token of text.trim().split(/\s+/)) {
    const missing = /^_(?:x(\d+))?$/.exec(token);
    if (missing) {
      values.push(...Array<undefined>(missing[1] ? Number(missing[1]) : 1).fill(undefined));
      continue;
    }
    const m = /^([^x+]+?)(?:([+-])([\d.]+))?x(\d+)$/.exec(token);
    if (m) {
      const [start, sign, delta, n] = [num(m[1]), m[2], m[3] ? Number(m[3]) : 0, Number(m[4])];
      for (let i = 0; i <= n; i++) {
        values.push(start + (sign === '-' ? -1 : 1) * delta * i);
      }
      continue;
    }
    values.push(num(token));
  }
  return values.map((v, i) => [i * stepMs, v]);
}

function num(token: string): number {
  const v = token === 'Inf' ? Infinity : token === '-Inf' ? -Infinity : Number(token);
  if (Number.isNaN(v) && token !== 'NaN') {
    throw new Error(`not a value in series notation: ${token}`);
  }
  return v;
}
