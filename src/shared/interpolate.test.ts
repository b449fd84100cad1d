import { applyTemplateVariables, parseStoreFilter, toWireQuery } from './interpolate';

/** A stand-in for Grafana's templateSrv.replace(text, scopedVars, 'csv') with a fixed set of variables. */
function replaceWith(vars: Record<string, string>) {
  return (text: string) =>
    text.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced, bare) => vars[braced ?? bare] ?? whole);
}
const noVars = replaceWith({});

describe('toWireQuery', () => {
  it('turns a literal store list into store ids', () => {
    const r = toWireQuery({ refId: 'A', kind: 'observation', observation: 'get_stores', stores: '1, 4' }, noVars);
    expect(r).toEqual({ query: { refId: 'A', kind: 'observation', observation: 'get_stores', storeIds: [1, 4] } });
  });

  it('passes the forecast window with its template variable expanded, and drops an empty one', () => {
    const saved = { refId: 'F', kind: 'observation' as const, observation: 'get_forecasts' as const, window: '$win' };
    expect(toWireQuery(saved, replaceWith({ win: '12h' }))).toEqual({
      query: { refId: 'F', kind: 'observation', observation: 'get_forecasts', window: '12h' },
    });
    expect(toWireQuery({ ...saved, window: ' ' }, noVars)).toEqual({
      query: { refId: 'F', kind: 'observation', observation: 'get_forecasts' },
    });
  });

  it('expands a multi-value variable given in csv', () => {
    const r = toWireQuery(
      { refId: 'A', kind: 'invariant', invariants: ['low_disk'], stores: '$store' },
      replaceWith({ store: '1,2,5' })
    );
    expect(r).toEqual({
      query: { refId: 'A', kind: 'invariant', invariants: ['low_disk'], format: 'violations', storeIds: [1, 2, 5] },
    });
  });

  it('accepts the braced form with a format and the pipe and glob joins', () => {
    expect(toWireQuery({ refId: 'A', kind: 'invariant', stores: '${store:csv}' }, replaceWith({ store: '3' }))).toEqual(
      { query: expect.objectContaining({ storeIds: [3] }) }
    );
    expect(parseStoreFilter('1|2')).toEqual({ storeIds: [1, 2] });
    expect(parseStoreFilter('{1,2}')).toEqual({ storeIds: [1, 2] });
    expect(parseStoreFilter('(1|2)')).toEqual({ storeIds: [1, 2] });
  });

  it.each(['All', '$__all', '.*', '', '   '])('means every store for the All selection %p', (value) => {
    const r = toWireQuery(
      { refId: 'A', kind: 'observation', observation: 'get_stores', stores: '$store' },
      replaceWith({ store: value })
    );
    expect(r).toEqual({ query: { refId: 'A', kind: 'observation', observation: 'get_stores' } });
  });

  it('drops duplicate ids', () => {
    expect(parseStoreFilter('4,4,1')).toEqual({ storeIds: [4, 1] });
  });

  it('names the stores field when an id is not a number', () => {
    const r = toWireQuery({ refId: 'A', kind: 'observation', observation: 'get_stores', stores: 'tikv-1' }, noVars);
    expect(r).toEqual({ field: 'stores', error: expect.stringContaining('"tikv-1" is not a store id') });
  });

  it('rejects zero, negative and fractional ids', () => {
    for (const bad of ['0', '-1', '1.5', '99999999999999999999']) {
      expect(parseStoreFilter(bad)).toEqual({ error: expect.stringContaining('is not a store id') });
    }
  });

  it('names a variable the dashboard does not define', () => {
    const r = toWireQuery({ refId: 'A', kind: 'invariant', stores: '$nosuch' }, noVars);
    expect(r).toEqual({ field: 'stores', error: 'stores: unknown template variable $nosuch' });
  });

  it('asks for an observation when none is picked', () => {
    expect(toWireQuery({ refId: 'A', kind: 'observation' }, noVars)).toEqual({
      field: 'observation',
      error: 'observation: pick an observation',
    });
  });

  it('rejects a query without a kind', () => {
    const saved = { refId: 'A' } as unknown as Parameters<typeof toWireQuery>[0];
    expect(toWireQuery(saved, noVars)).toEqual(expect.objectContaining({ field: 'kind' }));
  });

  it('names the override field that is out of range', () => {
    const r = toWireQuery({ refId: 'A', kind: 'invariant', overrides: { low_disk: { thresholdRatio: 1.5 } } }, noVars);
    expect(r).toEqual({
      field: 'overrides.low_disk.thresholdRatio',
      error: expect.stringMatching(/^overrides\.low_disk/),
    });
  });

  it('keeps overrides, format and invariants of an invariant query and drops observation fields', () => {
    const r = toWireQuery(
      {
        refId: 'B',
        kind: 'invariant',
        observation: 'get_stores',
        limit: 5,
        invariants: ['high_latency'],
        format: 'timeline',
        overrides: { high_latency: { thresholdMs: 250, graceSeconds: 30 } },
      },
      noVars
    );
    expect(r).toEqual({
      query: {
        refId: 'B',
        kind: 'invariant',
        invariants: ['high_latency'],
        format: 'timeline',
        overrides: { high_latency: { thresholdMs: 250, graceSeconds: 30 } },
      },
    });
  });

  it('keeps the row limit of an observation and rejects one out of range', () => {
    expect(
      toWireQuery({ refId: 'A', kind: 'observation', observation: 'get_hot_write_regions', limit: 5 }, noVars)
    ).toEqual({
      query: { refId: 'A', kind: 'observation', observation: 'get_hot_write_regions', limit: 5 },
    });
    expect(
      toWireQuery({ refId: 'A', kind: 'observation', observation: 'get_hot_write_regions', limit: 0 }, noVars)
    ).toEqual(expect.objectContaining({ field: 'limit' }));
  });

  it('keeps the format, action and outcome filters and limit of an audit query and ignores a store filter', () => {
    const r = toWireQuery(
      {
        refId: 'C',
        kind: 'audit',
        format: 'annotations',
        actions: ['drain_store', 'transfer_leader'],
        outcomes: ['unknown'],
        limit: 50,
        stores: '$nosuch',
      },
      noVars
    );
    expect(r).toEqual({
      query: {
        refId: 'C',
        kind: 'audit',
        format: 'annotations',
        actions: ['drain_store', 'transfer_leader'],
        outcomes: ['unknown'],
        limit: 50,
      },
    });
  });

  it('shows every audited action as a table by default', () => {
    expect(toWireQuery({ refId: 'A', kind: 'audit' }, noVars)).toEqual({
      query: { refId: 'A', kind: 'audit', format: 'table', actions: [], outcomes: [] },
    });
  });

  it('names the format when an audit query keeps an invariant format', () => {
    expect(toWireQuery({ refId: 'A', kind: 'audit', format: 'timeline' }, noVars)).toEqual(
      expect.objectContaining({ field: 'format' })
    );
  });

  it('names the actions field for an unknown action', () => {
    const saved = { refId: 'A', kind: 'audit', actions: ['reboot'] } as unknown as Parameters<typeof toWireQuery>[0];
    expect(toWireQuery(saved, noVars)).toEqual({ field: 'actions', error: expect.stringMatching(/^actions\[0\]: /) });
  });
});

