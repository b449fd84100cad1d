import React, { useState } from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setBackendSrv } from '@grafana/runtime';

import { DataSource } from '../datasource';
import { fakeBackendSrv, fakeTemplateSrv, type FakeAnswer, instanceSettings, SUBJECT } from '../testing/fakeGrafana';
import type { TikvQuery } from '../types';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';
import { QueryEditor } from './QueryEditor';
import { selectors } from './selectors';

const s = selectors.queryEditor;
// The first @grafana/ui render under jest takes seconds.
const SLOW = { timeout: 10_000 };
jest.setTimeout(30_000);

function setup(initial: TikvQuery, subject: FakeAnswer = { status: 200, data: SUBJECT }, Editor = QueryEditor) {
  const fake = fakeBackendSrv(() => subject);
  setBackendSrv(fake.backendSrv);
  const datasource = new DataSource(instanceSettings(), fakeTemplateSrv({ store: ['1', '2'] }));
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  // Grafana owns the query: the editor gets each change back as its new props.
  function Harness() {
    const [query, setQuery] = useState(initial);
    return (
      <Editor
        datasource={datasource}
        query={query}
        onRunQuery={onRunQuery}
        onChange={(q: TikvQuery) => {
          onChange(q);
          setQuery(q);
        }}
      />
    );
  }
  render(<Harness />);
  return { onChange, onRunQuery, lastQuery: (): TikvQuery => onChange.mock.calls.at(-1)?.[0] };
}

// "Observation" labels both the kind radio and the observation select: selects are found as comboboxes.
const COMBOBOX = { selector: '[role="combobox"]' };

async function pick(label: string, optionText: string | RegExp) {
  const input = await screen.findByLabelText(label, COMBOBOX, SLOW);
  fireEvent.keyDown(input, { key: 'ArrowDown' });
  await userEvent.click(await screen.findByText(optionText, {}, SLOW));
}

async function typeAndBlur(label: string, text: string) {
  const input = await screen.findByLabelText(label, {}, SLOW);
  await userEvent.clear(input);
  if (text !== '') {
    await userEvent.type(input, text);
  }
  fireEvent.blur(input);
}

describe('QueryEditor, observations', () => {
  it('switches to invariant checks and runs the query', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'observation', observation: 'get_stores' });
    await userEvent.click(await screen.findByLabelText(s.kind.options.invariant, {}, SLOW));
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'invariant', observation: 'get_stores' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(await screen.findByLabelText(s.invariants.label)).toBeInTheDocument();
  });

  it('offers each observation with the subject’s description and runs the picked one', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'observation', observation: 'get_stores' });
    const input = await screen.findByLabelText(s.observation.label, COMBOBOX, SLOW);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(await screen.findByText('Top-N hot write regions')).toBeInTheDocument();
    await userEvent.click(screen.getByText('get_hot_write_regions'));
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'observation', observation: 'get_hot_write_regions' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('sets a row limit for hot regions on blur, and refuses text that is not a number', async () => {
    const { lastQuery, onChange, onRunQuery } = setup({
      refId: 'A',
      kind: 'observation',
      observation: 'get_hot_write_regions',
    });
    await typeAndBlur(s.limit.label, '10');
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'observation', observation: 'get_hot_write_regions', limit: 10 });
    expect(onRunQuery).toHaveBeenCalledTimes(1);

    await typeAndBlur(s.limit.label, 'ten');
    expect(await screen.findByText(`"ten" ${s.overrides.notANumber}`)).toBeInTheDocument();
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('shows the schema’s message for a limit out of range and does not run it', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'observation', observation: 'get_region_health' });
    await typeAndBlur(s.limit.label, '0');
    expect(lastQuery().limit).toBe(0);
    expect(await screen.findByText(/^limit: /)).toBeInTheDocument();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('sets the forecast window on blur and runs the query; other observations have no window', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'observation', observation: 'get_forecasts' });
    await typeAndBlur(s.window.label, '30m');
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'observation', observation: 'get_forecasts', window: '30m' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByLabelText(s.limit.label)).not.toBeInTheDocument();
  });

  it('has no limit for observations that return every store', async () => {
    setup({ refId: 'A', kind: 'observation', observation: 'get_stores' });
    await screen.findByLabelText(s.observation.label, COMBOBOX, SLOW);
    expect(screen.queryByLabelText(s.limit.label)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(s.window.label)).not.toBeInTheDocument();
  });

  it('asks for an observation when a saved query has none', async () => {
    setup({ refId: 'A', kind: 'observation' });
    expect(await screen.findByText('observation: pick an observation', {}, SLOW)).toBeInTheDocument();
  });

  it('still edits queries when the subject cannot be fetched, and says why', async () => {
    setup(
      { refId: 'A', kind: 'observation', observation: 'get_stores' },
      { status: 400, data: 'Authentication to data source failed' }
    );
    expect(await screen.findByText(s.subjectUnavailable, {}, SLOW)).toBeInTheDocument();
    expect(screen.getByText('the API token is missing or wrong')).toBeInTheDocument();
  });
});

