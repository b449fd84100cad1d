import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parseJsonBig } from '../../../src/subject/pd/parse';
import { StoresInfo } from '../../../src/subject/pd/schema';
import {
  DEFAULT_MAX_STORE_DOWN_MS,
  deriveStateName,
  heartbeatAgeMs,
  isRemoved,
  isRemoving,
  isServing,
  isTiFlash,
  STORE_DISCONNECT_MS,
  STORE_UNHEALTHY_MS,
} from '../../../src/subject/pd/storeState';

const NOW = Date.parse('2025-06-10T08:30:00Z');
const MAX_DOWN = DEFAULT_MAX_STORE_DOWN_MS;

describe('store state as PD names it', () => {
  it('uses PD constants: 20 s disconnect, 10 min unhealthy, 30 min down', () => {
    expect(STORE_DISCONNECT_MS).toBe(20_000);
    expect(STORE_UNHEALTHY_MS).toBe(600_000);
    expect(MAX_DOWN).toBe(1_800_000);
  });

  it('an Up store with a fresh heartbeat is Up', () => {
    expect(deriveStateName({ state: 0, node_state: 1, last_heartbeat_ms: NOW - 3_000 }, MAX_DOWN, NOW)).toBe('Up');
  });

  it('an Up store is still Up at exactly 20 s (PD compares with >)', () => {
    expect(deriveStateName({ state: 0, last_heartbeat_ms: NOW - 20_000 }, MAX_DOWN, NOW)).toBe('Up');
  });

  it('an Up store silent for over 20 s is Disconnected', () => {
    expect(deriveStateName({ state: 0, last_heartbeat_ms: NOW - 20_001 }, MAX_DOWN, NOW)).toBe('Disconnected');
  });

  it('an Up store silent for over max-store-down-time is Down', () => {
    expect(deriveStateName({ state: 0, last_heartbeat_ms: NOW - MAX_DOWN - 1 }, MAX_DOWN, NOW)).toBe('Down');
    expect(deriveStateName({ state: 0, last_heartbeat_ms: NOW - MAX_DOWN }, MAX_DOWN, NOW)).toBe('Disconnected');
  });

  it('follows a configured max-store-down-time', () => {
    expect(deriveStateName({ state: 0, last_heartbeat_ms: NOW - 90_000 }, 60_000, NOW)).toBe('Down');
  });

  it('an Up store that never sent a heartbeat is Down, as in PD (last_heartbeat 0)', () => {
    expect(deriveStateName({ state: 0, node_state: 0 }, MAX_DOWN, NOW)).toBe('Down');
  });

  it('an Offline store stays Offline however old its heartbeat', () => {
    expect(deriveStateName({ state: 1, node_state: 2, last_heartbeat_ms: NOW - 86_400_000 }, MAX_DOWN, NOW)).toBe(
      'Offline'
    );
    expect(deriveStateName({ state: 1, node_state: 2, last_heartbeat_ms: NOW - 1_000 }, MAX_DOWN, NOW)).toBe('Offline');
  });

  it('a Tombstone store with an old heartbeat stays Tombstone', () => {
    expect(deriveStateName({ state: 2, node_state: 3, last_heartbeat_ms: NOW - 30 * 86_400_000 }, MAX_DOWN, NOW)).toBe(
      'Tombstone'
    );
  });

  it("agrees with the state_name PD wrote in the fixtures at the fixtures' now", () => {
    const text = readFileSync(path.join(__dirname, '../../fixtures/pd/stores.json'), 'utf8');
    const { stores } = StoresInfo.parse(parseJsonBig(text));
    for (const { store } of stores) {
      expect(deriveStateName(store, MAX_DOWN, NOW)).toBe(store.state_name);
    }
    expect(stores.map((s) => s.store.state_name)).toEqual(['Up', 'Up', 'Down']);
  });
});

describe('store lifecycle predicates', () => {
  it('reads node_state as PD does', () => {
    expect(
      [0, 1, 2, 3].map((n) => [
        isServing({ node_state: n }),
        isRemoving({ node_state: n }),
        isRemoved({ node_state: n }),
      ])
    ).toEqual([
      [false, false, false],
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ]);
  });

  it('knows TiFlash stores by the engine label', () => {
    expect(isTiFlash({ labels: [{ key: 'engine', value: 'tiflash' }] })).toBe(true);
    expect(isTiFlash({ labels: [{ key: 'engine', value: 'tiflash_compute' }] })).toBe(true);
    expect(isTiFlash({ labels: [{ key: 'zone', value: 'tiflash' }] })).toBe(false);
    expect(isTiFlash({ labels: [] })).toBe(false);
  });
});

describe("heartbeat age against PD's clock", () => {
  it('is PD now minus the last heartbeat', () => {
    expect(heartbeatAgeMs({ last_heartbeat_ms: NOW - 37_000 }, NOW)).toBe(37_000);
  });

  it("is never negative when PD's whole-second Date header lags the heartbeat", () => {
    expect(heartbeatAgeMs({ last_heartbeat_ms: NOW + 812 }, NOW)).toBe(0);
  });

  it('is undefined before the first heartbeat', () => {
    expect(heartbeatAgeMs({}, NOW)).toBeUndefined();
  });
});
