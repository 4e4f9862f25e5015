import { useVirtualizer } from '@tanstack/react-virtual';
import { type CSSProperties, memo, useEffect, useMemo, useRef, useState } from 'react';
import '../../highlight/highlight.css';
import './diff.css';
import { CodeLine } from '../../highlight/HighlightedLine';
import type { HighlightedText } from '../../highlight/highlighted-text';
import { holdHighlighting } from '../../highlight/highlighter';
import type { HighlightedLine } from '../../highlight/types';
import { useHighlightedLines } from '../../highlight/use-highlighted-lines';
import { type DiffLine, type DiffModel, withFullOldText } from './diff-model';
import { buildRows, type DiffMode, type DiffRow, linesAfterLastHunk } from './diff-rows';

/** Every row is one line high, so the list needs no measuring: the virtualiser knows every offset. */
export const ROW_HEIGHT = 20;
/** Tokenizing pauses while the diff scrolls, and this long after its last scroll event. */
const SCROLL_HOLD_MS = 250;

export interface DiffViewProps {
  model: DiffModel;
  mode: DiffMode;
  /** Grammar id for highlighting (`languageForPath`), or undefined for plain text. */
  language: string | undefined;
  /** Accessible name of the diff, e.g. "Diff of src/a.ts". */
  label: string;
  /**
   * Fetches the old side's whole file (the file at the merge-base), so the unchanged lines between
   * hunks can be expanded. Without it only the folds inside hunks expand.
   */
  loadFile?: () => Promise<string>;
  /** `fill`: take the parent's height (the changes pane). `content`: as tall as the rows, up to `maxHeight`. */
  fit?: 'fill' | 'content';
  maxHeight?: number;
  showLineNumbers?: boolean;
  testId?: string;
}

type Tokens = { old: HighlightedText | undefined; new: HighlightedText | undefined };

function tokensFor(
  line: DiffLine | undefined,
  side: 'old' | 'new',
  tokens: Tokens,
): HighlightedLine | undefined {
  if (!line) return undefined;
  // Asked for lazily: asking unpacks a line's tokens (see HighlightedText).
  const fromOld = () => (line.oldIndex === undefined ? undefined : tokens.old?.get(line.oldIndex));
  const fromNew = () => (line.newIndex === undefined ? undefined : tokens.new?.get(line.newIndex));
  return side === 'old' ? (fromOld() ?? fromNew()) : (fromNew() ?? fromOld());
}

const signs = { add: '+', del: '-', context: ' ' } as const;

/**
 * A file's diff, unified or side by side, syntax-highlighted, virtualised (only the rows in view
 * are in the DOM, so a 20,000-line diff opens and scrolls like a short one), with collapsed
 * unchanged lines that expand on demand.
 */