describe('QueryEditor, store filter', () => {
  it('accepts a template variable on blur and runs', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'invariant' });
    await typeAndBlur(s.stores.label, '$store');
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'invariant', stores: '$store' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('names a store id that is not a number and does not run', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'invariant' });
    await typeAndBlur(s.stores.label, '1, tikv-2');
    expect(lastQuery().stores).toBe('1, tikv-2');
    expect(await screen.findByText(/"tikv-2" is not a store id/)).toBeInTheDocument();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('names a variable the dashboard does not have', async () => {
    setup({ refId: 'A', kind: 'invariant', stores: '$nosuch' });
    expect(await screen.findByText('stores: unknown template variable $nosuch', {}, SLOW)).toBeInTheDocument();
  });

  it('clears the filter when emptied', async () => {
    const { lastQuery } = setup({ refId: 'A', kind: 'invariant', stores: '1' });
    await typeAndBlur(s.stores.label, '');
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'invariant', stores: undefined });
  });
});

describe('QueryEditor, invariant checks', () => {
  it('picks invariants from a multi-select with severities and descriptions', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'invariant' });
    const input = await screen.findByLabelText(s.invariants.label, COMBOBOX, SLOW);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(await screen.findByText('warning: Disk used ratio')).toBeInTheDocument();
    await userEvent.click(screen.getByText(selectors.invariantNames.low_disk));
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'invariant', invariants: ['low_disk'] });
    await pick(s.invariants.label, selectors.invariantNames.store_down);
    expect(lastQuery().invariants).toEqual(['low_disk', 'store_down']);
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('switches the format between violations table, state timeline and annotations', async () => {
    const { lastQuery } = setup({ refId: 'A', kind: 'invariant' });
    await userEvent.click(await screen.findByLabelText(s.format.options.timeline, {}, SLOW));
    expect(lastQuery().format).toBe('timeline');
    await userEvent.click(screen.getByLabelText(s.format.options.annotations));
    expect(lastQuery().format).toBe('annotations');
    await userEvent.click(screen.getByLabelText(s.format.options.violations));
    expect(lastQuery().format).toBe('violations');
  });

  it('shows the deployment defaults in the collapsed overrides and sets one on blur', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'invariant' });
    await userEvent.click(await screen.findByText(s.overrides.label, {}, SLOW));
    const f = s.overrides.fields;
    await waitFor(
      () => expect(screen.getByLabelText(f['high_latency.thresholdMs'].label)).toHaveAttribute('placeholder', '100'),
      SLOW
    );
    expect(screen.getByLabelText(f['high_latency.graceSeconds'].label)).toHaveAttribute('placeholder', '60');
    expect(screen.getByLabelText(f['low_disk.thresholdRatio'].label)).toHaveAttribute('placeholder', '0.7');
    // store_down's heartbeat timeout is the deployment's only (the query path could not honour it).
    expect(screen.queryByText(/heartbeat timeout/i)).toBeNull();

    await typeAndBlur(f['high_latency.thresholdMs'].label, '250');
    expect(lastQuery().overrides).toEqual({ high_latency: { thresholdMs: 250 } });
    await typeAndBlur(f['low_disk.graceSeconds'].label, '30');
    expect(lastQuery().overrides).toEqual({
      high_latency: { thresholdMs: 250 },
      low_disk: { graceSeconds: 30 },
    });
    await typeAndBlur(f['high_latency.thresholdMs'].label, '');
    expect(lastQuery().overrides).toEqual({ low_disk: { graceSeconds: 30 } });
    expect(onRunQuery).toHaveBeenCalledTimes(3);
  });

  it('names an override out of range beside its field', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'invariant' });
    await userEvent.click(await screen.findByText(s.overrides.label, {}, SLOW));
    await typeAndBlur(s.overrides.fields['low_disk.thresholdRatio'].label, '1.5');
    expect(lastQuery().overrides).toEqual({ low_disk: { thresholdRatio: 1.5 } });
    expect(await screen.findByText(/^overrides\.low_disk\.thresholdRatio: /)).toBeInTheDocument();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('offers region_health with its cluster-level defaults (0 regions, 600 s) and sets its overrides', async () => {
    const { lastQuery } = setup({ refId: 'A', kind: 'invariant' });
    await pick(s.invariants.label, selectors.invariantNames.region_health);
    expect(lastQuery().invariants).toEqual(['region_health']);
    await userEvent.click(await screen.findByText(s.overrides.label, {}, SLOW));
    const f = s.overrides.fields;
    await waitFor(
      () => expect(screen.getByLabelText(f['region_health.graceSeconds'].label)).toHaveAttribute('placeholder', '600'),
      SLOW
    );
    expect(screen.getByLabelText(f['region_health.thresholdRegions'].label)).toHaveAttribute('placeholder', '0');
    await typeAndBlur(f['region_health.thresholdRegions'].label, '5');
    expect(lastQuery().overrides).toEqual({ region_health: { thresholdRegions: 5 } });
  });

  it('opens the overrides of a query that has some', async () => {
    setup({ refId: 'A', kind: 'invariant', overrides: { low_disk: { graceSeconds: 120 } } });
    expect(await screen.findByLabelText(s.overrides.fields['low_disk.graceSeconds'].label, {}, SLOW)).toHaveValue(
      '120'
    );
  });
});

