/**
 * The browser side of the Grafana host harness (bundled with esbuild for the test): the modules Grafana shares with
 * plugins (react, react-dom, @grafana/*, rxjs, …) and Grafana's runtime services (backendSrv, templateSrv,
 * dataSourceSrv), set up the way Grafana does before it loads a plugin's AMD `module.js` through SystemJS.
 */
import * as emotionCss from '@emotion/css';
import * as data from '@grafana/data';
import * as i18n from '@grafana/i18n';
import * as runtime from '@grafana/runtime';
import * as ui from '@grafana/ui';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as reactRouter from 'react-router';
import * as reactRouterDom from 'react-router-dom';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';

import { startHarness } from './boot';

const shared: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  'react-dom/client': ReactDOMClient,
  'react/jsx-runtime': jsxRuntime,
  'react-router': reactRouter,
  'react-router-dom': reactRouterDom,
  '@grafana/data': data,
  '@grafana/ui': ui,
  '@grafana/runtime': runtime,
  '@grafana/i18n': i18n,
  '@emotion/css': emotionCss,
  rxjs,
  'rxjs/operators': rxjsOperators,
};

declare const System: { set(id: string, ns: unknown): void };
for (const [name, ns] of Object.entries(shared)) {
  // SystemJS' AMD extra hands `ns.default` to the factory when `__useDefault` is set (as Grafana's loader does).
  System.set(`app:${name}`, { default: ns, __useDefault: true });
}

startHarness();
