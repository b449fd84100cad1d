/** Bundles the harness' shared modules (react, @grafana/*, …) for the browser with esbuild, once per test run. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { build } from 'esbuild';

export interface HarnessBundle {
  files: Record<string, string>;
  sharedNames: string[];
}

const SHARED = [
  'react',
  'react-dom',
  'react-dom/client',
  'react/jsx-runtime',
  'react-router',
  'react-router-dom',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  '@grafana/i18n',
  '@emotion/css',
  'rxjs',
  'rxjs/operators',
];

let cached: Promise<HarnessBundle> | undefined;

export function bundleHarness(): Promise<HarnessBundle> {
  cached ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'tikv-operator-harness-'));
    await build({
      entryPoints: [join(__dirname, 'shared.tsx')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      outfile: join(out, 'shared.js'),
      jsx: 'automatic',
      // UMD packages (lodash) must not see SystemJS' global AMD `define`: they would register there instead of exporting.
      define: { 'process.env.NODE_ENV': '"production"', global: 'window', define: 'undefined' },
      loader: { '.css': 'empty', '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.png': 'empty' },
      logLevel: 'error',
    });
    const systemjs = join(require.resolve('systemjs/package.json'), '..', 'dist');
    return {
      files: {
        'shared.js': join(out, 'shared.js'),
        'system.js': join(systemjs, 'system.js'),
        'amd.js': join(systemjs, 'extras', 'amd.js'),
      },
      sharedNames: SHARED,
    };
  })();
  return cached;
}
