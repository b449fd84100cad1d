/**
 * The one place errors become answers: `{statusCode, code, error, message}` (fastify's default body plus our code).
 * Schema failures name the field by its zod path (`queries[1].observation`); our catalog's errors keep their status;
 * fastify's own 4xx (bad JSON, wrong content type, body too large) keep theirs; anything else is a 500 that still
 * says what went wrong.
 */
import { STATUS_CODES } from 'node:http';

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

import {
  ActionUnsafeError,
  BadQueryError,
  ERROR_CODES,
  type ErrorCode,
  OperatorError,
  UnauthorizedError,
  describeError,
} from '../shared/errors';
import { fieldPathOfPointer } from '../shared/fieldPath';
import type { ErrorBody } from '../shared/schema/frames';

export function toErrorBody(err: unknown): ErrorBody {
  let e: unknown = err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issue = err.validation[0];
    const field = fieldPathOfPointer(issue.instancePath);
    e = new BadQueryError(issue.message ?? 'invalid value', field || undefined);
  }
  if (e instanceof OperatorError) {
    const body = {
      statusCode: e.statusCode,
      code: e.code,
      error: STATUS_CODES[e.statusCode] ?? 'Error',
      message: e.message,
    };
    return e instanceof ActionUnsafeError ? { ...body, reasons: e.reasons } : body;
  }
  const fe = e as Partial<FastifyError>;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // fastify's own codes (FST_ERR_CTP_*, FST_ERR_BAD_URL) are its internals; the answer carries ours.
    const code = FASTIFY_STATUS_CODES[fe.statusCode] ?? ERROR_CODES.BAD_QUERY;
    return {
      statusCode: fe.statusCode,
      code,
      error: STATUS_CODES[fe.statusCode] ?? 'Error',
      message: fe.message ?? 'bad request',
    };
  }
  return { statusCode: 500, code: ERROR_CODES.INTERNAL, error: STATUS_CODES[500]!, message: describeError(e) };
}

/**
 * fastify's 4xx by status: 413 FST_ERR_CTP_BODY_TOO_LARGE, 415 FST_ERR_CTP_INVALID_MEDIA_TYPE, 404; the rest (400
 * bad JSON, empty JSON body, bad URL encoding) are a bad request.
 */
const FASTIFY_STATUS_CODES: Record<number, ErrorCode> = {
  404: ERROR_CODES.NOT_FOUND,
  413: ERROR_CODES.BODY_TOO_LARGE,
  415: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
};

/**
 * Every error's answer: the route handler's and fastify's `frameworkErrors` (errors it meets before routing, such as
 * FST_ERR_BAD_URL for `/api/%zz`, would otherwise be answered in its own shape, without our code).
 */
export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const body = toErrorBody(err);
  if (body.statusCode >= 500) {
    req.log.error({ err }, body.message);
  } else {
    req.log.info({ statusCode: body.statusCode, code: body.code }, body.message);
  }
  if (err instanceof UnauthorizedError) {
    // RFC 6750 §3: a 401 names the scheme it wants.
    void reply.header('www-authenticate', 'Bearer');
  }
  void reply.code(body.statusCode).send(body);
}
