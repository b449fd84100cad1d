/**
 * TLS to Prometheus with the CA that signed its certificate, plus a bearer token. The certificate is made for the
 * test with /usr/bin/openssl (self-signed for 127.0.0.1); the test fails, rather than skips, when openssl is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { UpstreamUnreachableError } from '../../../src/shared/errors';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { type PromFakeServer, startPromFakeServer } from '../../support/promFakeServer';

let dir: string;
let cert: { key: string; cert: string };
let prom: PromFakeServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'prom-tls-'));
  const keyPath = path.join(dir, 'prom.key');
  const certPath = path.join(dir, 'prom.crt');
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=prometheus',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' }
  );
  cert = { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
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
