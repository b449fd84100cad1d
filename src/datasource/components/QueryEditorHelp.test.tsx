import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { QUERY_KINDS } from '../../shared/names';
import { toWireQuery } from '../../shared/interpolate';
import { plugin } from '../module';
import { DataSource } from '../datasource';
import { fakeTemplateSrv, instanceSettings } from '../testing/fakeGrafana';
import type { TikvQuery } from '../types';
import { QUERY_HELP, QueryEditorHelp } from './QueryEditorHelp';

jest.setTimeout(30_000);
const SLOW = { timeout: 10_000 };

function setup() {
  const onClickExample = jest.fn();
  const datasource = new DataSource(instanceSettings(), fakeTemplateSrv({ store: ['1', '4'] }));
  render(
    <QueryEditorHelp
      datasource={datasource}
      query={{ refId: 'B', kind: 'observation' }}
      onClickExample={onClickExample}
    />
  );
  return { onClickExample };
}

describe('QueryEditorHelp (the cheat sheet)', () => {
  it('is the data source plugin’s query help', () => {
    expect(plugin.components.QueryEditorHelp).toBe(QueryEditorHelp);
  });

  it('lists every query kind with examples', async () => {
    setup();
    for (const kind of QUERY_KINDS) {
      const help = QUERY_HELP[kind];
      expect(help).toBeDefined();
      const section = await screen.findByRole('region', { name: help!.title }, SLOW);
      expect(within(section).getAllByRole('button', { name: /^Use / }).length).toBe(help!.examples.length);
    }
  });

  it('puts a clicked example in the query row, keeping its refId', async () => {
    const { onClickExample } = setup();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Use high_latency, low_disk · stores 1, 4 · violations' }, SLOW)
    );
    expect(onClickExample).toHaveBeenCalledWith({
      refId: 'B',
      kind: 'invariant',
      invariants: ['high_latency', 'low_disk'],
      stores: '1,4',
      format: 'violations',
    });
  });

  it('shows only examples the backend accepts', () => {
    for (const help of Object.values(QUERY_HELP)) {
      for (const { why: _why, ...example } of help!.examples) {
        const q = { refId: 'A', ...example } as TikvQuery;
        expect(toWireQuery(q, (t) => t.replace('$store', '1,4'))).toEqual({ query: expect.anything() });
      }
    }
  });
});