describe('AnnotationQueryEditor', () => {
  it('asks only for invariants and stores, always in the annotations format', async () => {
    const { lastQuery } = setup({ refId: 'Anno', kind: 'observation' }, undefined, AnnotationQueryEditor);
    await pick(s.invariants.label, selectors.invariantNames.high_latency);
    expect(lastQuery()).toEqual({
      refId: 'Anno',
      kind: 'invariant',
      format: 'annotations',
      invariants: ['high_latency'],
    });
    expect(screen.queryByLabelText(s.kind.options.observation)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(s.format.options.timeline)).not.toBeInTheDocument();
  });

  it('offers forecast warnings: get_forecasts with a horizon', async () => {
    const { lastQuery } = setup({ refId: 'Anno', kind: 'invariant' }, undefined, AnnotationQueryEditor);
    await userEvent.click(await screen.findByLabelText(s.kind.forecastWarnings, {}, SLOW));
    expect(lastQuery()).toMatchObject({ kind: 'observation', observation: 'get_forecasts' });
  });

  it('edits the horizon of forecast warnings', async () => {
    const { lastQuery } = setup(
      { refId: 'Anno', kind: 'observation', observation: 'get_forecasts' },
      undefined,
      AnnotationQueryEditor
    );
    const horizon = await screen.findByLabelText(s.horizon.label, {}, SLOW);
    await userEvent.type(horizon, '6h');
    await userEvent.tab();
    expect(lastQuery()).toMatchObject({ kind: 'observation', observation: 'get_forecasts', horizon: '6h' });
  });
});

