import { LOCAL_KEYS, SHORTCUTS } from '../app/shortcuts';
import { Modal } from './Modal';

/** `?`: every shortcut, as a table a screen reader reads row by row. */
export function HelpOverlay({ isOpen, onClose }: { isOpen: boolean; onClose: () => void }) {
  return (
    <Modal isOpen={isOpen} title="Keyboard shortcuts" onClose={onClose} testId="help-overlay">
      <table className="shortcut-table">
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Does</th>
          </tr>
        </thead>
        <tbody>
          {[...SHORTCUTS, ...LOCAL_KEYS].map((shortcut) => (
            <tr key={shortcut.keys}>
              <td>
                <kbd>{shortcut.keys}</kbd>
              </td>
              <td>{shortcut.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="modal-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