export function DiffView({
  model: givenModel,
  mode,
  language,
  label,
  loadFile,
  fit = 'fill',
  maxHeight = 400,
  showLineNumbers = true,
  testId,
}: DiffViewProps) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [file, setFile] = useState<{ for: DiffModel; text: string }>();
  const [loadState, setLoadState] = useState<{ isLoading: boolean; error?: string }>({ isLoading: false });
  const model = useMemo(
    () => (file?.for === givenModel ? withFullOldText(givenModel, file.text) : givenModel),
    [file, givenModel],
  );
  const rows = useMemo(() => buildRows(model, mode, expanded), [model, mode, expanded]);
  // Whether lines follow the last hunk only the whole file can tell when git printed a full
  // context after it (nearly always, mid-file): fetch it then, so the rest of the file is offered
  // exactly when there is a rest, with its size. A failure just leaves the rest unoffered.
  const isEndUnknown = file?.for !== givenModel && linesAfterLastHunk(givenModel) === undefined;
  useEffect(() => {
    if (!isEndUnknown || !loadFile) return;
    let isCurrent = true;
    loadFile().then(
      (text) => {
        if (isCurrent)
          setFile((current) => (current?.for === givenModel ? current : { for: givenModel, text }));
      },
      () => {
        // Deliberately quiet: nobody asked for the file; expanding a gap asks again and says why it failed.
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [isEndUnknown, loadFile, givenModel]);
  const tokens: Tokens = {
    old: useHighlightedLines(model.oldText, language),
    new: useHighlightedLines(model.newText, language),
  };

  const expand = async (gapId: string, needsFile: boolean) => {
    // The gap's button goes away (and is disabled while the file loads): keep the keyboard focus
    // in the diff, not on the page.
    if (scrollRef.current?.contains(document.activeElement)) scrollRef.current.focus({ preventScroll: true });
    if (needsFile) {
      if (!loadFile) return;
      setLoadState({ isLoading: true });
      try {
        const text = await loadFile();
        setFile({ for: givenModel, text });
        setLoadState({ isLoading: false });
      } catch (caught) {
        setLoadState({ isLoading: false, error: caught instanceof Error ? caught.message : String(caught) });
        return;
      }
    }
    setExpanded((current) => new Set(current).add(gapId));
  };

  const scrollRef = useRef<HTMLDivElement>(null);
  const heldAt = useRef(0);
  const scrolledX = useRef(0);
  const onScroll = () => {
    const scroller = scrollRef.current;
    if (mode === 'split' && scroller && scroller.scrollLeft !== scrolledX.current) {
      scrolledX.current = scroller.scrollLeft;
      // Set on the element, not through React: a sideways scroll then re-renders nothing.
      scroller.style.setProperty('--diff-x', `${scroller.scrollLeft}px`);
    }
    holdHighlightingWhileScrolling();
  };
  const holdHighlightingWhileScrolling = () => {
    const now = performance.now();
    if (now - heldAt.current < SCROLL_HOLD_MS / 4) return;
    heldAt.current = now;
    holdHighlighting(SCROLL_HOLD_MS);
  };
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    // Rows are rendered synchronously on scroll, so few are needed beyond the view; in a fast
    // scroll every one of them is new in every frame.
    overscan: 4,
  });

  const virtualItems = virtualizer.getVirtualItems();
  const numberDigits = String(model.maxLineNumber).length;
  const gutter = showLineNumbers ? numberDigits + 1 : 0;
  // One side's width in `ch`: numbers, sign, code, a little room.
  const sideWidth = gutter + 2 + model.maxLineLength + 2;
  // Unified: the rows are as wide as the longest line and scroll sideways together. Split: the two
  // halves always share the pane's width (a long line must not push the new side out of view), and
  // scrolling sideways moves the code inside both halves (`--diff-x`), never the halves themselves.
  const style = {
    '--diff-gutter': `${gutter}ch`,
    width: mode === 'split' ? '100%' : `max(100%, ${sideWidth + gutter}ch)`,
    height: virtualizer.getTotalSize(),
  } as CSSProperties;
  const sidewaysRoom = `max(0px, ${sideWidth}ch - 50%)`;
  // `content`: as tall as the rows (plus a sideways scrollbar only when one is shown), up to
  // `maxHeight`; the rows' box has its full height, so the browser sizes this one.
  const boxStyle: CSSProperties = fit === 'content' ? { maxHeight } : {};

  return (
    <section
      ref={scrollRef}
      className={`diff-view diff-${mode} ${fit === 'fill' ? 'is-fill' : 'is-content'}${showLineNumbers ? '' : ' no-numbers'}`}
      style={boxStyle}
      aria-label={label}
      data-testid={testId}
      data-mode={mode}
      onScroll={onScroll}
      // Scrollable regions must be reachable by keyboard.
      // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
      tabIndex={0}
    >
      {loadState.error && (
        <p className="form-error diff-error" role="alert">
          {loadState.error}
        </p>
      )}
      {mode === 'split' && (
        // Only gives the pane its sideways scroll range: as wide as a half's longest line needs.
        <div className="diff-sideways" style={{ width: `calc(100% + ${sidewaysRoom})` }} aria-hidden />
      )}
      <div className="diff-rows" style={style}>
        {virtualItems.map((item) =>
          // Keyed by place in the window, not by row: a scroll step updates the rows already in
          // the DOM (text, classes, tokens) instead of removing a screenful and creating the next;
          // a fast scroll replaces every row in every frame.
          renderRow(rows[item.index] as DiffRow, item.start, item.index % virtualItems.length),
        )}
      </div>
    </section>
  );

  function renderRow(row: DiffRow, top: number, slot: number) {
    switch (row.type) {
      case 'hunk':
        return (
          <div key={slot} className="diff-row diff-hunk" style={{ top }}>
            {row.header}
          </div>
        );
      case 'gap':
        return (
          <GapRow
            key={slot}
            row={row}
            top={top}
            canExpand={!row.needsFile || loadFile !== undefined}
            isLoading={loadState.isLoading}
            onExpand={() => void expand(row.gapId, row.needsFile)}
          />
        );
      case 'line':
        return (
          <UnifiedLine
            key={slot}
            line={row.line}
            top={top}
            tokens={tokensFor(row.line, row.line.kind === 'del' ? 'old' : 'new', tokens)}
            hasNumbers={showLineNumbers}
          />
        );
      case 'pair':
        return (
          <div key={slot} className="diff-row diff-pair" style={{ top }}>
            <SplitHalf
              line={row.left}
              side="old"
              tokens={tokensFor(row.left, 'old', tokens)}
              hasNumbers={showLineNumbers}
            />
            <SplitHalf
              line={row.right}
              side="new"
              tokens={tokensFor(row.right, 'new', tokens)}
              hasNumbers={showLineNumbers}
            />
          </div>
        );
    }
  }
}

