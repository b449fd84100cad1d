import Fastify from 'fastify';

import { bearerOf, tokenMatcher } from '../../../src/server/auth';

const READ = 'read-token-0123456789';

// Routes wired with these (the /api hook, the actions routes, the exporter) are tested on the real app in
// tests/integration/server/query.test.ts and tests/integration/actions/routes.test.ts.

describe('bearer tokens', () => {
  test('tokenMatcher accepts only the exact token, whatever the lengths', () => {
    expect(tokenMatcher(READ)(READ)).toBe(true);
    expect(tokenMatcher(READ)(READ.slice(0, -1))).toBe(false);
    expect(tokenMatcher(READ)(`${READ}x`)).toBe(false);
    expect(tokenMatcher(READ)('')).toBe(false);
    expect(tokenMatcher(READ)(undefined)).toBe(false);
  });

  test('bearerOf reads "Bearer <token>" case-insensitively and nothing else', async () => {
    const app = Fastify();
    app.get('/', async (req) => ({ token: bearerOf(req) ?? null }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const token = async (authorization?: string) =>
      ((await (await fetch(url, { headers: authorization ? { authorization } : {} })).json()) as { token: string | null }).token;
    expect(await token(`Bearer ${READ}`)).toBe(READ);
    expect(await token(`bearer ${READ}`)).toBe(READ);
    expect(await token(`Basic ${READ}`)).toBeNull();
    expect(await token('Bearer')).toBeNull();
    expect(await token(`Bearer ${READ} extra`)).toBeNull();
    expect(await token()).toBeNull();
    await app.close();
  });
});
