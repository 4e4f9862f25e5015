/** The `@` picker's list: a listbox the message box drives with `aria-activedescendant`. */
export function FilePicker({
  id,
  files,
  activeIndex,
  status,
  onPick,
}: {
  id: string;
  files: readonly string[];
  activeIndex: number;
  /** Loading / failure / no match, shown instead of the list. */
  status: string | undefined;
  onPick: (path: string) => void;
}) {
  return (
    <div className="file-picker" data-testid="file-picker">
      {status ? (
        <p className="file-picker-status">{status}</p>
      ) : (
        <div id={id} role="listbox" aria-label="Files of this worktree" className="file-picker-list">
          {files.map((path, index) => {
            const slash = path.lastIndexOf('/');
            return (
              // Mouse users click; keyboard users stay in the message box (aria-activedescendant).
              // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard path is the textarea's
              <div
                key={path}
                tabIndex={-1}
                id={`${id}-${index}`}
                role="option"
                aria-selected={index === activeIndex}
                className="file-picker-option"
                data-testid="file-picker-option"
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => onPick(path)}
              >
                <span className="file-picker-name">{path.slice(slash + 1)}</span>
                {slash > 0 && <span className="file-picker-dir">{path.slice(0, slash)}</span>}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
