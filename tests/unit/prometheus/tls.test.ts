/** TLS to Prometheus with the CA that signed its certificate, plus a bearer token (certificate: selfSigned). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { UpstreamUnreachableError } from '../../../src/shared/errors';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { type PromFakeServer, startPromFakeServer } from '../../support/promFakeServer';
import { selfSigned } from '../../support/selfSigned';

let dir: string;
let cert: { key: string; cert: string };
let prom: PromFakeServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'prom-tls-'));
  cert = selfSigned(dir, 'prometheus');
  prom = await startPromFakeServer(undefined, { tls: cert });
});

afterAll(async () => {
  await prom?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus over TLS', () => {
  it('queries Prometheus when the CA is given, sending the bearer token', async () => {
    const c = new PrometheusClient({ url: prom.url, tls: { ca: cert.cert }, auth: { bearer: 'tok' } });
    try {
      expect(await c.buildInfo()).toEqual({ version: '2.53.0' });
      expect(prom.requests.at(-1)?.headers.authorization).toBe('Bearer tok');
    } finally {
      await c.close();
    }
  });

  it('refuses a certificate no trusted CA signed', async () => {
    const c = new PrometheusClient({ url: prom.url });
    try {
      await expect(c.buildInfo()).rejects.toThrow(UpstreamUnreachableError);
    } finally {
      await c.close();
    }
  });
});
