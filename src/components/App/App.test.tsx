import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { render, screen } from '@testing-library/react';
import type { AppRootProps } from '@grafana/data';

import { installCluster } from '../../pages/fakeCluster';
import { testIds } from '../testIds';
import App from './App';

jest.setTimeout(30_000);
const SLOW = { timeout: 10_000 };

function renderAt(path: string) {
  installCluster();
  render(
    <MemoryRouter initialEntries={[path]}>
      <App {...({} as AppRootProps)} />
    </MemoryRouter>
  );
}

describe('App routing', () => {
  it('opens the Cluster page by default', async () => {
    renderAt('/');
    expect(await screen.findByTestId(testIds.cluster.container, {}, SLOW)).toBeInTheDocument();
  });

  it('opens the Invariants page at /invariants', async () => {
    renderAt('/invariants');
    expect(await screen.findByTestId(testIds.invariants.container, {}, SLOW)).toBeInTheDocument();
  });

  it('opens the Actions page at /actions', async () => {
    renderAt('/actions');
    expect(await screen.findByTestId(testIds.actions.container, {}, SLOW)).toBeInTheDocument();
  });
});
