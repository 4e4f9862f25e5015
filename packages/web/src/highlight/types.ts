/** One highlighted token: its text and shiki's per-theme CSS variables (`--shiki-light`, `--shiki-dark`). */
export interface HighlightedToken {
  content: string;
  style: Record<string, string> | undefined;
}

export type HighlightedLine = HighlightedToken[];
