import { Command } from 'cmdk';
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
  run: () => void;
}

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
      <Command label="Command palette" loop>
        <Command.Input
          className="input palette-input"
          placeholder="Switch to a session, or type a command…"
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
                    value={`${command.label} ${command.id}`}
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
