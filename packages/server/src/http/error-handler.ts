import type { ErrorBody } from '@chatml/protocol';
import { ZodError } from 'zod';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { HttpContext, HttpResponse } from './http-context.js';

/** The one place errors become HTTP responses: `{error:{code,message}}` with the right status. */
export function errorResponse(c: HttpContext, error: unknown, logger: Logger): HttpResponse {
  if (error instanceof AppError) {
    if (error.status >= 500) logger.error(`${c.req.method} ${c.req.path}: ${error.message}`);
    const response = body(error.code, error.message);
    if (error.conflicts) response.error.conflicts = [...error.conflicts];
    return c.json(response, error.status);
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : undefined;
    const problem = issue?.message ?? 'bad input';
    const response = body('bad_request', `Invalid request: ${field ? `${field}: ` : ''}${problem}`);
    if (field) Object.assign(response.error, { field, fieldMessage: problem });
    return c.json(response, 400);
  }
  if (error instanceof SyntaxError)
    return c.json(body('bad_request', 'The request body is not valid JSON.'), 400);
  logger.error(`${c.req.method} ${c.req.path} failed: ${(error as Error)?.stack ?? String(error)}`);
  return c.json(body('internal', 'Something went wrong inside ChatML; the details are in its log.'), 500);
}

export function body(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
