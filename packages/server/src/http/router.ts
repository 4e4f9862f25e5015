import { BadRequestError } from '../errors.js';
import type { HttpContext, HttpResponse } from './http-context.js';

export type Handler = (c: HttpContext) => HttpResponse | Promise<HttpResponse>;

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'rest' };

interface Route {
  method: string;
  segments: Segment[];
  handler: Handler;
}

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
}

/**
 * Method + path routing for our few dozen routes: literal segments, `:name` parameters (one
 * segment, percent-decoded) and a trailing `*`. Routes are tried in the order they were added.
 *
 * Why not a framework: Hono's Node adapter loads undici (the global Request/Response) at import,
 * and find-my-way costs several MiB at import too — together most of what kept the idle backend
 * over its memory budget (docs/PERFORMANCE.md). This matcher is all the routing we need.
 */
export class Router {
  private readonly routes: Route[] = [];

  get(path: string, handler: Handler): this {
    return this.add('GET', path, handler);
  }

  post(path: string, handler: Handler): this {
    return this.add('POST', path, handler);
  }

  put(path: string, handler: Handler): this {
    return this.add('PUT', path, handler);
  }

  patch(path: string, handler: Handler): this {
    return this.add('PATCH', path, handler);
  }

  delete(path: string, handler: Handler): this {
    return this.add('DELETE', path, handler);
  }

  /** Add every route of `router` under `prefix` (e.g. `/api/v1`). */
  mount(prefix: string, router: Router): this {
    const prefixSegments = prefix === '/' ? [] : parsePattern(prefix);
    for (const route of router.routes)
      this.routes.push({ ...route, segments: [...prefixSegments, ...route.segments] });
    return this;
  }

  /** The first route for this method and path; HEAD falls back to GET. Malformed escapes are a 400. */
  find(method: string, pathname: string): RouteMatch | undefined {
    const parts = pathname.split('/').slice(1);
    for (const route of this.routes) {
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params = matchSegments(route.segments, parts);
      if (params) return { handler: route.handler, params };
    }
    return undefined;
  }

  private add(method: string, path: string, handler: Handler): this {
    this.routes.push({ method, segments: parsePattern(path), handler });
    return this;
  }
}

function parsePattern(path: string): Segment[] {
  if (!path.startsWith('/')) throw new Error(`route ${path} must start with /`);
  if (path === '/') return [{ kind: 'literal', value: '' }];
  return path
    .split('/')
    .slice(1)
    .map((part, index, all): Segment => {
      if (part === '*') {
        if (index !== all.length - 1) throw new Error(`route ${path}: * must be last`);
        return { kind: 'rest' };
      }
      if (part.startsWith(':')) return { kind: 'param', name: part.slice(1) };
      return { kind: 'literal', value: part };
    });
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === 'rest') return index <= parts.length ? params : undefined;
    const part = parts[index];
    if (part === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (part !== segment.value) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.name] = decodeSegment(part);
    }
  }
  return parts.length === segments.length ? params : undefined;
}

function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BadRequestError('The request path has a malformed %-escape.');
  }
}