describe('QueryEditor, audit trail', () => {
  it('switches to the audit trail, drops an invariant format and hides the store filter', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'invariant', format: 'timeline', stores: '1' });
    await userEvent.click(await screen.findByLabelText(s.kind.options.audit, {}, SLOW));
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'audit', stores: '1' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByLabelText(s.stores.label)).not.toBeInTheDocument();
    expect(screen.getByLabelText(s.audit.format.options.table)).toBeChecked();
  });

  it('filters by actions and outcomes and switches to annotations', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'audit' });
    await pick(s.audit.actions.label, selectors.actionNames.drain_store);
    expect(lastQuery().actions).toEqual(['drain_store']);
    await pick(s.audit.outcomes.label, selectors.outcomeNames.unknown);
    expect(lastQuery().outcomes).toEqual(['unknown']);
    await userEvent.click(screen.getByLabelText(s.audit.format.options.annotations));
    expect(lastQuery()).toEqual({
      refId: 'A',
      kind: 'audit',
      actions: ['drain_store'],
      outcomes: ['unknown'],
      format: 'annotations',
    });
    expect(onRunQuery).toHaveBeenCalledTimes(3);
  });

  it('shows a saved action the backend does not know under the actions field, and does not run it', async () => {
    const { onRunQuery } = setup({ refId: 'A', kind: 'audit', actions: ['reboot'] } as unknown as TikvQuery);
    expect(await screen.findByText(/actions\[0\]: /, {}, SLOW)).toBeInTheDocument();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('lets an annotation show the audit trail instead of violations', async () => {
    const { lastQuery } = setup({ refId: 'Anno', kind: 'invariant' }, undefined, AnnotationQueryEditor);
    await userEvent.click(await screen.findByLabelText(s.kind.options.audit, {}, SLOW));
    expect(lastQuery()).toEqual({ refId: 'Anno', kind: 'audit', format: 'annotations' });
    await pick(s.audit.actions.label, selectors.actionNames.transfer_leader);
    expect(lastQuery()).toEqual({ refId: 'Anno', kind: 'audit', format: 'annotations', actions: ['transfer_leader'] });
    expect(screen.queryByLabelText(s.audit.format.options.table)).not.toBeInTheDocument();
  });
});

describe('QueryEditor, SLO budgets', () => {
  it('switches to SLO budgets (keeping the store filter), picks SLOs and the timeseries format', async () => {
    const { lastQuery, onRunQuery } = setup({ refId: 'A', kind: 'invariant', format: 'timeline', stores: '1' });
    await userEvent.click(await screen.findByLabelText(s.kind.options.slo, {}, SLOW));
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'slo', stores: '1' });
    expect(screen.getByLabelText(s.slo.format.options.budget)).toBeChecked();
    expect(screen.getByLabelText(s.stores.label)).toBeInTheDocument();
    await pick(s.slo.slos.label, s.slo.names.disk_usage);
    expect(lastQuery().slos).toEqual(['disk_usage']);
    await userEvent.click(screen.getByLabelText(s.slo.format.options.timeseries));
    expect(lastQuery()).toEqual({ refId: 'A', kind: 'slo', stores: '1', slos: ['disk_usage'], format: 'timeseries' });
    expect(onRunQuery).toHaveBeenCalledTimes(3);
  });

  it('describes each SLO with its objective and window from the backend', async () => {
    setup({ refId: 'A', kind: 'slo' });
    const input = await screen.findByLabelText(s.slo.slos.label, COMBOBOX, SLOW);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(await screen.findByText(/objective 99 % over 30d/, {}, SLOW)).toBeInTheDocument();
  });
});
