import type { LanguageInput } from 'shiki/core';

/**
 * The grammars the UI can highlight, each a separate chunk fetched the first time a block or file
 * in that language is shown. The map is explicit (not `import(\`…/${id}\`)`) so the bundler emits
 * one chunk per grammar and nothing else.
 */
const loaders: Record<string, () => Promise<{ default: LanguageInput }>> = {
  bash: () => import('@shikijs/langs-precompiled/bash'),
  c: () => import('@shikijs/langs-precompiled/c'),
  cpp: () => import('@shikijs/langs-precompiled/cpp'),
  csharp: () => import('@shikijs/langs-precompiled/csharp'),
  css: () => import('@shikijs/langs-precompiled/css'),
  diff: () => import('@shikijs/langs-precompiled/diff'),
  docker: () => import('@shikijs/langs-precompiled/docker'),
  go: () => import('@shikijs/langs-precompiled/go'),
  graphql: () => import('@shikijs/langs-precompiled/graphql'),
  html: () => import('@shikijs/langs-precompiled/html'),
  java: () => import('@shikijs/langs-precompiled/java'),
  javascript: () => import('@shikijs/langs-precompiled/javascript'),
  json: () => import('@shikijs/langs-precompiled/json'),
  jsonc: () => import('@shikijs/langs-precompiled/jsonc'),
  jsx: () => import('@shikijs/langs-precompiled/jsx'),
  kotlin: () => import('@shikijs/langs-precompiled/kotlin'),
  lua: () => import('@shikijs/langs-precompiled/lua'),
  make: () => import('@shikijs/langs-precompiled/make'),
  markdown: () => import('@shikijs/langs-precompiled/markdown'),
  php: () => import('@shikijs/langs-precompiled/php'),
  python: () => import('@shikijs/langs-precompiled/python'),
  ruby: () => import('@shikijs/langs-precompiled/ruby'),
  rust: () => import('@shikijs/langs-precompiled/rust'),
  scss: () => import('@shikijs/langs-precompiled/scss'),
  sql: () => import('@shikijs/langs-precompiled/sql'),
  swift: () => import('@shikijs/langs-precompiled/swift'),
  toml: () => import('@shikijs/langs-precompiled/toml'),
  tsx: () => import('@shikijs/langs-precompiled/tsx'),
  typescript: () => import('@shikijs/langs-precompiled/typescript'),
  xml: () => import('@shikijs/langs-precompiled/xml'),
  yaml: () => import('@shikijs/langs-precompiled/yaml'),
};

/** Names people write after a code fence, mapped to the grammar ids above. */
const aliases: Record<string, string> = {
  cjs: 'javascript',
  cs: 'csharp',
  'c++': 'cpp',
  console: 'bash',
  dockerfile: 'docker',
  golang: 'go',
  h: 'c',
  hpp: 'cpp',
  js: 'javascript',
  kt: 'kotlin',
  makefile: 'make',
  md: 'markdown',
  mjs: 'javascript',
  patch: 'diff',
  py: 'python',
  rb: 'ruby',
  rs: 'rust',
  sh: 'bash',
  shell: 'bash',
  shellscript: 'bash',
  ts: 'typescript',
  yml: 'yaml',
  zsh: 'bash',
};

/** File extensions (and a few whole names) to grammar ids, for diffs and tool cards. */
const byExtension: Record<string, string> = {
  bash: 'bash',
  c: 'c',
  cc: 'cpp',
  cjs: 'javascript',
  cpp: 'cpp',
  cs: 'csharp',
  css: 'css',
  cts: 'typescript',
  diff: 'diff',
  go: 'go',
  gql: 'graphql',
  graphql: 'graphql',
  h: 'c',
  hpp: 'cpp',
  htm: 'html',
  html: 'html',
  java: 'java',
  js: 'javascript',
  json: 'json',
  jsonc: 'jsonc',
  jsx: 'jsx',
  kt: 'kotlin',
  kts: 'kotlin',
  lua: 'lua',
  markdown: 'markdown',
  md: 'markdown',
  mjs: 'javascript',
  mts: 'typescript',
  patch: 'diff',
  php: 'php',
  py: 'python',
  rb: 'ruby',
  rs: 'rust',
  scss: 'scss',
  sh: 'bash',
  sql: 'sql',
  svg: 'xml',
  swift: 'swift',
  toml: 'toml',
  ts: 'typescript',
  tsx: 'tsx',
  xml: 'xml',
  yaml: 'yaml',
  yml: 'yaml',
  zsh: 'bash',
};

const byFileName: Record<string, string> = {
  dockerfile: 'docker',
  makefile: 'make',
  gnumakefile: 'make',
  'tsconfig.json': 'jsonc',
};

/** The grammar id for a fence's language name, or undefined when we have no grammar for it. */
export function languageForFence(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const lower = name.toLowerCase();
  const id = aliases[lower] ?? lower;
  return id in loaders ? id : undefined;
}

/** The grammar id for a file path, by its name or extension. */
export function languageForPath(path: string): string | undefined {
  const name = (path.split('/').pop() ?? path).toLowerCase();
  const whole = byFileName[name];
  if (whole) return whole;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? byExtension[name.slice(dot + 1)] : undefined;
}

export function grammarLoader(id: string): (() => Promise<{ default: LanguageInput }>) | undefined {
  return loaders[id];
}
