import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { DataSource } from '../datasource';
import { selectors } from './selectors';
import { VariableQueryEditor } from './VariableQueryEditor';

const s = selectors.variableEditor.values;
jest.setTimeout(30_000);

describe('VariableQueryEditor', () => {
  it('lists stores by default and switches to Prometheus instances', async () => {
    const onChange = jest.fn();
    render(
      <VariableQueryEditor
        datasource={{} as DataSource}
        query={{ refId: 'V' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    expect(await screen.findByLabelText(s.options.stores, {}, { timeout: 10_000 })).toBeChecked();
    await userEvent.click(screen.getByLabelText(s.options.instances));
    expect(onChange).toHaveBeenCalledWith({ refId: 'V', values: 'instances' });
  });
});
