import { createHighlighterCore, type GrammarState, type HighlighterCore } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import { grammarLoader } from './languages';
import type { HighlightedLine } from './types';

/**
 * The highlighter itself: shiki's fine-grained core with the JavaScript RegExp engine. This module
 * is only ever reached through a dynamic import (see `highlighter.ts`), so it and the themes are a
 * chunk of their own, and each grammar is another chunk fetched on first use.
 *
 * Why the JavaScript engine and not Oniguruma: the app's CSP allows no `wasm-unsafe-eval`, and the
 * JavaScript engine (which translates the grammars' regexes into native `RegExp`s) needs nothing
 * beyond `script-src 'self'`, downloads no 600 KB wasm, and is as fast for the grammars we ship.
 */

const themes = { light: 'github-light', dark: 'github-dark' } as const;

let core: Promise<HighlighterCore> | undefined;
let resolvedCore: HighlighterCore | undefined;
const loadedLanguages = new Map<string, Promise<void>>();

function highlighter(): Promise<HighlighterCore> {
  core ??= createHighlighterCore({
    themes: [import('@shikijs/themes/github-light'), import('@shikijs/themes/github-dark')],
    langs: [],
    engine: createJavaScriptRegexEngine(),
  });
  return core;
}

/** Resolves once `language` can be tokenized; rejects for a language we have no grammar for. */
export async function prepare(language: string): Promise<void> {
  const instance = await highlighter();
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
  lines: HighlightedLine[];
  state: GrammarState | undefined;
}

/**
 * Tokenizes `code` (whole lines) synchronously, continuing from `state` — so a long text can be
 * cut into slices that each fit in a frame. `prepare(language)` must have resolved.
 */
export function tokenizeSync(
  code: string,
  language: string,
  state: GrammarState | undefined,
): TokenizedChunk {
  // Synchronous on purpose (the caller slices the work): `prepare` stored the resolved instance.
  const instance = resolvedCore;
  if (!instance) throw new Error('highlighter not loaded: await prepare() first');
  const result = instance.codeToTokens(code, {
    lang: language,
    themes,
    defaultColor: false,
    // Minified lines would take long and show little: leave them plain.
    tokenizeMaxLineLength: 2000,
    ...(state ? { grammarState: state } : {}),
  });
  const lines = result.tokens.map((tokens) =>
    tokens.map((token) => ({ content: token.content, style: token.htmlStyle })),
  );
  return { lines, state: result.grammarState };
}
