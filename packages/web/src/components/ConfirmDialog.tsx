import { useState } from 'react';
import { Modal } from './Modal';

/** Asks before something drastic; the action's failure is shown in place and the dialog stays. */
export function ConfirmDialog({
  isOpen,
  title,
  message,
  confirmLabel,
  onConfirm,
  onClose,
  focusAfterClose,
}: {
  isOpen: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** Where the focus goes if what opened the dialog is gone once it closes (see Modal). */
  focusAfterClose?: () => HTMLElement | null;
}) {
  const [isWorking, setIsWorking] = useState(false);
  const [error, setError] = useState<string>();
  const confirm = async () => {
    setIsWorking(true);
    setError(undefined);
    try {
      await onConfirm();
      onClose();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setIsWorking(false);
    }
  };
  return (
    <Modal
      isOpen={isOpen}
      title={title}
      onClose={onClose}
      testId="confirm-dialog"
      focusAfterClose={focusAfterClose}
    >
      <p>{message}</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Cancel
        </button>
        <button
          type="button"
          className="button danger"
          data-testid="confirm-dialog-confirm"
          disabled={isWorking}
          onClick={() => void confirm()}
        >
          {isWorking ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
