import type { FileDiff } from '@chatml/protocol';

/**
 * One file's unified diff as plain text. The seam for the real diff viewer (split/unified views,
 * highlighting, virtualisation), which replaces this component and nothing else.
 */
export function PatchView({ file }: { file: FileDiff }) {
  if (file.binary) return <p className="muted">Binary file; no text diff.</p>;
  return (
    <section aria-label={`Diff of ${file.path}`}>
      <pre className="patch" data-testid="patch-view">
        {file.patch}
      </pre>
    </section>
  );
}
