import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The backend serves `dist/` at `/` and `index.html` for every `/w/…` route, so assets must be
 * addressed from the root (`base: '/'`), never relative to the current route.
 *
 * For `vite dev`, set CHATML_BACKEND=http://127.0.0.1:<port> and open the dev server with
 * `#token=<token>`. The backend refuses foreign Host and Origin headers, so the proxy rewrites both.
 */
const backend = process.env.CHATML_BACKEND;

export default defineConfig({
  base: '/',
  plugins: [react()],
  // The highlighter's worker loads each grammar on demand, which needs an ES-module worker.
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across app updates.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            // entriesAware: libraries only lazy chunks use (the highlighter, its grammars, the diff
            // parser) stay in those chunks instead of joining the vendor chunk every page loads.
            { name: 'vendor', test: /node_modules[\\/]/, entriesAware: true },
          ],
        },
      },
    },
  },
  server: backend
    ? {
        proxy: {
          '/api': { target: backend, changeOrigin: true, headers: { origin: backend } },
          '/ws': { target: backend, ws: true, changeOrigin: true, headers: { origin: backend } },
        },
      }
    : {},
});
