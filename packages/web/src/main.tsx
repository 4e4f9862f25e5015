import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { bootstrapToken } from './api/token';
import { App } from './app/App';
import { createServices, ServicesProvider } from './app/services';
import { MissingToken } from './components/MissingToken';
import { applyTheme } from './state/preferences';
import './styles.css';

// First thing, before anything could log or share the URL: move the token out of the address bar.
const token = bootstrapToken();
const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');
const root = createRoot(rootElement);

if (!token) {
  root.render(<MissingToken isExpired={false} />);
} else {
  const services = createServices(token);
  // Before the first paint, so a chosen theme never flashes the OS one.
  applyTheme(services.preferences.theme.get());
  services.ws.start();
  window.addEventListener('online', () => services.ws.reconnectNow());
  root.render(
    <StrictMode>
      <ServicesProvider services={services}>
        <App />
      </ServicesProvider>
    </StrictMode>,
  );
}
