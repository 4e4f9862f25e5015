import type { Context } from 'hono';
import type { z } from 'zod';
import { BadRequestError } from '../errors.js';

/** Parse a JSON body with a protocol schema; a ZodError becomes a 400 in the error handler. */
export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new BadRequestError('The request body is not valid JSON.');
  }
  return schema.parse(json);
}
