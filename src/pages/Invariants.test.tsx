import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { copy, testIds } from '../components/testIds';
import { installCluster } from './fakeCluster';
import Invariants from './Invariants';

const SLOW = { timeout: 10_000 };
jest.setTimeout(30_000);

const bodyRows = (testId: string) => within(screen.getByTestId(testId)).getAllByRole('row').slice(1);

describe('Invariants page', () => {
  it('shows active violations and the whole history of the last hour', async () => {
    const calls = installCluster();
    const before = Date.now();
    render(<Invariants />, { wrapper: MemoryRouter });
    await screen.findAllByText('store_down', {}, SLOW);
    expect(bodyRows(testIds.invariants.active)).toHaveLength(1);
    expect(bodyRows(testIds.invariants.history)).toHaveLength(2);
    expect(within(screen.getByTestId(testIds.invariants.history)).getByText('high_latency')).toBeInTheDocument();

    const body = calls[0].data;
    expect(body.queries).toEqual([{ refId: 'violations', kind: 'invariant', invariants: [], format: 'violations' }]);
    expect(body.to - body.from).toBeGreaterThanOrEqual(3_600_000);
    expect(body.to - body.from).toBeLessThan(3_600_000 + 1000);
    expect(body.to).toBeGreaterThanOrEqual(before);
  });

  it('links each violation’s store id to the store dashboard, on the data source shown', async () => {
    installCluster();
    render(<Invariants />, { wrapper: MemoryRouter });
    await screen.findAllByText('store_down', {}, SLOW);
    for (const testId of [testIds.invariants.active, testIds.invariants.history]) {
      const links = within(screen.getByTestId(testId))
        .getAllByRole('link')
        .map((a) => [a.textContent, a.getAttribute('href')]);
      expect(links.length).toBe(bodyRows(testId).length);
      for (const [text, href] of links) {
        expect(href).toBe(`/d/tikv-operator-store/tikv-store?var-store=${text}&var-datasource=tikv`);
      }
    }
  });

  it('asks again over the picked range', async () => {
    const calls = installCluster();
    render(<Invariants />, { wrapper: MemoryRouter });
    await screen.findAllByText('store_down', {}, SLOW);
    await userEvent.click(screen.getByLabelText(copy.invariants.ranges[3].label));
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1].data.to - calls[1].data.from).toBeGreaterThanOrEqual(7 * 24 * 3_600_000);
  });
});
