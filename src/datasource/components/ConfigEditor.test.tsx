import React, { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSourceSettings } from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';

import type { TikvOptions, TikvSecureJsonData } from '../types';
import { ConfigEditor, isValidBackendUrl } from './ConfigEditor';
import { selectors } from './selectors';
import { fakeBackendSrv, SUBJECT } from '../testing/fakeGrafana';

const s = selectors.configEditor;
const SLOW = { timeout: 10_000 };
jest.setTimeout(30_000);

type Settings = DataSourceSettings<TikvOptions, TikvSecureJsonData>;

function setup(overrides: Partial<Settings> = {}) {
  const initial = { jsonData: {}, secureJsonFields: {}, ...overrides } as Settings;
  const onOptionsChange = jest.fn();
  function Harness() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(o) => {
          onOptionsChange(o);
          setOptions(o);
        }}
      />
    );
  }
  render(<Harness />);
  return { last: (): Settings => onOptionsChange.mock.calls.at(-1)?.[0] };
}

describe('ConfigEditor', () => {
  it("lists the saved data source's backend clusters and stores the chosen one in jsonData.cluster", async () => {
    const fake = fakeBackendSrv(() => ({
      status: 200,
      data: {
        ...SUBJECT,
        clusters: [
          { name: 'east', selector: '' },
          { name: 'west', selector: '' },
        ],
      },
    }));
    setBackendSrv(fake.backendSrv);
    const { last } = setup({ uid: 'tikv-east', jsonData: { backendUrl: 'http://tikv-operator:8080' } });
    expect(await screen.findByText(`${s.cluster.served}east, west`, {}, SLOW)).toBeInTheDocument();
    expect(fake.calls[0].url).toBe('/api/datasources/proxy/uid/tikv-east/api/subject');
    await userEvent.type(await screen.findByLabelText(new RegExp(s.cluster.label)), 'west');
    expect(last().jsonData).toEqual({ backendUrl: 'http://tikv-operator:8080', cluster: 'west' });
  });

  it('says the clusters are listed once the data source is saved', async () => {
    setup();
    expect(await screen.findByText(s.cluster.unsaved, {}, SLOW)).toBeInTheDocument();
  });

  it('stores the backend URL in jsonData', async () => {
    const { last } = setup();
    await userEvent.type(
      await screen.findByLabelText(new RegExp(s.backendUrl.label), {}, SLOW),
      'http://tikv-operator:8080'
    );
    expect(last().jsonData).toEqual({ backendUrl: 'http://tikv-operator:8080' });
  });

  it('flags a URL with a path once the field is left', async () => {
    setup({ jsonData: { backendUrl: 'http://tikv-operator:8080/api' } });
    const input = await screen.findByLabelText(new RegExp(s.backendUrl.label), {}, SLOW);
    expect(screen.queryByText(s.backendUrl.invalid)).not.toBeInTheDocument();
    fireEvent.blur(input);
    expect(await screen.findByText(s.backendUrl.invalid)).toBeInTheDocument();
  });

  it.each([
    ['http://tikv-operator:8080', true],
    ['https://10.0.0.5', true],
    ['tikv-operator:8080', false],
    ['ftp://x', false],
    ['http://user:pw@x:8080', false],
    ['http://x:8080/', false],
    ['http://x:8080?a=1', false],
    ['', false],
  ])('accepts %p as backend URL: %p', (url, ok) => {
    expect(isValidBackendUrl(url)).toBe(ok);
  });

  it('writes the tokens only to secureJsonData', async () => {
    const { last } = setup({ jsonData: { backendUrl: 'http://b:8080' } });
    await userEvent.type(await screen.findByLabelText(s.apiToken.label, {}, SLOW), 'read-secret');
    expect(last().secureJsonData).toEqual({ apiToken: 'read-secret' });
    await userEvent.type(screen.getByLabelText(s.actionsToken.label), 'act');
    expect(last().secureJsonData).toEqual({ apiToken: 'read-secret', actionsToken: 'act' });
    expect(JSON.stringify(last().jsonData)).not.toContain('secret');
  });

  it('resets a configured token so a new one can be entered', async () => {
    const { last } = setup({ secureJsonFields: { apiToken: true, actionsToken: true } });
    const resets = await screen.findAllByRole('button', { name: 'Reset' }, SLOW);
    expect(resets).toHaveLength(2);
    await userEvent.click(resets[0]);
    expect(last().secureJsonFields).toEqual({ apiToken: false, actionsToken: true });
    expect(last().secureJsonData).toEqual({ apiToken: '' });
    expect(screen.getByLabelText(s.apiToken.label)).not.toBeDisabled();
  });
});
