/** Prompts for the AI drafts and the parsing of their answers. Pure functions, tested on their own. */

/** The most diff text a draft prompt carries; the rest is named by file only. */
export const MAX_DIFF_CHARS = 60_000;

export const DRAFT_SYSTEM_PROMPT =
  'You write git commit messages and pull request descriptions for code changes. ' +
  'You are given a diff. Answer with the requested text only: no preamble, no code fences.';

export function commitMessagePrompt(diff: string): string {
  return [
    'Write a git commit message for the following changes.',
    'Format: a subject line in the imperative mood of at most 72 characters, then a blank line, then a short body',
    'explaining what changed and why (wrap at 72 characters). Omit the body for trivial changes.',
    '',
    '<diff>',
    diff,
    '</diff>',
  ].join('\n');
}

export function pullRequestPrompt(input: { diff: string; commits: string; template: string | null }): string {
  const lines = [
    'Write a pull request title and description for the following changes.',
    'Format: the title on the first line (at most 72 characters, no "Title:" prefix), then a blank line, then the',
    'description in GitHub Markdown: what changed, why, and how to verify it.',
  ];
  if (input.template)
    lines.push(
      "The repository has a pull request template. Fill the description in by the template's structure, keeping its headings:",
      '<template>',
      input.template.trim(),
      '</template>',
    );
  if (input.commits.trim()) lines.push('', '<commits>', input.commits.trim(), '</commits>');
  lines.push('', '<diff>', input.diff, '</diff>');
  return lines.join('\n');
}

/** Strips what models add around an answer despite being asked not to (fences, quotes). */
export function cleanAnswer(text: string): string {
  let answer = text.trim();
  const fenced = /^```[a-z]*\n([\s\S]*?)\n```$/i.exec(answer);
  if (fenced?.[1]) answer = fenced[1].trim();
  return answer;
}

/**
 * Title and body from a PR answer: the first non-empty line is the title (a leading `#` or
 * `Title:` dropped), the rest the body. When the repository has a template and the body does not
 * follow it (its first heading is missing), the template is appended so it is never lost.
 */
export function parsePullRequestAnswer(
  text: string,
  template: string | null,
): { title: string; body: string } {
  const lines = cleanAnswer(text).split('\n');
  const titleIndex = lines.findIndex((line) => line.trim() !== '');
  const title = (lines[titleIndex] ?? '')
    .trim()
    .replace(/^#+\s*/, '')
    .replace(/^title:\s*/i, '')
    .replace(/^["'`]|["'`]$/g, '')
    .slice(0, 256);
  let body = lines
    .slice(titleIndex + 1)
    .join('\n')
    .trim();
  if (template) {
    const marker = template
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim();
    if (marker && !body.includes(marker)) body = body ? `${body}\n\n${template.trim()}` : template.trim();
  }
  return { title, body };
}

/** Concatenates per-file patches up to `MAX_DIFF_CHARS`, then lists the files left out. */
export function boundedDiff(files: readonly { path: string; patch: string; binary: boolean }[]): string {
  const parts: string[] = [];
  const omitted: string[] = [];
  let size = 0;
  for (const file of files) {
    const patch = file.binary ? `Binary file ${file.path} changed\n` : file.patch;
    if (size + patch.length > MAX_DIFF_CHARS) {
      omitted.push(file.path);
      continue;
    }
    parts.push(patch);
    size += patch.length;
  }
  if (omitted.length > 0)
    parts.push(`\n(${omitted.length} more changed files not shown: ${omitted.join(', ')})\n`);
  return parts.join('');
}
