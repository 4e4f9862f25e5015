import { describe, expect, it } from 'vitest';
import { createFileSearch, insertMention, mentionAt } from './file-search';

const files = [
  'README.md',
  'package.json',
  'src/components/Composer.tsx',
  'src/components/SessionList.tsx',
  'src/state/catalog.ts',
  'docs/compose-guide.md',
];

describe('file search for the @ picker', () => {
  it('matches fuzzily anywhere in the path, file names first', () => {
    const search = createFileSearch(files);
    expect(search('Composer', 5)[0]).toBe('src/components/Composer.tsx');
    expect(search('sesslist', 5)[0]).toBe('src/components/SessionList.tsx');
    expect(search('catalog', 5)).toEqual(['src/state/catalog.ts']);
    expect(search('zzzz', 5)).toEqual([]);
  });

  it('lists the first files for an empty query, within the limit', () => {
    expect(createFileSearch(files)('', 2)).toEqual(['README.md', 'package.json']);
  });

  it('finds the mention being typed at the caret, and only a real one', () => {
    expect(mentionAt('look at @src/co', 15)).toEqual({ start: 8, query: 'src/co' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail me@example.com', 19)).toBeUndefined();
    expect(mentionAt('@done and more', 14)).toBeUndefined();
  });

  it('replaces the mention with the picked path and puts the caret after it', () => {
    const text = 'fix @comp please';
    const result = insertMention(text, { start: 4 }, 9, 'src/components/Composer.tsx');
    expect(result.text).toBe('fix @src/components/Composer.tsx please');
    expect(result.text.slice(0, result.caret)).toBe('fix @src/components/Composer.tsx ');
  });
});
