import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import type { HttpResponse } from './http-context.js';
import { type Handler, Router } from './router.js';

const answer =
  (name: string): Handler =>
  () =>
    ({ status: 200, headers: {}, body: name }) satisfies HttpResponse;

describe('Router', () => {
  const sessions = new Router()
    .get('/sessions/:id', answer('get session'))
    .post('/sessions/:id/messages', answer('send'))
    .get('/sessions/:id/commits/:sha', answer('commit'));
  const router = new Router()
    .mount('/api/v1', new Router().mount('/', sessions))
    .mount('/', new Router().get('/', answer('root')))
    .get('/w/*', answer('app route'));

  it('matches method and path, with decoded parameters', () => {
    const match = router.find('GET', '/api/v1/sessions/ses%2F1');
    expect(match?.params).toEqual({ id: 'ses/1' });
    expect(router.find('GET', '/api/v1/sessions/s1/commits/abc')?.params).toEqual({ id: 's1', sha: 'abc' });
    expect(router.find('POST', '/api/v1/sessions/s1/messages')).toBeDefined();
  });

  it('does not match another method, a shorter or longer path, or an empty parameter', () => {
    expect(router.find('DELETE', '/api/v1/sessions/s1')).toBeUndefined();
    expect(router.find('GET', '/api/v1/sessions')).toBeUndefined();
    expect(router.find('GET', '/api/v1/sessions/s1/extra')).toBeUndefined();
    expect(router.find('GET', '/api/v1/sessions/')).toBeUndefined();
    expect(router.find('GET', '/api/v2/sessions/s1')).toBeUndefined();
  });

  it('answers HEAD with the GET route, and routes / and trailing wildcards', async () => {
    expect(router.find('HEAD', '/api/v1/sessions/s1')).toBeDefined();
    const root = router.find('GET', '/');
    expect(root && (await root.handler({} as never)).body).toBe('root');
    expect(router.find('GET', '/w/ws_1/s/ses_2')).toBeDefined();
    expect(router.find('GET', '/x')).toBeUndefined();
  });

  it('refuses a malformed escape with a 400 instead of throwing URIError', () => {
    expect(() => router.find('GET', '/api/v1/sessions/%E0%A4%A')).toThrow(BadRequestError);
  });
});
