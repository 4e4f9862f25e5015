import { SessionName } from '@chatml/protocol';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { generateName, generateUniqueName } from './name-generator.js';
import { sessionBranch } from './ref-names.js';

describe('generateName', () => {
  it('makes readable adjective-animal names that are valid session names', () => {
    for (let index = 0; index < 500; index++) {
      const name = generateName();
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(SessionName.safeParse(name).success).toBe(true);
      expect(() => sessionBranch(name)).not.toThrow();
    }
  });

  it('varies', () => {
    const names = new Set(Array.from({ length: 50 }, () => generateName()));
    expect(names.size).toBeGreaterThan(40);
  });
});

describe('generateUniqueName', () => {
  it('returns the generated name when it is free', () => {
    expect(
      generateUniqueName(
        () => false,
        () => 'brave-otter',
      ),
    ).toBe('brave-otter');
  });

  it('adds the first free numeric suffix on collision', () => {
    const taken = new Set(['brave-otter', 'brave-otter-2', 'brave-otter-3']);
    expect(
      generateUniqueName(
        (name) => taken.has(name),
        () => 'brave-otter',
      ),
    ).toBe('brave-otter-4');
  });

  it('uses the default generator', () => {
    const taken = new Set<string>();
    for (let index = 0; index < 20; index++) {
      const name = generateUniqueName((candidate) => taken.has(candidate));
      expect(taken.has(name)).toBe(false);
      taken.add(name);
    }
  });

  it('gives up with ConflictError instead of looping forever', () => {
    expect(() =>
      generateUniqueName(
        () => true,
        () => 'x',
      ),
    ).toThrow(ConflictError);
  });
});
