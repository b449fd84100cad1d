/**
 * The `CONFIG_FILE` YAML (config.ts): a mapping of variable names to scalars, and optionally `CLUSTERS`, a non-empty
 * list of mappings of per-cluster keys. Unknown keys, nested values and process-wide keys inside a cluster are
 * ConfigErrors naming their place (`CLUSTERS[1].PORT`).
 */
import { readFileSync } from 'node:fs';

import { parse as parseYaml } from 'yaml';

import { ConfigError } from '../shared/errors';

export type Source = Partial<Record<string, string | undefined>>;

export interface ConfigFileKeys {
  /** Every variable name the backend reads. */
  known: Set<string>;
  /** The names a CLUSTERS entry may set. */
  perCluster: Set<string>;
  /** `CLUSTERS`. */
  clustersKey: string;
  /** `CONFIG_FILE`, named by errors about the file as a whole. */
  fileVariable: string;
}

export function readConfigFile(path: string, keys: ConfigFileKeys): { top: Source; clusters?: Source[] } {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(keys.fileVariable, `cannot read ${path}: ${why}`);
  }
  if (doc === null || doc === undefined) {
    return { top: {} };
  }
  if (!isMapping(doc)) {
    throw new ConfigError(keys.fileVariable, `${path} must be a mapping of variable names to values`);
  }
  const { [keys.clustersKey]: list, ...rest } = doc;
  const top = scalars(rest, '', keys.known, path);
  if (list === undefined || list === null) {
    return { top };
  }
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(keys.clustersKey, `must be a non-empty list of mappings in ${path}`);
  }
  const perCluster = keys.perCluster;
  const clusters = list.map((entry, i) => {
    const prefix = `${keys.clustersKey}[${i}].`;
    if (!isMapping(entry)) {
      throw new ConfigError(`${keys.clustersKey}[${i}]`, `must be a mapping of per-cluster settings in ${path}`);
    }
    for (const k of Object.keys(entry)) {
      if (!perCluster.has(k) && keys.known.has(k)) {
        throw new ConfigError(prefix + k, `is process-wide: set it at the top level of ${path}, not in a cluster`);
      }
    }
    return scalars(entry, prefix, perCluster, path);
  });
  return { top, clusters };
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A mapping's scalar values as strings; unknown keys and nested values are errors named with `prefix`. */
function scalars(doc: Record<string, unknown>, prefix: string, known: Set<string>, path: string): Source {
  const out: Source = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!known.has(k)) {
      throw new ConfigError(prefix + k, `unknown setting in ${path}`);
    }
    if (v !== null && typeof v === 'object') {
      throw new ConfigError(prefix + k, `must be a string, number or boolean in ${path}`);
    }
    out[k] = v === null ? undefined : String(v);
  }
  return out;
}
