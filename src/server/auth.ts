/**
 * Bearer tokens (RFC 6750) checked in constant time. Grafana's data source proxy injects the token from
 * secureJsonData on its routes (grafana-plugin.md §3.2); every other header is user input, so only the token counts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyRequest } from 'fastify';

import { UnauthorizedError } from '../shared/errors';

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return m ? m[1] : undefined;
}

/**
 * Constant-time comparison: both sides are hashed first, so timingSafeEqual always sees equal lengths and the
 * time taken reveals neither the token's content nor its length.
 */
export function tokenMatcher(expected: string): (presented: string | undefined) => boolean {
  // The expected token's digest is made once, not on every request.
  const want = createHash('sha256').update(expected).digest();
  return (presented) =>
    presented !== undefined && timingSafeEqual(createHash('sha256').update(presented).digest(), want);
}

/** An onRequest hook that lets a request through only with `Authorization: Bearer <token>`. */
export function requireBearer(token: string, what: string) {
  const matches = tokenMatcher(token);
  return async (req: FastifyRequest): Promise<void> => {
    if (!matches(bearerOf(req))) {
      throw new UnauthorizedError(`missing or wrong bearer token (${what})`);
    }
  };
}
