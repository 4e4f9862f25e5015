import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error';
import { ApiClient } from './rest-client';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('ApiClient', () => {
  it('sends the bearer token and parses the response with the protocol schema', async () => {
    const fetch = vi.fn().mockResolvedValue(
      jsonResponse(200, {
        ok: true,
        version: '0.1.0',
        protocolVersion: 1,
        demoModel: true,
        maxConcurrentTurns: 4,
      }),
    );
    const health = await new ApiClient('tok', { fetch }).health();
    expect(health.demoModel).toBe(true);
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/v1/health');
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer tok');
  });

  it('surfaces the backend error code and message as an ApiError', async () => {
    const body = { error: { code: 'not_a_git_repo', message: '/tmp/x is not a git repository' } };
    const fetch = vi.fn().mockResolvedValue(jsonResponse(400, body));
    const failure = await new ApiClient('tok', { fetch })
      .addWorkspace({ path: '/tmp/x' })
      .catch((error) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({
      code: 'not_a_git_repo',
      status: 400,
      message: '/tmp/x is not a git repository',
    });
  });

  it('reports a request cancelled while its body was read as cancelled, not as a response it could not read', async () => {
    const controller = new AbortController();
    const fetch = vi.fn().mockImplementation(async () => {
      controller.abort();
      return { ok: true, status: 200, json: () => Promise.reject(new DOMException('aborted', 'AbortError')) };
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failure = await new ApiClient('tok', { fetch })
      .commits('s1', controller.signal)
      .catch((error) => error);
    expect(failure).toMatchObject({ code: 'aborted', status: 0 });
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });

  it('reports an unreachable backend as a network error', async () => {
    const fetch = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'));
    const failure = await new ApiClient('tok', { fetch }).listWorkspaces().catch((error) => error);
    expect(failure).toMatchObject({ code: 'network', status: 0 });
  });

  it('reads a session without a pull request as null, and still reports a real 404', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(jsonResponse(200, null))
      .mockResolvedValueOnce(jsonResponse(404, { error: { code: 'not_found', message: 'Session "s9"' } }));
    const api = new ApiClient('tok', { fetch });
    expect(await api.pullRequest('s1')).toBeNull();
    expect((fetch.mock.calls[0] as [string])[0]).toBe('/api/v1/sessions/s1/pr');
    // Only "no PR" is null now; an unknown session is an error the UI shows.
    const failure = await api.pullRequest('s9').catch((error) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('refuses a response that does not match the schema', async () => {
    const fetch = vi.fn().mockResolvedValue(jsonResponse(200, { workspaces: [{ id: 1 }] }));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failure = await new ApiClient('tok', { fetch }).listWorkspaces().catch((error) => error);
    expect(failure).toMatchObject({ code: 'bad_response' });
  });
});
