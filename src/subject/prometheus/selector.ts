/**
 * Label matchers as data, rendered into PromQL only here: names are checked against Prometheus' label-name grammar
 * and values are written as escaped double-quoted strings, so no value (a store filter, an address, an environment
 * variable) can close the string and inject PromQL.
 */
import { BadQueryError, ConfigError } from '../../shared/errors';
import { ENV } from '../../shared/names';

export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** Prometheus `model.LabelNameRE` (legacy validation, what every PromQL parser accepts unquoted). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Prometheus `model.MetricNameRE`. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A PromQL double-quoted string literal (Go `strconv.Quote` rules for the characters that matter). */
export function quote(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!)}"`;
}

export function renderMatcher(m: LabelMatcher): string {
  if (!LABEL_NAME.test(m.name)) {
    throw new BadQueryError(`invalid label name ${JSON.stringify(m.name)}`, 'matcher');
  }
  if (!(MATCH_OPS as readonly string[]).includes(m.op)) {
    throw new BadQueryError(`invalid matcher operator ${JSON.stringify(m.op)}`, 'matcher');
  }
  return `${m.name}${m.op}${quote(m.value)}`;
}

/**
 * `metric{a="b",c=~"d"}`. Every matcher applies (PromQL ANDs matchers on the same label): a PROMETHEUS_SELECTOR
 * matcher on `job` or `instance` narrows ours rather than being replaced by it. Exact repeats are written once.
 */
export function renderSelector(metric: string, matchers: LabelMatcher[] = []): string {
  if (!METRIC_NAME.test(metric)) {
    throw new BadQueryError(`invalid metric name ${JSON.stringify(metric)}`, 'metric');
  }
  const unique = new Set(matchers.map(renderMatcher));
  return `${metric}{${[...unique].join(',')}}`;
}

/**
 * Parses `PROMETHEUS_SELECTOR`: comma-separated matchers such as `cluster="prod",env=~"a|b"`, optionally in braces.
 * Values are PromQL strings in double or single quotes (with backslash escapes) or backticks (raw).
 * Throws ConfigError naming the variable and the position of the problem.
 */
export function parseSelector(text: string, variable: string = ENV.PROMETHEUS_SELECTOR): LabelMatcher[] {
  const fail = (pos: number, what: string): never => {
    throw new ConfigError(
      variable,
      `${what} at position ${pos + 1} of ${JSON.stringify(text)} (expected e.g. cluster="prod",env=~"a|b")`
    );
  };
  let s = text.trim();
  let offset = text.indexOf(s);
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) {
      fail(offset + s.length - 1, 'missing closing brace');
    }
    s = s.slice(1, -1);
    offset += 1;
  }
  const out: LabelMatcher[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i])) {
      i++;
    }
  };
  skipSpace();
  while (i < s.length) {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i))?.[0];
    if (!name) {
      fail(offset + i, 'a label name was expected');
    }
    i += name!.length;
    skipSpace();
    const op = (['=~', '!~', '!=', '='] as const).find((o) => s.startsWith(o, i));
    if (!op) {
      fail(offset + i, `an operator (=, !=, =~, !~) was expected after ${name}`);
    }
    i += op!.length;
    skipSpace();
    const q = s[i];
    if (q !== '"' && q !== "'" && q !== '`') {
      fail(offset + i, `a quoted value was expected after ${name}${op}`);
    }
    let value = '';
    let j = i + 1;
    for (;;) {
      if (j >= s.length) {
        fail(offset + i, 'unterminated string');
      }
      const c = s[j];
      if (c === q) {
        break;
      }
      if (c === '\\' && q !== '`') {
        const e = s[j + 1];
        const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
        if (e === undefined || !(e in escapes)) {
          fail(offset + j, 'unsupported escape sequence');
        }
        value += escapes[e];
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    i = j + 1;
    if (op === '=~' || op === '!~') {
      checkRegex(value, () => fail(offset + i - 1, `invalid regular expression ${JSON.stringify(value)}`));
    }
    out.push({ name: name!, op: op!, value });
    skipSpace();
    if (i < s.length) {
      if (s[i] !== ',') {
        fail(offset + i, 'a comma was expected between matchers');
      }
      i++;
      skipSpace();
      if (i >= s.length) {
        fail(offset + i - 1, 'trailing comma');
      }
    }
  }
  return out;
}

/**
 * Catches what is broken in any regex dialect (unbalanced parentheses or brackets). Prometheus uses RE2, whose
 * inline flags such as `(?i)` JavaScript lacks, so those are stripped before the check rather than rejected.
 */
function checkRegex(value: string, onError: () => void): void {
  try {
    new RegExp(value.replace(/^\(\?[imsU]+\)/, ''));
  } catch {
    onError();
  }
}
