import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HttpContext, HttpResponse } from './http-context.js';
import { Router } from './router.js';

/**
 * A minimal built-in page for when the React UI (packages/web) is not built: it proves the launch flow
 * end to end — token from the URL fragment into session storage, address bar cleared at once,
 * authenticated API calls, and a live event stream over the WebSocket.
 */
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ChatML</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
  :root { color-scheme: light dark; font: 14px/1.4 system-ui, sans-serif; }
  body { margin: 0; display: grid; grid-template-columns: 260px 1fr; height: 100vh; }
  nav { border-right: 1px solid #8884; padding: 12px; overflow: auto; }
  main { padding: 12px; overflow: auto; }
  h1 { font-size: 15px; margin: 0 0 8px; } .muted { opacity: .65; } .demo { color: #c60; font-weight: 600; }
  button.session { display: block; width: 100%; text-align: left; margin: 2px 0; }
  pre { white-space: pre-wrap; margin: 0; font: 13px/1.4 ui-monospace, monospace; }
</style></head>
<body><nav><h1>ChatML</h1><div id="banner"></div><div id="list" aria-label="Sessions"></div></nav>
<main><div id="transcript" aria-live="polite"><p class="muted">Pick a session.</p></div></main>
<script type="module">
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get('token')) { sessionStorage.setItem('chatml.token', fragment.get('token')); history.replaceState(null, '', location.pathname); }
const token = sessionStorage.getItem('chatml.token');
const api = (path, init = {}) => fetch('/api/v1' + path, { ...init, headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' } }).then((r) => r.json());
const list = document.getElementById('list'), transcript = document.getElementById('transcript');
if (!token) { list.textContent = 'Open ChatML with the link the chatml command printed.'; }
else {
  const health = await api('/health');
  if (health.demoModel) document.getElementById('banner').innerHTML = '<p class="demo">Offline demo model — not Claude.</p>';
  for (const ws of (await api('/workspaces')).workspaces) {
    const h = document.createElement('h1'); h.textContent = ws.name; list.append(h);
    for (const s of (await api('/workspaces/' + ws.id + '/sessions')).sessions) {
      const b = document.createElement('button'); b.className = 'session'; b.textContent = s.name + ' · ' + s.status;
      b.onclick = () => watch(s.id); list.append(b);
    }
  }
}
let socket;
function watch(sessionId) {
  socket?.close(); transcript.textContent = '';
  const out = document.createElement('pre'); transcript.append(out);
  socket = new WebSocket('ws://' + location.host + '/ws', ['chatml.v1', 'chatml.token.' + token]);
  socket.onopen = () => socket.send(JSON.stringify({ type: 'subscribe', sessionId, afterSeq: 0 }));
  socket.onmessage = (m) => {
    const f = JSON.parse(m.data);
    const events = f.type === 'event' ? [f.event] : f.type === 'events' ? f.events : [];
    for (const e of events) {
      const p = e.payload;
      if (e.type === 'stream_delta' && p.kind === 'text') out.textContent += p.text;
      else if (e.type === 'user_message') out.textContent += '\\n\\n> ' + p.text + '\\n\\n';
      else if (e.type === 'tool_use') out.textContent += '\\n[' + p.tool + '] ' + JSON.stringify(p.input).slice(0, 200) + '\\n';
      else if (e.type === 'turn_ended') out.textContent += '\\n— turn ' + p.outcome + (p.reason ? ': ' + p.reason : '') + '\\n';
    }
  };
}
</script></body></html>`;

/** Only our own scripts, styles and sockets: a second wall if anything ever injected markup. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function pageHeaders(c: HttpContext): void {
  // The page reads the token from the fragment; never let it be cached or framed by other sites.
  c.header('Cache-Control', 'no-store');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
}

/** The built UI (`@chatml/web`'s dist), or undefined when it has not been built. */
export function findWebDist(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@chatml/web/package.json');
    const dist = join(dirname(manifest), 'dist');
    return existsSync(join(dist, 'index.html')) ? dist : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The UI's pages: `index.html` for `/` and every app route (`/w/…`, `/settings`), so reload and
 * back/forward work. Without a built UI, a minimal page still proves the launch flow.
 */
export function uiRoutes(uiDir: string | undefined): Router {
  const html = uiDir ? indexPage(join(uiDir, 'index.html')) : () => page;
  const shell = (c: HttpContext): HttpResponse => {
    pageHeaders(c);
    return c.html(html());
  };
  const router = new Router().get('/', shell);
  // `/index.html` is the same page: it gets the page's headers (CSP, no framing), not a file's.
  return uiDir ? router.get('/w/*', shell).get('/settings', shell).get('/index.html', shell) : router;
}

/**
 * `index.html`, read again when it changed: a UI rebuilt while the backend runs names new asset
 * files, and a page naming the old ones would load nothing. While it is being rewritten (missing
 * or unreadable) the last good copy is served.
 */
function indexPage(path: string): () => string {
  let cached: { mtimeMs: number; html: string } | undefined;
  return () => {
    try {
      const { mtimeMs } = statSync(path);
      if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(path, 'utf8') };
    } catch (error) {
      if (!cached) throw error;
    }
    return cached.html;
  };
}
