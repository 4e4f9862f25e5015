import { describe, expect, it } from 'vitest';
import {
  boundedDiff,
  cleanAnswer,
  MAX_DIFF_CHARS,
  parsePullRequestAnswer,
  pullRequestPrompt,
} from './draft-prompts.js';

describe('draft prompts', () => {
  it('splits a PR answer into title and body, dropping a "Title:" or heading prefix', () => {
    expect(parsePullRequestAnswer('\n# Title: Add a flag\n\nIt adds --verbose.\n', null)).toEqual({
      title: 'Add a flag',
      body: 'It adds --verbose.',
    });
  });

  it('appends the template when the model ignored it, and not when it followed it', () => {
    const template = '## Summary\n\n## Testing\n';
    expect(parsePullRequestAnswer('Add a flag\n\nIt adds --verbose.', template).body).toBe(
      'It adds --verbose.\n\n## Summary\n\n## Testing',
    );
    expect(
      parsePullRequestAnswer('Add a flag\n\n## Summary\nIt adds it.\n## Testing\nran it', template).body,
    ).toBe('## Summary\nIt adds it.\n## Testing\nran it');
  });

  it('strips code fences around an answer', () => {
    expect(cleanAnswer('```text\nFix it\n\nbody\n```')).toBe('Fix it\n\nbody');
  });

  it('bounds the diff and names the files left out', () => {
    const big = { path: 'big.txt', patch: `+${'x'.repeat(MAX_DIFF_CHARS)}\n`, binary: false };
    const small = { path: 'small.txt', patch: '+small\n', binary: false };
    const text = boundedDiff([small, big, { path: 'logo.png', patch: '', binary: true }]);
    expect(text).toContain('+small');
    expect(text).toContain('Binary file logo.png changed');
    expect(text).toContain('1 more changed files not shown: big.txt');
    expect(pullRequestPrompt({ diff: text, commits: '- a', template: '## T' })).toContain(
      '<template>\n## T\n</template>',
    );
  });
});
