import { hostOf, InstanceDirectory, instanceMatcher, instanceOf } from '../../../src/subject/tikv/instances';

const store = (id: number, status_address: string, address = status_address.replace(/:\d+$/, ':20160')) => ({
  store: { id, address, status_address },
});

describe('store ↔ Prometheus instance mapping', () => {
  const tiup = [store(1, '10.0.1.21:20180'), store(4, '10.0.1.22:20180')];
  const k8s = [
    store(1, 'basic-tikv-0.basic-tikv-peer.tidb.svc:20180'),
    store(4, 'basic-tikv-1.basic-tikv-peer.tidb.svc:20180'),
  ];

  it('joins on the status address under TiUP', () => {
    const d = new InstanceDirectory(tiup, 'status_address');
    expect(d.byInstance('10.0.1.22:20180')).toEqual({
      store_id: 4,
      address: '10.0.1.22:20160',
      status_address: '10.0.1.22:20180',
    });
    expect(d.byInstance('10.0.1.22:9100')).toBeUndefined();
    expect(d.byStoreId(1)?.status_address).toBe('10.0.1.21:20180');
    expect(instanceOf(tiup[0], 'status_address')).toBe('10.0.1.21:20180');
  });

  it('joins on the pod name under tidb-operator', () => {
    const d = new InstanceDirectory(k8s, 'pod');
    expect(instanceOf(k8s[1], 'pod')).toBe('basic-tikv-1');
    expect(d.byInstance('basic-tikv-1')?.store_id).toBe(4);
    expect(d.byInstance('basic-tikv-2')).toBeUndefined();
    const re = new RegExp(`^(?:${instanceMatcher(k8s, 'pod').value})$`);
    expect(
      ['basic-tikv-0', 'basic-tikv-1:20180', 'basic-tikv-0.basic-tikv-peer.tidb.svc:20180'].every((i) => re.test(i))
    ).toBe(true);
    expect(re.test('basic-tikv-10')).toBe(false);
  });

  it('joins on the host, and refuses to guess when two stores share one', () => {
    const shared = [...tiup, store(7, '10.0.1.22:20181')];
    const d = new InstanceDirectory(shared, 'host');
    expect(d.byInstance('10.0.1.21:9100')?.store_id).toBe(1);
    expect(d.byInstance('10.0.1.21')?.store_id).toBe(1);
    expect(d.byInstance('10.0.1.22')).toBeUndefined();
    expect([...d.ambiguous]).toEqual(['10.0.1.22']);
    expect(hostOf('[fd00::1]:20180')).toBe('fd00::1');
    expect(hostOf('fd00::1')).toBe('fd00::1');
    const re = new RegExp(`^(?:${instanceMatcher([store(9, '[fd00::1]:20180')], 'host').value})$`);
    expect(re.test('[fd00::1]:9100')).toBe(true);
    expect(re.test('fd00::1')).toBe(true);
  });
});