describe('applyTemplateVariables', () => {
  const vars = replaceWith({
    inv: 'high_latency,low_disk',
    obs: 'get_forecasts',
    win: '12h',
    fmt: 'timeline',
    act: 'drain_store',
    store: '1,4',
  });

  it('interpolates every string field, lists item by item with multi-values split, and leaves Grafana keys alone', () => {
    const saved = {
      refId: '$inv',
      kind: 'invariant' as const,
      key: '$inv',
      invariants: ['$inv', 'store_down'],
      format: '$fmt' as 'timeline',
      stores: '$store',
      overrides: { low_disk: { thresholdRatio: 0.8 } },
    };
    expect(applyTemplateVariables(saved, vars)).toEqual({
      ...saved,
      invariants: ['high_latency', 'low_disk', 'store_down'],
      format: 'timeline',
      stores: '1,4',
    });
    expect(applyTemplateVariables({ refId: 'A', kind: 'audit' as const, actions: ['$act'] }, vars)).toEqual({
      refId: 'A',
      kind: 'audit',
      actions: ['drain_store'],
    });
  });

  it('reaches the wire for invariants, the observation, the format and the window, not only stores', () => {
    expect(
      toWireQuery(
        {
          refId: 'A',
          kind: 'invariant',
          invariants: ['$inv' as 'low_disk'],
          format: '$fmt' as 'timeline',
          stores: '$store',
        },
        vars
      )
    ).toEqual({
      query: {
        refId: 'A',
        kind: 'invariant',
        invariants: ['high_latency', 'low_disk'],
        format: 'timeline',
        storeIds: [1, 4],
      },
    });
    expect(
      toWireQuery({ refId: 'F', kind: 'observation', observation: '$obs' as 'get_forecasts', window: '$win' }, vars)
    ).toEqual({
      query: { refId: 'F', kind: 'observation', observation: 'get_forecasts', window: '12h' },
    });
  });

  it('names the field of a variable Grafana does not know', () => {
    expect(toWireQuery({ refId: 'A', kind: 'invariant', invariants: ['$nope' as 'low_disk'] }, vars)).toEqual({
      field: 'invariants',
      error: 'invariants: unknown template variable $nope',
    });
    expect(toWireQuery({ refId: 'A', kind: 'audit', actions: ['${nope}' as 'drain_store'] }, vars)).toEqual({
      field: 'actions',
      error: 'actions: unknown template variable ${nope}',
    });
    expect(toWireQuery({ refId: 'A', kind: 'audit', actions: ['[[nope:csv]]' as 'drain_store'] }, vars)).toEqual({
      field: 'actions',
      error: 'actions: unknown template variable [[nope:csv]]',
    });
  });
});

describe('toWireQuery, slo', () => {
  it('sends every SLO as a budget table by default, with the store filter interpolated', () => {
    expect(toWireQuery({ refId: 'S', kind: 'slo', stores: '$store' }, replaceWith({ store: '2,3' }))).toEqual({
      query: { refId: 'S', kind: 'slo', slos: [], format: 'budget', storeIds: [2, 3] },
    });
  });

  it('keeps the SLOs and the timeseries format, and names a format of another kind', () => {
    expect(toWireQuery({ refId: 'S', kind: 'slo', slos: ['disk_usage'], format: 'timeseries' }, noVars)).toEqual({
      query: { refId: 'S', kind: 'slo', slos: ['disk_usage'], format: 'timeseries' },
    });
    expect(toWireQuery({ refId: 'S', kind: 'slo', format: 'timeline' }, noVars)).toEqual(
      expect.objectContaining({ field: 'format' })
    );
    const saved = { refId: 'S', kind: 'slo', slos: ['uptime'] } as unknown as Parameters<typeof toWireQuery>[0];
    expect(toWireQuery(saved, noVars)).toEqual({ field: 'slos', error: expect.stringMatching(/^slos\[0\]: /) });
  });
});
