import type { z } from 'zod';
import type { HttpContext } from './http-context.js';

/** Parse a JSON body with a protocol schema; a ZodError becomes a 400 in the error handler. */
export async function parseBody<S extends z.ZodType>(c: HttpContext, schema: S): Promise<z.output<S>> {
  return schema.parse(await c.req.json());
}

/** parseBody for a body that may be left out: an empty body is parsed as `{}`. */
export async function parseOptionalBody<S extends z.ZodType>(
  c: HttpContext,
  schema: S,
): Promise<z.output<S>> {
  const text = await c.req.text();
  return text.trim() === '' ? schema.parse({}) : schema.parse(await c.req.json());
}
