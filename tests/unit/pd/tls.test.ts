/**
 * TLS to PD with a CA and a client certificate. The certificate is made for the test with /usr/bin/openssl
 * (self-signed for 127.0.0.1, so it is its own CA); the test fails, rather than skips, when openssl is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { UpstreamUnreachableError } from '../../../src/shared/errors';
import { PDClient } from '../../../src/subject/pd/client';
import { startPdFixtureServer, type PdFixtureServer } from '../../support/pdFixtureServer';

const OPENSSL = '/usr/bin/openssl';

function selfSigned(dir: string, name: string): { key: string; cert: string } {
  const keyPath = path.join(dir, `${name}.key`);
  const certPath = path.join(dir, `${name}.crt`);
  execFileSync(
    OPENSSL,
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
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' }
  );
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}

let dir: string;
let server: { key: string; cert: string };
let clientCert: { key: string; cert: string };
let pd: PdFixtureServer;
let mtls: PdFixtureServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pd-tls-'));
  server = selfSigned(dir, 'pd-server');
  clientCert = selfSigned(dir, 'operator-client');
  pd = await startPdFixtureServer({ tls: server });
  mtls = await startPdFixtureServer({ tls: { ...server, clientCa: clientCert.cert } });
});

afterAll(async () => {
  await pd?.close();
  await mtls?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PD over TLS', () => {
  it('reads PD when the CA that signed its certificate is given', async () => {
    const c = new PDClient({ urls: [pd.url], tls: { ca: server.cert } });
    try {
      const a = await c.getCluster();
      expect(a.origin).toBe(pd.url);
      expect(a.data.id).toBe('7291847362517380123');
    } finally {
      await c.close();
    }
  });

  it('refuses a certificate no trusted CA signed', async () => {
    const c = new PDClient({ urls: [pd.url] });
    try {
      const err = await c.getCluster().catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(UpstreamUnreachableError);
      expect((err as Error).message).toMatch(
        /^PD \/cluster: unreachable \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/
      );
    } finally {
      await c.close();
    }
  });

  it('presents a client certificate and key for mutual TLS', async () => {
    const withCert = new PDClient({
      urls: [mtls.url],
      tls: { ca: server.cert, cert: clientCert.cert, key: clientCert.key },
    });
    const without = new PDClient({ urls: [mtls.url], tls: { ca: server.cert } });
    try {
      expect((await withCert.getVersion()).data.version).toBe('v8.5.1');
      await expect(without.getVersion()).rejects.toBeInstanceOf(UpstreamUnreachableError);
    } finally {
      await withCert.close();
      await without.close();
    }
  });
});
