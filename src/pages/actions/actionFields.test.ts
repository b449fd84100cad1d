import { initialValues, prefillFrom, toParams } from './actionFields';

describe('action forms', () => {
  it('turns typed text into PD’s parameters', () => {
    expect(toParams('transfer_leader', { region_id: ' 2 ', to_store_id: '3' })).toEqual({
      params: { region_id: 2, to_store_id: 3 },
    });
    expect(toParams('drain_store', initialValues('drain_store', { store_id: '4' }))).toEqual({
      params: { store_id: 4, mode: 'leaders' },
    });
  });

  it('asks for split keys only with the usekey policy', () => {
    expect(toParams('split_region', { region_id: '7', policy: 'scan', keys: 'zz' })).toEqual({
      params: { region_id: 7, policy: 'scan' },
    });
    expect(toParams('split_region', { region_id: '7', policy: 'usekey', keys: '7480, 7490' })).toEqual({
      params: { region_id: 7, policy: 'usekey', keys: ['7480', '7490'] },
    });
    expect(toParams('split_region', { region_id: '7', policy: 'usekey', keys: '' })).toEqual({
      field: 'keys',
      error: 'keys: required',
    });
    expect(toParams('split_region', { region_id: '7', policy: 'usekey', keys: 'not-hex' })).toEqual({
      field: 'keys',
      error: 'keys[0]: keys must be hex',
    });
  });

  it('names the field that is missing, not a number or out of range', () => {
    expect(toParams('transfer_leader', { region_id: '2', to_store_id: '' })).toEqual({
      field: 'to_store_id',
      error: 'to_store_id: required',
    });
    expect(toParams('set_region_schedule_limit', { 'region-schedule-limit': 'x' })).toEqual({
      field: 'region-schedule-limit',
      error: 'region-schedule-limit: "x" is not a number',
    });
    expect(toParams('transfer_leader', { region_id: '0', to_store_id: '1' })).toEqual(
      expect.objectContaining({ field: 'region_id' })
    );
  });

  it('reads the action and its known parameters from the page’s URL, ignoring others', () => {
    expect(prefillFrom(new URLSearchParams('action=transfer_leader&region_id=12&other=1'))).toEqual({
      action: 'transfer_leader',
      values: { region_id: '12' },
    });
    expect(prefillFrom(new URLSearchParams('action=reboot&store_id=1'))).toEqual({ values: {} });
  });
});
