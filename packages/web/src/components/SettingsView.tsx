import type { ModelCredentials } from '@chatml/protocol';
import { useState } from 'react';
import type { HealthDetails } from '../api/rest-client';
import { useLocalValue, useServices } from '../app/services';
import type { ThemeChoice } from '../state/preferences';
import { SettingsDefaults } from './SettingsDefaults';

const credentialText: Record<ModelCredentials, string> = {
  api_key: 'An Anthropic API key (or auth token) from ChatML’s environment.',
  oauth: 'A Claude subscription login (CLAUDE_CODE_OAUTH_TOKEN or Claude Code’s own login).',
  cloud: 'A cloud provider (Amazon Bedrock or Google Vertex AI) from ChatML’s environment.',
  demo: 'The offline demo model: replies are scripted stand-ins, not Claude.',
  none: 'None found. Agents cannot reach Claude yet.',
};

const themeLabels: Record<ThemeChoice, string> = {
  system: 'Follow the system',
  light: 'Light',
  dark: 'Dark',
};

/**
 * `/settings`: what the backend runs with (credentials are read-only: they come from the environment
 * ChatML was started with, and secrets never reach the browser), the defaults it gives sessions
 * (saved in its settings.json), and this browser's own choices.
 */
export function SettingsView({ health }: { health: HealthDetails | undefined }) {
  const { preferences, notifier } = useServices();
  const theme = useLocalValue(preferences.theme);
  const isNotifying = useLocalValue(preferences.isNotifying);
  const [permission, setPermission] = useState(notifier.permission);

  const enableNotifications = async () => {
    const granted = permission === 'granted' ? permission : await notifier.requestPermission();
    setPermission(granted);
    preferences.isNotifying.set(granted === 'granted');
  };

  return (
    <div className="settings" data-testid="settings-view">
      <h1>Settings</h1>
      <section aria-labelledby="settings-model">
        <h2 id="settings-model">Model access</h2>
        <p data-testid="settings-credentials" data-credentials={health?.modelCredentials ?? 'unknown'}>
          {health?.modelCredentials ? credentialText[health.modelCredentials] : 'Checking…'}
        </p>
        <p className="muted">
          ChatML gives its agents the credentials from the environment it was started in; the browser never
          sees them. To change them, stop ChatML (<code>chatml stop</code>) and start it again with one of:
        </p>
        <ul className="settings-list">
          <li>
            <code>ANTHROPIC_API_KEY=sk-ant-… chatml start</code> — an API key from the Anthropic Console
          </li>
          <li>
            <code>claude login</code> once, then <code>chatml start</code> — your Claude subscription
          </li>
          <li>
            <code>ANTHROPIC_BASE_URL=…</code> with a key — a gateway or proxy
          </li>
          <li>
            <code>chatml start --demo-model</code> — the offline demo model, to explore without a key
          </li>
        </ul>
        <p className="muted">
          <code>chatml doctor</code> checks the setup. Version {health?.version ?? '…'}
          {health?.maxConcurrentTurns ? `; up to ${health.maxConcurrentTurns} agent turns run at once` : ''}.
        </p>
      </section>
      <SettingsDefaults />
      <section aria-labelledby="settings-theme">
        <h2 id="settings-theme">Theme</h2>
        <fieldset className="radio-row">
          <legend className="visually-hidden">Theme</legend>
          {(Object.keys(themeLabels) as ThemeChoice[]).map((choice) => (
            <label key={choice}>
              <input
                type="radio"
                name="theme"
                value={choice}
                checked={theme === choice}
                onChange={() => preferences.theme.set(choice)}
                data-testid={`theme-${choice}`}
              />{' '}
              {themeLabels[choice]}
            </label>
          ))}
        </fieldset>
      </section>
      <section aria-labelledby="settings-notifications">
        <h2 id="settings-notifications">Desktop notifications</h2>
        <p className="muted">
          A notification when a session needs your approval, or finishes while this window is hidden.
        </p>
        {permission === 'unsupported' ? (
          <p>This browser does not support desktop notifications.</p>
        ) : permission === 'denied' ? (
          <p>The browser blocks notifications for this page; allow them in its site settings.</p>
        ) : isNotifying && permission === 'granted' ? (
          <button type="button" className="button" onClick={() => preferences.isNotifying.set(false)}>
            Turn notifications off
          </button>
        ) : (
          <button
            type="button"
            className="button primary"
            data-testid="enable-notifications"
            onClick={() => void enableNotifications()}
          >
            Turn notifications on
          </button>
        )}
      </section>
    </div>
  );
}
