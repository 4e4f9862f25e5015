import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import { userPath } from './workspace-service.js';

describe('userPath', () => {
  it('takes full paths as they are (normalised) and ~ as the home folder', () => {
    expect(userPath('/srv/app/')).toBe('/srv/app');
    expect(userPath('  /srv/app/../web ')).toBe('/srv/web');
    expect(userPath('~')).toBe(homedir());
    expect(userPath('~/code/app')).toBe(join(homedir(), 'code/app'));
  });

  it('refuses relative paths, which would depend on where the backend was started', () => {
    for (const path of ['app', './app', '../app', '~other/app'])
      expect(() => userPath(path)).toThrow(BadRequestError);
    expect(() => userPath('app')).toThrow(/not a full path/);
  });
});
