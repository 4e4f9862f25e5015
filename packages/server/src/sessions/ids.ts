import { randomBytes } from 'node:crypto';

/** Short, URL-safe, prefixed ids (`ses_3fJ9…`): the prefix tells a reader what an id names. */
export function newId(prefix: 'ws' | 'ses' | 'msg' | 'turn'): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}
