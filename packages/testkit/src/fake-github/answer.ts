/** What a route answers with, before the server adds rate-limit headers and an `etag`. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const MESSAGES: Record<number, string> = {
  401: 'Bad credentials',
  403: 'Forbidden',
  404: 'Not Found',
  422: 'Validation Failed',
  429: 'Too Many Requests',
  500: 'Server Error',
};

/** GitHub's `message` text for an error status. */
export function statusMessage(status: number): string {
  return MESSAGES[status] ?? `HTTP ${status}`;
}

export function ok(body: unknown): Answer {
  return { status: 200, body };
}

export function error(status: number): Answer {
  return {
    status,
    body: {
      message: statusMessage(status),
      documentation_url: 'https://docs.github.com/rest',
    },
  };
}

/** GitHub's `per_page`/`page` with a `Link` header (absolute URLs, as Octokit's paginate follows). */
export function paginate(list: unknown[], url: URL, apiBase: string): Answer {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
  const lastPage = Math.max(1, Math.ceil(list.length / perPage));
  const links: string[] = [];
  const link = (n: number, rel: string) => {
    const params = new URLSearchParams(url.searchParams);
    params.set('page', String(n));
    links.push(`<${apiBase}${url.pathname}?${params}>; rel="${rel}"`);
  };
  if (page < lastPage) {
    link(page + 1, 'next');
    link(lastPage, 'last');
  }
  const answer = ok(list.slice((page - 1) * perPage, page * perPage));
  if (links.length > 0) answer.headers = { link: links.join(', ') };
  return answer;
}
