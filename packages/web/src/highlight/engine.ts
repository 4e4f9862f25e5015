import {
  createCssVariablesTheme,
  createHighlighterCore,
  type GrammarState,
  type HighlighterCore,
} from 'shiki/core';
import { createJavaScriptRawEngine } from 'shiki/engine/javascript';
import { grammarLoader } from './languages';
import { COLOR_CLASSES, type PackedLines, packLines } from './types';

/**
 * The tokenizer: shiki's fine-grained core with precompiled grammars on the JavaScript "raw"
 * engine. It runs in a worker (`highlight-worker.ts`), or on the page where workers are missing
 * (component tests). Each grammar is a chunk of its own, loaded on first use.
 *
 * - Precompiled grammars: their regexes are already JavaScript `RegExp` sources, so a grammar needs
 *   no Oniguruma→JS translation on first use (that took ~2 s for TypeScript) and no WebAssembly
 *   (so the CSP needs no `wasm-unsafe-eval`).
 * - One theme made of CSS variables: one tokenizing pass serves light and dark (two real themes
 *   meant two passes), and tokens carry a small class name instead of inline colours.
 */

const theme = createCssVariablesTheme({ name: 'chatml', variablePrefix: '--shiki-' });
const colorIndex = new Map<string, number>(
  COLOR_CLASSES.map((className, index) => [`var(--shiki-${className.replace(/^hl-/, 'token-')})`, index]),
);
colorIndex.set('var(--shiki-foreground)', 1);

let core: Promise<HighlighterCore> | undefined;
let resolvedCore: HighlighterCore | undefined;
const loadedLanguages = new Map<string, Promise<void>>();

/** Resolves once `language` can be tokenized; rejects for a language we have no grammar for. */
export async function prepare(language: string): Promise<void> {
  core ??= createHighlighterCore({ themes: [theme], langs: [], engine: createJavaScriptRawEngine() });
  const instance = await core;
  resolvedCore = instance;
  let loading = loadedLanguages.get(language);
  if (!loading) {
    const load = grammarLoader(language);
    if (!load) throw new Error(`no grammar for ${language}`);
    loading = load().then((module) => instance.loadLanguage(module.default));
    loadedLanguages.set(language, loading);
  }
  await loading;
}

export interface TokenizedChunk {
  count: number;
  packed: PackedLines;
  state: GrammarState | undefined;
}

/**
 * Tokenizes whole `lines` synchronously, continuing from `state`, so a long text can be cut into
 * slices. `prepare(language)` must have resolved.
 */
export function tokenizeSync(
  lines: readonly string[],
  language: string,
  state: GrammarState | undefined,
): TokenizedChunk {
  const instance = resolvedCore;
  if (!instance) throw new Error('highlighter not loaded: await prepare() first');
  const result = instance.codeToTokens(lines.join('\n'), {
    lang: language,
    theme: 'chatml',
    // Minified lines would take long and show little: leave them plain.
    tokenizeMaxLineLength: 2000,
    ...(state ? { grammarState: state } : {}),
  });
  const pairs = result.tokens.map((tokens) => {
    const line: number[] = [];
    for (const token of tokens) line.push(token.content.length, colorIndex.get(token.color ?? '') ?? 0);
    return line;
  });
  return { count: pairs.length, packed: packLines(pairs), state: result.grammarState };
}
