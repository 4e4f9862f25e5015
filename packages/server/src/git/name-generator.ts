import { adjectives, animals, uniqueNamesGenerator } from 'unique-names-generator';
import { ConflictError } from '../errors.js';

const MAX_SUFFIX = 10_000;

/**
 * A readable random session name such as `brave-otter` (adjective + animal; about 400,000
 * combinations). Always a valid SessionName and branch component.
 */
export function generateName(): string {
  const name = uniqueNamesGenerator({
    dictionaries: [adjectives, animals],
    separator: '-',
    style: 'lowerCase',
  });
  // The dictionaries are plain lowercase words today; normalise anyway so a future dictionary update
  // cannot produce a name that is not a valid SessionName.
  return name.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'session';
}

/**
 * A generated name for which `isTaken` is false. On a collision the name gets a numeric suffix
 * (`brave-otter-2`, `brave-otter-3`, ...) rather than being redrawn, so the result is found in a
 * bounded number of checks. Throws ConflictError if every suffix up to 10,000 is taken.
 *
 * @example
 * const name = generateUniqueName((candidate) => existingNames.has(candidate));
 */
export function generateUniqueName(isTaken: (name: string) => boolean, generate = generateName): string {
  const base = generate();
  if (!isTaken(base)) return base;
  for (let suffix = 2; suffix <= MAX_SUFFIX; suffix++) {
    const candidate = `${base}-${suffix}`;
    if (!isTaken(candidate)) return candidate;
  }
  throw new ConflictError(`Could not find a free session name starting with ${base}; pass a name instead.`);
}
