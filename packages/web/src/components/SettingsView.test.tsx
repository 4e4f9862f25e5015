// @vitest-environment happy-dom
import '../test/dom';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { createServices } from '../app/services';
import { applyTheme } from '../state/preferences';
import { CredentialsNotice } from './Banners';
import { deferred, fail, ok, renderWithBackend } from './git/test-backend';
import { SettingsView } from './SettingsView';

const health = { ok: true as const, version: '0.1.0', protocolVersion: 1, demoModel: false };

/** The settings page over a scripted backend; the browser's own preferences are the real ones. */
function renderSettings(
  modelCredentials: 'api_key' | 'none' | 'demo',
  routes: Parameters<typeof renderWithBackend>[1] = {
    'GET /settings': () => ok({ defaultModel: null, archiveAfterMerge: false }),
  },
) {
  const services = createServices('token-for-tests');
  const backend = renderWithBackend(<SettingsView health={{ ...health, modelCredentials }} />, routes, {
    preferences: services.preferences,
    notifier: services.notifier,
  });
  return { ...backend, services };
}

const modelSelect = () => screen.getByTestId('settings-default-model') as HTMLSelectElement;
const archiveBox = () => screen.getByTestId('settings-archive-after-merge') as HTMLInputElement;

describe('onboarding and settings', () => {
  it('says plainly when no credentials were found, and links to the settings', () => {
    const onOpenSettings = vi.fn();
    render(<CredentialsNotice onOpenSettings={onOpenSettings} />);
    expect(screen.getByRole('note').textContent).toContain('No model credentials found.');
    expect(screen.getByRole('note').textContent).toContain('chatml start --demo-model');
    fireEvent.click(screen.getByRole('button', { name: 'How to set it up' }));
    expect(onOpenSettings).toHaveBeenCalled();
  });

  it('shows which credentials the backend has, never asking for a secret', () => {
    renderSettings('none');
    expect(screen.getByTestId('settings-credentials').textContent).toBe(
      'None found. Agents cannot reach Claude yet.',
    );
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  it('labels the demo model as what it is', () => {
    renderSettings('demo');
    expect(screen.getByTestId('settings-credentials').textContent).toContain('not Claude');
  });

  it('remembers the theme choice, which sets data-theme on the page root', () => {
    const { services } = renderSettings('api_key');
    fireEvent.click(screen.getByRole('radio', { name: 'Dark' }));
    expect(services.preferences.theme.get()).toBe('dark');
    expect(localStorage.getItem('chatml.theme')).toBe('dark');
    applyTheme(services.preferences.theme.get());
    expect(document.documentElement.dataset.theme).toBe('dark');
    fireEvent.click(screen.getByRole('radio', { name: 'Follow the system' }));
    applyTheme(services.preferences.theme.get());
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});

describe('the defaults in Settings', () => {
  it('shows the backend’s defaults, with the model among the session model choices', async () => {
    renderSettings('api_key', {
      'GET /settings': () => ok({ defaultModel: 'opus', archiveAfterMerge: true }),
    });
    await waitFor(() => expect(modelSelect().value).toBe('opus'));
    expect([...modelSelect().options].map((option) => option.textContent)).toEqual([
      'None (the SDK’s default)',
      'Sonnet',
      'Opus',
      'Haiku',
    ]);
    expect(archiveBox().checked).toBe(true);
    expect(screen.getByLabelText(/Archive a session after merging it/)).toBe(archiveBox());
  });

  it('keeps a model given by id in settings.json as a choice', async () => {
    renderSettings('api_key', {
      'GET /settings': () => ok({ defaultModel: 'claude-opus-4-1-20250805', archiveAfterMerge: false }),
    });
    await waitFor(() => expect(modelSelect().value).toBe('claude-opus-4-1-20250805'));
    expect(modelSelect().selectedOptions[0]?.textContent).toBe('claude-opus-4-1-20250805');
  });

  it('saves a model the moment it is chosen, saying so, and “none” clears it', async () => {
    const answer = deferred<{ status: number; body: unknown }>();
    const { callsTo } = renderSettings('api_key', {
      'GET /settings': () => ok({ defaultModel: null, archiveAfterMerge: false }),
      'PATCH /settings': (body, call) =>
        call === 0
          ? answer.promise
          : ok({ defaultModel: null, archiveAfterMerge: false, ...(body as object) }),
    });
    await waitFor(() => expect(modelSelect().value).toBe(''));
    fireEvent.change(modelSelect(), { target: { value: 'haiku' } });
    expect(screen.getByTestId('settings-default-model-save').textContent).toBe('Saving…');
    expect(modelSelect().value).toBe('haiku');
    answer.resolve(ok({ defaultModel: 'haiku', archiveAfterMerge: false }));
    await waitFor(() => expect(screen.getByTestId('settings-default-model-save').textContent).toBe('Saved'));
    expect(callsTo('PATCH', '/settings')[0]?.body).toEqual({ defaultModel: 'haiku' });

    fireEvent.change(modelSelect(), { target: { value: '' } });
    await waitFor(() => expect(callsTo('PATCH', '/settings')).toHaveLength(2));
    expect(callsTo('PATCH', '/settings')[1]?.body).toEqual({ defaultModel: null });
    await waitFor(() => expect(modelSelect().value).toBe(''));
  });

  it('saves the archive choice the moment it is ticked', async () => {
    const { callsTo } = renderSettings('api_key', {
      'GET /settings': () => ok({ defaultModel: 'opus', archiveAfterMerge: false }),
      'PATCH /settings': () => ok({ defaultModel: 'opus', archiveAfterMerge: true }),
    });
    await waitFor(() => expect(archiveBox().checked).toBe(false));
    fireEvent.click(archiveBox());
    await waitFor(() =>
      expect(screen.getByTestId('settings-archive-after-merge-save').textContent).toBe('Saved'),
    );
    expect(callsTo('PATCH', '/settings')[0]?.body).toEqual({ archiveAfterMerge: true });
    expect(archiveBox().checked).toBe(true);
    // Only the field that changed says it was saved.
    expect(screen.getByTestId('settings-default-model-save').textContent).toBe('');
  });

  it('shows a change made in another tab, but not over a change of its own still being saved', async () => {
    const answer = deferred<{ status: number; body: unknown }>();
    const { pushFrame } = renderSettings('api_key', {
      'GET /settings': () => ok({ defaultModel: null, archiveAfterMerge: false }),
      'PATCH /settings': () => answer.promise,
    });
    await waitFor(() => expect(modelSelect().value).toBe(''));
    act(() =>
      pushFrame({ type: 'settings_updated', settings: { defaultModel: 'opus', archiveAfterMerge: true } }),
    );
    expect(modelSelect().value).toBe('opus');
    expect(archiveBox().checked).toBe(true);

    fireEvent.change(modelSelect(), { target: { value: 'haiku' } });
    act(() =>
      pushFrame({ type: 'settings_updated', settings: { defaultModel: 'sonnet', archiveAfterMerge: true } }),
    );
    expect(modelSelect().value).toBe('haiku');
    answer.resolve(ok({ defaultModel: 'haiku', archiveAfterMerge: true }));
    await waitFor(() => expect(screen.getByTestId('settings-default-model-save').textContent).toBe('Saved'));
    expect(modelSelect().value).toBe('haiku');
  });

  it('shows a refusal beside the field and puts back the value in effect', async () => {
    const reason =
      '/home/ada/.local/share/chatml/settings.json is not valid JSON (Unexpected token). ChatML is running with default settings and will not overwrite that file; fix it (or remove it), then try again.';
    renderSettings('api_key', {
      'GET /settings': () => ok({ defaultModel: 'sonnet', archiveAfterMerge: false }),
      'PATCH /settings': () => fail(409, 'conflict', reason),
    });
    await waitFor(() => expect(modelSelect().value).toBe('sonnet'));
    fireEvent.change(modelSelect(), { target: { value: 'opus' } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(`Not saved: ${reason}`);
    expect(alert).toBe(screen.getByTestId('settings-default-model-save'));
    expect(modelSelect().getAttribute('aria-describedby')).toBe(alert.id);
    expect(modelSelect().value).toBe('sonnet');

    fireEvent.click(archiveBox());
    await waitFor(() =>
      expect(screen.getByTestId('settings-archive-after-merge-save').dataset.state).toBe('failed'),
    );
    expect(archiveBox().checked).toBe(false);
  });

  it('says when the defaults cannot be loaded, and tries again on request', async () => {
    const { callsTo } = renderSettings('api_key', {
      'GET /settings': (_body, call) =>
        call === 0
          ? fail(500, 'internal', 'Something went wrong inside ChatML; the details are in its log.')
          : ok({ defaultModel: 'haiku', archiveAfterMerge: false }),
    });
    const alert = await screen.findByTestId('settings-defaults-error');
    expect(alert.textContent).toContain(
      'Could not load the defaults: Something went wrong inside ChatML; the details are in its log.',
    );
    expect(screen.queryByTestId('settings-default-model')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(modelSelect().value).toBe('haiku'));
    expect(callsTo('GET', '/settings')).toHaveLength(2);
    expect(screen.queryByTestId('settings-defaults-error')).toBeNull();
  });
});
