// @vitest-environment happy-dom
import '../test/dom';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Modal } from './Modal';

function Page({ isOpen, hasTrigger }: { isOpen: boolean; hasTrigger: boolean }) {
  return (
    <>
      {hasTrigger && <button type="button">Archive</button>}
      <button type="button">Restore</button>
      <Modal
        isOpen={isOpen}
        title="Archive it?"
        onClose={() => undefined}
        focusAfterClose={() => screen.getByRole('button', { name: 'Restore' })}
      >
        <button type="button" data-autofocus>
          Confirm
        </button>
      </Modal>
    </>
  );
}

describe('Modal', () => {
  it('sends the focus to focusAfterClose when what opened it went away meanwhile', () => {
    const { rerender } = render(<Page isOpen={false} hasTrigger />);
    screen.getByRole('button', { name: 'Archive' }).focus();
    rerender(<Page isOpen hasTrigger />);
    expect(document.activeElement?.textContent).toBe('Confirm');
    // The action removed the button that opened the dialog, then the dialog closed.
    rerender(<Page isOpen hasTrigger={false} />);
    rerender(<Page isOpen={false} hasTrigger={false} />);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Restore' }));
  });
});
