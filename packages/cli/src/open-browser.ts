import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const chromiumNames = [
  'google-chrome',
  'google-chrome-stable',
  'chromium',
  'chromium-browser',
  'microsoft-edge',
];
const macApps = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
];

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Is there a display to open a window on? (Headless Linux boxes and CI have none.) */
function hasDisplay(): boolean {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/**
 * Opens the UI: a Chromium-family browser in `--app` mode (a window of its own) when one is
 * installed, else the default browser, else nothing. Returns how it was opened so the caller can
 * print the URL when it was not.
 */
export function openBrowser(url: string): 'app' | 'browser' | 'none' {
  if (!hasDisplay()) return 'none';
  const chromium =
    process.platform === 'darwin'
      ? macApps.find((path) => existsSync(path))
      : chromiumNames.map(findOnPath).find(Boolean);
  if (chromium) {
    launch(chromium, [`--app=${url}`]);
    return 'app';
  }
  const opener =
    process.platform === 'darwin'
      ? 'open'
      : process.platform === 'win32'
        ? 'explorer.exe'
        : findOnPath('xdg-open');
  if (!opener) return 'none';
  launch(opener, [url]);
  return 'browser';
}

function launch(command: string, args: string[]): void {
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
}
