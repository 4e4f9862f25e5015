import { type ReactNode, useEffect, useId, useRef } from 'react';

/**
 * A modal dialog on the browser's own `<dialog>`: `showModal` makes the rest of the page inert,
 * keeps focus inside, closes on Esc and returns focus to where it was — no library needed. The
 * element with `data-autofocus` gets focus when it opens. `focusAfterClose` is where the focus goes
 * when the element it came from is gone by then (the dialog's action removed it).
 */
export function Modal({
  isOpen,
  title,
  onClose,
  children,
  className,
  testId,
  focusAfterClose,
}: {
  isOpen: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  testId?: string;
  focusAfterClose?: () => HTMLElement | null;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const focusAfter = useRef(focusAfterClose);
  focusAfter.current = focusAfterClose;
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (isOpen && !dialog.open) {
      dialog.showModal();
      // React's autoFocus fires before the dialog opens, and Chrome then focuses the dialog itself:
      // move focus to the control the content marked instead.
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    } else if (!isOpen && dialog.open) {
      dialog.close();
      const active = document.activeElement;
      const isFocusLost = !active || active === document.body || dialog.contains(active);
      if (isFocusLost) focusAfter.current?.()?.focus();
    }
  }, [isOpen]);
  return (
    <dialog
      ref={ref}
      className={`modal ${className ?? ''}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {isOpen && (
        <>
          <h2 id={titleId} className="modal-title">
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  );
}
