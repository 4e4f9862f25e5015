import { Command, defaultFilter } from 'cmdk';
import { useState } from 'react';
import { Modal } from './Modal';

export interface PaletteCommand {
  /** Unique and stable: also what the fuzzy matcher sees besides `label` and `keywords`. */
  id: string;
  group: 'Sessions' | 'Workspaces' | 'Actions';
  label: string;
  /** Shown dimmed on the right: a branch, a status, a shortcut. */
  hint?: string;
  keywords?: string[];
  /** Listed only for a close match of its own words, never as the best of loose fuzzy matches. */
  isDestructive?: boolean;
  run: () => void;
}

/** How well a destructive command's words must match what was typed (cmdk's score, 0–1). */
const DESTRUCTIVE_MIN_SCORE = 0.5;

/**
 * Below this, a match is letters scattered across a command's words ("quaint" in "Show pull
 * request status": 0.0008) and is not listed, so Enter never runs something nobody meant; an
 * abbreviation still is ("plnr" for "planner": 0.03).
 */
const LOOSE_MIN_SCORE = 0.005;

const groups: PaletteCommand['group'][] = ['Actions', 'Sessions', 'Workspaces'];

/**
 * Ctrl/Cmd+K: one search box over sessions, workspaces and actions, fuzzy-matched by cmdk (which
 * also gives the input and list their combobox/listbox roles and arrow-key navigation). Picking a
 * command closes the palette first, so focus returns before the command moves it elsewhere.
 */
export function CommandPalette({
  isOpen,
  onClose,
  commands,
}: {
  isOpen: boolean;
  onClose: () => void;
  commands: readonly PaletteCommand[];
}) {
  const [search, setSearch] = useState('');
  // "refac" must not make "Remove … from ChatML…" the top hit (and Enter its choice) just because
  // the session it meant is not listed: destructive commands need a close match.
  const destructive = new Set(commands.filter((command) => command.isDestructive).map(matchText));
  const filter = (value: string, typed: string, keywords?: string[]) => {
    const score = defaultFilter(value, typed, keywords);
    if (score < LOOSE_MIN_SCORE) return 0;
    return destructive.has(value) && score < DESTRUCTIVE_MIN_SCORE ? 0 : score;
  };
  const close = () => {
    setSearch('');
    onClose();
  };
  return (
    <Modal
      isOpen={isOpen}
      title="Command palette"
      onClose={close}
      className="palette"
      testId="command-palette"
    >
      <Command label="Command palette" loop filter={filter}>
        <Command.Input
          className="input palette-input"
          placeholder="Switch to a session, or type a command…"
          aria-label="Search sessions and commands"
          value={search}
          onValueChange={setSearch}
          data-autofocus
          data-testid="palette-input"
        />
        <Command.List className="palette-list" label="Commands">
          <Command.Empty className="palette-empty">Nothing matches.</Command.Empty>
          {groups.map((group) => {
            const inGroup = commands.filter((command) => command.group === group);
            if (inGroup.length === 0) return null;
            return (
              <Command.Group key={group} heading={group} className="palette-group">
                {inGroup.map((command) => (
                  <Command.Item
                    key={command.id}
                    value={matchText(command)}
                    keywords={command.keywords}
                    className="palette-item"
                    data-testid="palette-item"
                    onSelect={() => {
                      close();
                      command.run();
                    }}
                  >
                    <span className="palette-label">{command.label}</span>
                    {command.hint && <span className="palette-hint">{command.hint}</span>}
                  </Command.Item>
                ))}
              </Command.Group>
            );
          })}
        </Command.List>
      </Command>
    </Modal>
  );
}

/** What the matcher sees of a command besides its keywords. */
function matchText(command: PaletteCommand): string {
  return `${command.label} ${command.id}`;
}
