import { PermissionMode } from '@chatml/protocol';

const permissionModeLabels: Record<PermissionMode, string> = {
  default: 'Ask before risky tools (default)',
  acceptEdits: 'Accept edits automatically',
  plan: 'Plan only',
  bypassPermissions: 'Never ask (bypass permissions)',
};

/** The same, short enough for the session header's select (its tooltip gives the full wording). */
const shortPermissionModeLabels: Record<PermissionMode, string> = {
  default: 'Ask (default)',
  acceptEdits: 'Accept edits',
  plan: 'Plan only',
  bypassPermissions: 'Never ask',
};

/** The SDK's permission modes, worded for people (`isShort`: in a few words, for a narrow select). */
export function PermissionModeOptions({ isShort = false }: { isShort?: boolean }) {
  const labels = isShort ? shortPermissionModeLabels : permissionModeLabels;
  return PermissionMode.options.map((mode) => (
    <option key={mode} value={mode} title={permissionModeLabels[mode]}>
      {labels[mode]}
    </option>
  ));
}

/** Model aliases Claude Code resolves to the current model of each family. */
const MODEL_CHOICES: readonly { value: string; label: string }[] = [
  { value: 'sonnet', label: 'Sonnet' },
  { value: 'opus', label: 'Opus' },
  { value: 'haiku', label: 'Haiku' },
];

/** How a session's model reads: the family's name, the id as given, or the default. */
export function modelLabel(model: string | null, defaultLabel: string): string {
  if (model === null) return defaultLabel;
  return MODEL_CHOICES.find((choice) => choice.value === model)?.label ?? model;
}

export function permissionModeLabel(mode: PermissionMode): string {
  return permissionModeLabels[mode];
}

/**
 * The model choices, with `current` among them. The default (value `""`) is offered while it is the
 * current choice, and always with `isDefaultOffered`: where going back to it is possible (the
 * settings' default model), unlike a session's model, which the API only ever sets.
 */
export function ModelOptions({
  current,
  defaultLabel,
  isDefaultOffered = false,
}: {
  current: string | null;
  defaultLabel: string;
  isDefaultOffered?: boolean;
}) {
  const isCustom = current !== null && !MODEL_CHOICES.some((choice) => choice.value === current);
  return (
    <>
      {(current === null || isDefaultOffered) && <option value="">{defaultLabel}</option>}
      {isCustom && <option value={current}>{current}</option>}
      {MODEL_CHOICES.map((choice) => (
        <option key={choice.value} value={choice.value}>
          {choice.label}
        </option>
      ))}
    </>
  );
}
