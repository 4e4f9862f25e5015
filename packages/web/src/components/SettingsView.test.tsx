// @vitest-environment happy-dom
import '../test/dom';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { createServices, ServicesProvider } from '../app/services';
import { applyTheme } from '../state/preferences';
import { CredentialsNotice } from './Banners';
import { SettingsView } from './SettingsView';

const health = { ok: true as const, version: '0.1.0', protocolVersion: 1, demoModel: false };

function renderSettings(modelCredentials: 'api_key' | 'none' | 'demo') {
  const services = createServices('token-for-tests');
  render(
    <ServicesProvider services={services}>
      <SettingsView health={{ ...health, modelCredentials }} />
    </ServicesProvider>,
  );
  return services;
}

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
    const services = renderSettings('api_key');
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
