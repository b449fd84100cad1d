import React from 'react';
import { render, screen } from '@testing-library/react';
import { locationUtil } from '@grafana/data';

import { installDataSource } from '../../datasource/testing/installDataSource';
import AppConfig, { type AppConfigProps } from './AppConfig';

describe('App configuration page', () => {
  afterEach(() =>
    locationUtil.initialize({
      config: { appSubUrl: '' } as never,
      getTimeRangeForUrl: () => ({}) as never,
      getVariablesUrlParams: () => ({}),
    })
  );

  it("links to the data sources under Grafana's sub-path", () => {
    // Grafana served at https://host/grafana/ (root_url with serve_from_sub_path): config.appSubUrl is /grafana.
    locationUtil.initialize({
      config: { appSubUrl: '/grafana' } as never,
      getTimeRangeForUrl: () => ({}) as never,
      getVariablesUrlParams: () => ({}),
    });
    installDataSource(() => ({ status: 200, data: {} }));
    render(<AppConfig {...({} as AppConfigProps)} />);
    const hrefs = screen.getAllByRole('link').map((a) => a.getAttribute('href'));
    expect(hrefs).toHaveLength(2);
    expect(hrefs[0]).toMatch(/^\/grafana\/connections\/datasources\/edit\/\S+$/);
    expect(hrefs[1]).toBe('/grafana/connections/datasources/new');
  });
});
