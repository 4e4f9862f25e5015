import { useId, useRef, useState } from 'react';
import type { PermissionItem } from '../state/transcript-types';
import { describeTool, stringifyInput } from './conversation/tool-summary';
import { useWorktreePath } from './conversation/worktree-context';

export interface PermissionDecision {
  allow: boolean;
  message?: string;
}

/** What the agent wants to do, as the user should judge it: the command, the edit, or the raw input. */
function inputPreview(tool: string, input: unknown, worktreePath: string | undefined): string {
  const view = describeTool(tool, input, worktreePath);
  if (view.command !== undefined) return `$ ${view.command}`;
  if (view.detail) return view.layout === 'edit' ? `${view.summary}\n\n${view.detail}` : view.detail;
  return view.summary || stringifyInput(input);
}

/**
 * A tool waiting for approval. Allow / Deny post the decision; the card stays until the backend's
 * `permission_resolved` arrives, so what it shows is always what the agent was told.
 */
/** Focus the next permission request's Allow button, else the message box. */
function focusAfterDecision(answered: HTMLElement): void {
  const next = [...document.querySelectorAll<HTMLElement>('[data-testid="permission-allow"]')].find(
    (button) => !answered.contains(button),
  );
  (next ?? document.getElementById('composer-input'))?.focus();
}

export function PermissionPrompt({
  item,
  onDecide,
}: {
  item: PermissionItem;
  onDecide: (decision: PermissionDecision) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [isSending, setIsSending] = useState(false);
  const [error, setError] = useState<string>();
  const reasonId = useId();
  const worktreePath = useWorktreePath();

  const sectionRef = useRef<HTMLElement>(null);

  const decide = async (allow: boolean) => {
    if (isSending) return;
    setIsSending(true);
    setError(undefined);
    try {
      const message = reason.trim();
      await onDecide(allow || message === '' ? { allow } : { allow, message });
      // The card goes once the backend confirms: a keyboard user's focus moves on now, to the
      // next request waiting or to the message box, instead of falling back to the page.
      if (sectionRef.current?.contains(document.activeElement)) focusAfterDecision(sectionRef.current);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
      setIsSending(false);
    }
  };

  return (
    <section
      ref={sectionRef}
      className="permission-prompt"
      data-testid="permission-prompt"
      aria-label={`Permission for ${item.tool}`}
    >
      <header className="permission-head">
        <strong>{item.tool}</strong> wants to run
        {item.reason && <span className="permission-reason"> — {item.reason}</span>}
      </header>
      <pre className="permission-input">{inputPreview(item.tool, item.input, worktreePath)}</pre>
      <div className="permission-actions">
        <button
          type="button"
          className="button primary"
          data-testid="permission-allow"
          // Not `disabled` while sending: that would drop the keyboard focus.
          aria-disabled={isSending || undefined}
          onClick={() => void decide(true)}
        >
          Allow
        </button>
        <button
          type="button"
          className="button danger"
          data-testid="permission-deny"
          // Not `disabled` while sending: that would drop the keyboard focus.
          aria-disabled={isSending || undefined}
          onClick={() => void decide(false)}
        >
          Deny
        </button>
        <label className="visually-hidden" htmlFor={reasonId}>
          Reason for denying (optional)
        </label>
        <input
          id={reasonId}
          className="input permission-reason-input"
          placeholder="Reason for denying (optional)"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !isSending) void decide(false);
          }}
        />
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
