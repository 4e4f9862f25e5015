/**
 * A fenced code block. Plain for now: this is the seam where syntax highlighting (a lazily loaded
 * highlighter with per-language chunks) plugs in later, without touching the Markdown renderer.
 */
export function CodeBlock({ code, language }: { code: string; language: string | undefined }) {
  return (
    <pre className="code-block" data-language={language}>
      <code>{code}</code>
    </pre>
  );
}
