import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// The root vitest config runs without globals, so Testing Library cannot register its own cleanup.
afterEach(cleanup);

// happy-dom does no layout, so every box measures 0 and the virtualised conversation would render
// no rows. Give elements a viewport-sized client box; rows still measure 0, so all of them fit.
for (const [property, size] of [
  ['clientHeight', 800],
  ['clientWidth', 1000],
] as const) {
  Object.defineProperty(HTMLElement.prototype, property, { configurable: true, get: () => size });
}
