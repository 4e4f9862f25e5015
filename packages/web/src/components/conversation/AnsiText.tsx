import Anser, { type AnserJsonEntry } from 'anser';
import { type CSSProperties, memo, useMemo } from 'react';

/** Output beyond this many characters is cut (the tail kept): a runaway command must not freeze the tab. */
const MAX_CHARS = 200_000;

const NAMED = /^ansi-(bright-)?(black|red|green|yellow|blue|magenta|cyan|white)$/;
const PALETTE = /^ansi-palette-(\d{1,3})$/;
const RGB = /^(\d{1,3}), ?(\d{1,3}), ?(\d{1,3})$/;
const basicNames = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

interface Colour {
  className?: string;
  css?: string;
}

/** xterm's 256-colour palette above the 16 named colours: a 6×6×6 cube, then 24 greys. */
function paletteColour(index: number): Colour {
  if (index < 16) return { className: `ansi-${index >= 8 ? 'bright-' : ''}${basicNames[index % 8]}` };
  if (index < 232) {
    const cube = index - 16;
    const level = (value: number) => (value === 0 ? 0 : 55 + value * 40);
    return {
      css: `rgb(${level(Math.floor(cube / 36))}, ${level(Math.floor(cube / 6) % 6)}, ${level(cube % 6)})`,
    };
  }
  const grey = 8 + (index - 232) * 10;
  return { css: `rgb(${grey}, ${grey}, ${grey})` };
}

/**
 * One of anser's colour descriptions as a class (named colours, themed in CSS for light and dark)
 * or an inline colour (256-colour and true-colour). Anything else is ignored: the text is never
 * interpreted as markup, and only validated numbers reach a style.
 */
function colourOf(name: string | null, truecolor: string | null): Colour | undefined {
  if (!name) return undefined;
  if (NAMED.test(name)) return { className: name };
  const palette = PALETTE.exec(name);
  if (palette) return paletteColour(Number(palette[1]));
  if (name === 'ansi-truecolor' && truecolor) {
    const rgb = RGB.exec(truecolor);
    if (rgb) return { css: `rgb(${rgb[1]}, ${rgb[2]}, ${rgb[3]})` };
  }
  return undefined;
}

function Segment({ entry }: { entry: AnserJsonEntry }) {
  const fg = colourOf(entry.fg, entry.fg_truecolor);
  const bg = colourOf(entry.bg, entry.bg_truecolor);
  const classes = [
    fg?.className ? `${fg.className}-fg` : '',
    bg?.className ? `${bg.className}-bg` : '',
    ...entry.decorations.map((decoration) => `ansi-${decoration}`),
  ].filter(Boolean);
  const style: CSSProperties = {};
  if (fg?.css) style.color = fg.css;
  if (bg?.css) style.backgroundColor = bg.css;
  if (classes.length === 0 && !fg?.css && !bg?.css) return <>{entry.content}</>;
  return (
    <span className={classes.join(' ') || undefined} style={fg?.css || bg?.css ? style : undefined}>
      {entry.content}
    </span>
  );
}

/**
 * Terminal output with its ANSI colours and styles (SGR codes) rendered as React spans; cursor
 * movement and other control sequences are dropped. Built with anser's JSON output, never its HTML,
 * so command output cannot inject markup.
 */
export const AnsiText = memo(function AnsiText({ text, className }: { text: string; className?: string }) {
  const entries = useMemo(() => {
    const clipped = text.length > MAX_CHARS ? text.slice(-MAX_CHARS) : text;
    return Anser.ansiToJson(clipped, { use_classes: true, remove_empty: true });
  }, [text]);
  return (
    <pre className={className} data-testid="ansi-output">
      {text.length > MAX_CHARS && <span className="muted">… (earlier output cut)\n</span>}
      {entries.map((entry, index) => (
        // Segments have no identity beyond their position in this (immutable) output.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <Segment key={index} entry={entry} />
      ))}
    </pre>
  );
});
