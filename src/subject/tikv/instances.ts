/**
 * Store ↔ Prometheus `instance` mapping. TiKV series carry no store id (pd-tikv.md §3.1), so the join goes through
 * PD's `status_address`:
 * - `status_address` (TiUP, plain Prometheus): `instance` is the status address itself, `10.0.1.21:20180`;
 * - `host`: `instance` names the host, with or without a port (`10.0.1.21`, `10.0.1.21:9100`); breaks when several
 *   TiKVs share a host, which the directory reports as ambiguous;
 * - `pod` (tidb-operator): `instance` is the pod name, the first DNS label of the status address
 *   (`basic-tikv-0.basic-tikv-peer.ns.svc:20180` → `basic-tikv-0`).
 */
import type { LabelMatcher } from '../prometheus/selector';
import type { SelectorFn } from './promql';

export const INSTANCE_MAPPINGS = ['status_address', 'host', 'pod'] as const;
export type InstanceMapping = (typeof INSTANCE_MAPPINGS)[number];

/** The part of PD's `StoreInfo` the join needs (PD's field names). */
export interface StoreAddressing {
  store: { id: number; address: string; status_address?: string };
}

export interface InstanceStore {
  store_id: number;
  address: string;
  status_address: string;
}

/** `host:port`, `[::1]:port`, `host` → the host (brackets of an IPv6 literal removed). */
export function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) {
    return bracketed[1];
  }
  // One colon = host:port; several = a bare IPv6 literal, no port.
  const colons = address.split(':').length - 1;
  return colons === 1 ? address.slice(0, address.indexOf(':')) : address;
}

/** The key an `instance` label value (or a store's status address) is compared by under a mapping. */
export function instanceKey(instance: string, mapping: InstanceMapping): string {
  switch (mapping) {
    case 'status_address':
      return instance;
    case 'host':
      return hostOf(instance);
    case 'pod':
      return hostOf(instance).split('.')[0];
  }
}

/** The `instance` value expected for a store under a mapping (for `host`/`pod`, the key the label is matched by). */
export function instanceOf(store: StoreAddressing, mapping: InstanceMapping): string {
  // A store that never reported a status address (very old TiKV) is scraped, if at all, by its gRPC address.
  return instanceKey(store.store.status_address || store.store.address, mapping);
}

/** RE2 metacharacters escaped, so an address is matched literally inside `=~`. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * One `instance=~"…"` matcher selecting exactly these stores' series under the mapping (Prometheus anchors
 * regexes). Values are regex-escaped here and string-escaped by `renderSelector`, so an address cannot inject PromQL.
 */
export function instanceMatcher(stores: StoreAddressing[], mapping: InstanceMapping): LabelMatcher {
  const alternatives = [...new Set(stores.map((s) => instanceOf(s, mapping)))].map((key) => {
    const k = escapeRegex(key);
    switch (mapping) {
      case 'status_address':
        return k;
      case 'host':
        return k.includes(':') ? `\\[${k}\\](:[0-9]+)?|${k}` : `${k}(:[0-9]+)?`;
      case 'pod':
        return `${k}(\\.[^:]*)?(:[0-9]+)?`;
    }
  });
  // No store: a regex that matches nothing (an empty alternation would match the empty instance).
  return { name: 'instance', op: '=~', value: alternatives.length > 0 ? alternatives.join('|') : '$.^' };
}

export class InstanceDirectory {
  readonly mapping: InstanceMapping;
  private readonly byKey = new Map<string, InstanceStore>();
  private readonly byId = new Map<number, InstanceStore>();
  /** Keys that several stores map to (e.g. two TiKVs on one host under `host`): never joined silently. */
  readonly ambiguous = new Set<string>();

  constructor(stores: StoreAddressing[], mapping: InstanceMapping) {
    this.mapping = mapping;
    for (const s of stores) {
      const entry: InstanceStore = {
        store_id: s.store.id,
        address: s.store.address,
        status_address: s.store.status_address ?? '',
      };
      this.byId.set(entry.store_id, entry);
      const key = instanceOf(s, mapping);
      if (this.byKey.has(key) && this.byKey.get(key)!.store_id !== entry.store_id) {
        this.ambiguous.add(key);
      }
      this.byKey.set(key, entry);
    }
  }

  /** The store behind an `instance` label value; undefined when none (or several) map to it. */
  byInstance(instance: string): InstanceStore | undefined {
    const key = instanceKey(instance, this.mapping);
    return this.ambiguous.has(key) ? undefined : this.byKey.get(key);
  }

  byStoreId(id: number): InstanceStore | undefined {
    return this.byId.get(id);
  }

  /** The instance key a store is expected under. */
  keyOf(id: number): string | undefined {
    const s = this.byId.get(id);
    return s ? instanceKey(s.status_address || s.address, this.mapping) : undefined;
  }
}

/**
 * `prometheus.selector` restricted to `only`'s stores (a storeIds filter), or as is without one: every query of an
 * observation built on it asks for those stores' series alone.
 */
export function scopedSelector(
  prometheus: { selector: SelectorFn },
  only: StoreAddressing[] | undefined,
  mapping: InstanceMapping
): SelectorFn {
  const extra: LabelMatcher[] = only ? [instanceMatcher(only, mapping)] : [];
  return (metric, matchers = [], job) => prometheus.selector(metric, [...matchers, ...extra], job);
}
