import { ConfigError } from '../../../src/shared/errors';
import { parseSelector, renderSelector } from '../../../src/subject/prometheus/selector';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { instanceMatcher } from '../../../src/subject/tikv/instances';

describe('PROMETHEUS_SELECTOR parsing', () => {
  it('reads comma-separated matchers with every operator, with or without braces', () => {
    expect(parseSelector('cluster="prod", env=~"a|b",zone!="z9" , team!~`x.*`')).toEqual([
      { name: 'cluster', op: '=', value: 'prod' },
      { name: 'env', op: '=~', value: 'a|b' },
      { name: 'zone', op: '!=', value: 'z9' },
      { name: 'team', op: '!~', value: 'x.*' },
    ]);
    expect(parseSelector('{cluster="prod"}')).toEqual([{ name: 'cluster', op: '=', value: 'prod' }]);
    expect(parseSelector("k8s_cluster='a\\'b'")).toEqual([{ name: 'k8s_cluster', op: '=', value: "a'b" }]);
    expect(parseSelector('   ')).toEqual([]);
  });

  it.each([
    ['cluster=prod', 'a quoted value was expected'],
    ['cluster="prod', 'unterminated string'],
    ['cluster="a" env="b"', 'a comma was expected'],
    ['cluster="a",', 'trailing comma'],
    ['9lives="x"', 'a label name was expected'],
    ['cluster=="x"', 'a quoted value was expected'],
    ['cluster<"x"', 'an operator'],
    ['env=~"(unclosed"', 'invalid regular expression'],
    ['{cluster="a"', 'missing closing brace'],
    ['cluster="a\\q"', 'unsupported escape'],
  ])('rejects %s with a message naming PROMETHEUS_SELECTOR', (text, problem) => {
    let err: unknown;
    try {
      parseSelector(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('PROMETHEUS_SELECTOR');
    expect((err as Error).message).toContain('PROMETHEUS_SELECTOR: ');
    expect((err as Error).message).toContain(problem);
  });
});

describe('rendering selectors', () => {
  it('escapes quotes, backslashes and newlines so a value cannot close the string', () => {
    const evil = '"} or vector(1) or up{a="';
    const text = renderSelector('up', [{ name: 'instance', op: '=', value: evil }]);
    expect(text).toBe('up{instance="\\"} or vector(1) or up{a=\\""}');
    // Parsing the rendered matcher back gives exactly the original value: the structure did not change.
    expect(parseSelector(text.slice(2))).toEqual([{ name: 'instance', op: '=', value: evil }]);
    expect(renderSelector('up', [{ name: 'a', op: '=', value: 'x\\"\ny' }])).toBe('up{a="x\\\\\\"\\ny"}');
  });

  it('refuses label and metric names outside the PromQL grammar', () => {
    expect(() => renderSelector('up', [{ name: 'a"}or{', op: '=', value: 'x' }])).toThrow(/invalid label name/);
    expect(() => renderSelector('up or vector(1)', [])).toThrow(/invalid metric name/);
  });

  it('turns store addresses into a literal instance regex', () => {
    const stores = [
      { store: { id: 1, address: '10.0.1.21:20160', status_address: '10.0.1.21:20180' } },
      { store: { id: 4, address: 'a|b:20160', status_address: 'a|b.*:20180' } },
    ];
    const m = instanceMatcher(stores, 'status_address');
    expect(m.value).toBe('10\\.0\\.1\\.21:20180|a\\|b\\.\\*:20180');
    const re = new RegExp(`^(?:${m.value})$`);
    expect(re.test('10.0.1.21:20180')).toBe(true);
    expect(re.test('10x0.1.21:20180')).toBe(false);
    expect(re.test('a|b.*:20180')).toBe(true);
    expect(re.test('a')).toBe(false);
    expect(instanceMatcher([], 'status_address').value).toBe('$.^');
  });
});

describe("PROMETHEUS_SELECTOR and the backend's own matchers", () => {
  it('are ANDed: a selector matcher on job or instance narrows ours instead of being replaced', () => {
    const client = new PrometheusClient({
      url: 'http://127.0.0.1:9',
      selector: parseSelector('cluster="prod",job="tikv-canary",instance=~"10\\\\.0\\\\.1\\\\..*"'),
      jobs: { tikv: 'tikv', pd: 'pd' },
    });
    const instance = { name: 'instance', op: '=~' as const, value: '10.0.1.21:20180|10.0.9.1:20180' };
    expect(client.selector('up', [instance], 'tikv')).toBe(
      'up{cluster="prod",job="tikv-canary",instance=~"10\\\\.0\\\\.1\\\\..*",job="tikv",instance=~"10.0.1.21:20180|10.0.9.1:20180"}'
    );
    void client.close();
  });

  it('writes an exact repeat once', () => {
    const job = { name: 'job', op: '=' as const, value: 'tikv' };
    expect(renderSelector('up', [job, job])).toBe('up{job="tikv"}');
  });
});