function GapRow({
  row,
  top,
  canExpand,
  isLoading,
  onExpand,
}: {
  row: Extract<DiffRow, { type: 'gap' }>;
  top: number;
  canExpand: boolean;
  isLoading: boolean;
  onExpand: () => void;
}) {
  const what = `${row.count} unchanged line${row.count === 1 ? '' : 's'}`;
  return (
    <div className="diff-row diff-gap" style={{ top }} data-testid="diff-gap">
      {canExpand ? (
        <button type="button" className="link-button" disabled={isLoading} onClick={onExpand}>
          {isLoading ? 'Loading…' : `Expand ${what}`}
        </button>
      ) : (
        <span title="Showing these lines needs the whole file">⋯ {what}</span>
      )}
    </div>
  );
}

const UnifiedLine = memo(function UnifiedLine({
  line,
  top,
  tokens,
  hasNumbers,
}: {
  line: DiffLine;
  top: number;
  tokens: HighlightedLine | undefined;
  hasNumbers: boolean;
}) {
  return (
    <div className={`diff-row diff-line diff-${line.kind}`} style={{ top }} data-kind={line.kind}>
      {hasNumbers && <span className="diff-num">{line.oldNumber ?? ''}</span>}
      {hasNumbers && <span className="diff-num">{line.newNumber ?? ''}</span>}
      <span className="diff-sign">{signs[line.kind]}</span>
      <span className="diff-code">
        <CodeLine text={line.text} tokens={tokens} />
        {line.hasNoNewline && <span className="diff-eof" title="No newline at end of file" />}
      </span>
    </div>
  );
});

const SplitHalf = memo(function SplitHalf({
  line,
  side,
  tokens,
  hasNumbers,
}: {
  line: DiffLine | undefined;
  side: 'old' | 'new';
  tokens: HighlightedLine | undefined;
  hasNumbers: boolean;
}) {
  if (!line) return <div className={`diff-half diff-empty diff-side-${side}`} />;
  return (
    <div className={`diff-half diff-${line.kind} diff-side-${side}`} data-kind={line.kind}>
      {hasNumbers && (
        <span className="diff-num">{(side === 'old' ? line.oldNumber : line.newNumber) ?? ''}</span>
      )}
      <span className="diff-sign">{signs[line.kind]}</span>
      <span className="diff-code">
        <CodeLine text={line.text} tokens={tokens} />
      </span>
    </div>
  );
});
