import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSourceApi } from '@grafana/data';
import { config, type DataSourceSrv, setDataSourceSrv } from '@grafana/runtime';

import { copy, testIds } from '../components/testIds';
import Cluster from './Cluster';
import { FRAMES, installCluster } from './fakeCluster';
import { DataSource } from '../datasource/datasource';
import { fakeTemplateSrv, instanceSettings } from '../datasource/testing/fakeGrafana';

const SLOW = { timeout: 10_000 };
jest.setTimeout(30_000);

const rows = (testId: string) =>
  within(screen.getByTestId(testId))
    .getAllByRole('row')
    .map((r) => r.textContent);

/** The signed-in user's role as Grafana's boot data carries it (the actions route needs Admin). */
function signInAs(orgRole: string, isGrafanaAdmin = false) {
  config.bootData.user = { ...config.bootData.user, orgRole, isGrafanaAdmin } as typeof config.bootData.user;
}

describe('Cluster page', () => {
  beforeEach(() => signInAs('Admin'));

  it('offers no action to a Viewer or an Editor (the actions route needs Admin), and does to a server admin', async () => {
    for (const role of ['Viewer', 'Editor']) {
      signInAs(role);
      installCluster();
      const { unmount } = render(<Cluster />, { wrapper: MemoryRouter });
      await screen.findByText('Disconnected', {}, SLOW);
      expect(screen.queryAllByRole('link', { name: copy.cluster.drain })).toEqual([]);
      expect(screen.queryAllByRole('link', { name: copy.cluster.transferLeader })).toEqual([]);
      unmount();
    }
    signInAs('Viewer', true);
    installCluster();
    render(<Cluster />, { wrapper: MemoryRouter });
    await screen.findByText('Disconnected', {}, SLOW);
    expect(screen.getAllByRole('link', { name: copy.cluster.drain })).toHaveLength(2);
  });

  it('offers no drain for a Tombstone store', async () => {
    const stores = FRAMES.get_stores as { data: { values: unknown[][] } };
    const saved = JSON.parse(JSON.stringify(stores.data.values));
    stores.data.values = [
      [1, 4, 7],
      ['tikv-1:20160', 'tikv-4:20160', 'tikv-7:20160'],
      ['Up', 'Disconnected', 'Tombstone'],
      [2, 45, null],
      [1, 2, 0],
      [340, 0, 0],
      [1000, 998, 0],
    ];
    try {
      installCluster();
      render(<Cluster />, { wrapper: MemoryRouter });
      await screen.findByText('Tombstone', {}, SLOW);
      const drains = within(screen.getByTestId(testIds.cluster.stores)).getAllByRole('link', {
        name: copy.cluster.drain,
      });
      expect(drains.map((a) => a.getAttribute('href'))).toEqual([
        '/a/operator-tikv-app/actions?action=drain_store&store_id=1',
        '/a/operator-tikv-app/actions?action=drain_store&store_id=4',
      ]);
    } finally {
      stores.data.values = saved;
    }
  });

  it('shows each store with its state, heartbeat age, disk used, leaders, regions and active violations', async () => {
    const calls = installCluster();
    render(<Cluster />, { wrapper: MemoryRouter });
    await screen.findByText('Disconnected', {}, SLOW);
    const table = screen.getByTestId(testIds.cluster.stores);
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent)
    ).toEqual([
      'store_id',
      'address',
      'state_name',
      'heartbeat_age',
      'used_size',
      'leader_count',
      'region_count',
      'active violations',
      '',
    ]);
    const [, store1, store4] = rows(testIds.cluster.stores);
    expect(store1).toBe(`1tikv-1:20160Up2 s1 GiB34010000${copy.cluster.drain}`);
    expect(store4).toBe(`4tikv-4:20160Disconnected45 s2 GiB09981${copy.cluster.drain}`);

    // One request, with the four queries of the page.
    expect(calls).toHaveLength(1);
    expect(calls[0].data.queries.map((q: { refId: string }) => q.refId)).toEqual([
      'stores',
      'regions',
      'hot',
      'violations',
    ]);
  });

  it('links each store to draining it and each hot region to moving its leader, on the Actions page', async () => {
    installCluster();
    render(<Cluster />, { wrapper: MemoryRouter });
    await screen.findByText('Disconnected', {}, SLOW);
    const drains = within(screen.getByTestId(testIds.cluster.stores)).getAllByRole('link', {
      name: copy.cluster.drain,
    });
    expect(drains.map((a) => a.getAttribute('href'))).toEqual([
      '/a/operator-tikv-app/actions?action=drain_store&store_id=1',
      '/a/operator-tikv-app/actions?action=drain_store&store_id=4',
    ]);
    const hot = screen.getByTestId(testIds.cluster.hotRegions);
    expect(
      within(hot)
        .getAllByRole('columnheader')
        .map((h) => h.textContent)
    ).toEqual(['Region', 'Leader store', 'Peer stores', '']);
    const transfers = within(hot).getAllByRole('link', { name: copy.cluster.transferLeader });
    expect(transfers.map((a) => a.getAttribute('href'))).toEqual([
      '/a/operator-tikv-app/actions?action=transfer_leader&region_id=12',
      '/a/operator-tikv-app/actions?action=transfer_leader&region_id=30',
    ]);
  });

  it('reads the data source (one per cluster) chosen in the URL, and its links keep it', async () => {
    const calls = installCluster();
    // Two data sources, one per cluster; `?ds=tikv-west` picks west's.
    const east = {
      ...instanceSettings({ backendUrl: 'http://backend:8080', cluster: 'east' }),
      uid: 'tikv-east',
      isDefault: true,
    };
    const west = {
      ...instanceSettings({ backendUrl: 'http://backend:8080', cluster: 'west' }),
      uid: 'tikv-west',
      name: 'TiKV west',
    };
    const instances = new Map(
      [east, west].map((settings) => [settings.uid, new DataSource(settings, fakeTemplateSrv())])
    );
    setDataSourceSrv({
      getList: () => [east, west],
      get: async (uid: string) => instances.get(uid) as unknown as DataSourceApi,
    } as unknown as DataSourceSrv);
    render(
      <MemoryRouter initialEntries={['/cluster?ds=tikv-west']}>
        <Cluster />
      </MemoryRouter>
    );
    await screen.findByText('Disconnected', {}, SLOW);
    expect(calls[0].data.cluster).toBe('west');
    const drains = within(screen.getByTestId(testIds.cluster.stores)).getAllByRole('link', {
      name: copy.cluster.drain,
    });
    expect(drains[0].getAttribute('href')).toBe(
      '/a/operator-tikv-app/actions?action=drain_store&store_id=1&ds=tikv-west'
    );
    // Store ids open the store dashboard for that store on the same cluster's data source.
    const storeLinks = within(screen.getByTestId(testIds.cluster.stores)).getAllByRole('link', { name: /^\d+$/ });
    expect(storeLinks.map((a) => a.getAttribute('href'))).toEqual([
      '/d/tikv-operator-store/tikv-store?var-store=1&var-datasource=tikv-west',
      '/d/tikv-operator-store/tikv-store?var-store=4&var-datasource=tikv-west',
    ]);
  });

  it('links store ids in the stores, hot regions and violations tables to the store dashboard, on the data source shown', async () => {
    installCluster();
    render(<Cluster />, { wrapper: MemoryRouter });
    await screen.findByText('Disconnected', {}, SLOW);
    const links = (testId: string) =>
      within(screen.getByTestId(testId))
        .queryAllByRole('link')
        .map((a) => [a.textContent, a.getAttribute('href')])
        .filter(([, href]) => href?.startsWith('/d/'));
    expect(links(testIds.cluster.stores)).toEqual([
      // No `?ds=`: the default data source the page shows (uid `tikv`), named so the dashboard shows the same cluster.
      ['1', '/d/tikv-operator-store/tikv-store?var-store=1&var-datasource=tikv'],
      ['4', '/d/tikv-operator-store/tikv-store?var-store=4&var-datasource=tikv'],
    ]);
    expect(links(testIds.cluster.hotRegions).length).toBeGreaterThan(0);
    for (const [text, href] of links(testIds.cluster.hotRegions)) {
      expect(href).toBe(`/d/tikv-operator-store/tikv-store?var-store=${text}&var-datasource=tikv`);
    }
    expect(links(testIds.cluster.violations)).toEqual([
      ['4', '/d/tikv-operator-store/tikv-store?var-store=4&var-datasource=tikv'],
    ]);
  });

  it('lists region health and only the active violations', async () => {
    installCluster();
    render(<Cluster />, { wrapper: MemoryRouter });
    await screen.findByText('down-peer', {}, SLOW);
    expect(rows(testIds.cluster.violations)).toHaveLength(2);
    expect(within(screen.getByTestId(testIds.cluster.violations)).getByText('store_down')).toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.cluster.violations)).queryByText('high_latency')).not.toBeInTheDocument();
  });

  it('shows a failing query’s message and the other tables', async () => {
    installCluster({ regions: 'PD /pd/api/v1/regions/check/miss-peer: HTTP 500' });
    render(<Cluster />, { wrapper: MemoryRouter });
    expect(await screen.findByText('PD /pd/api/v1/regions/check/miss-peer: HTTP 500', {}, SLOW)).toBeInTheDocument();
    expect(screen.getByText(copy.cluster.regionHealth, { selector: '[role="alert"] *' })).toBeInTheDocument();
    expect(screen.getByText('tikv-1:20160', { selector: 'td' })).toBeInTheDocument();
  });

  it('says the token is wrong when Grafana refuses the backend', async () => {
    installCluster({}, { status: 400, data: 'Authentication to data source failed' });
    render(<Cluster />, { wrapper: MemoryRouter });
    expect((await screen.findAllByText('the API token is missing or wrong', {}, SLOW)).length).toBe(4);
  });

  it('refreshes on demand', async () => {
    const calls = installCluster();
    render(<Cluster />, { wrapper: MemoryRouter });
    await screen.findByText('Disconnected', {}, SLOW);
    await userEvent.click(screen.getByRole('button', { name: copy.cluster.refresh }));
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(await screen.findByText('Disconnected')).toBeInTheDocument();
  });

  it('explains how to add a data source when there is none', async () => {
    setDataSourceSrv({ getList: () => [] } as unknown as DataSourceSrv);
    render(<Cluster />, { wrapper: MemoryRouter });
    expect(await screen.findByText(/No data source of type operator-tikv-datasource/, {}, SLOW)).toBeInTheDocument();
  });
});
