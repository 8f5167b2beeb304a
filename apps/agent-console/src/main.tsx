import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App.js';
import { createSession, type Session } from './createSession.js';
import { loadRuntimeConfig } from './loadRuntimeConfig.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const config = await loadRuntimeConfig({ fetch: window.fetch.bind(window), href: location.href });

// Signing in with the configured token happens once, here, outside React: StrictMode's
// double rendering must not create two agents.
let initialSession: Session | undefined;
let initialError: string | undefined;
if (config.agentToken) {
  try {
    initialSession = createSession({
      serverUrl: config.serverUrl,
      groupId: config.groupId,
      token: config.agentToken,
    });
  } catch (error) {
    initialError = error instanceof Error ? error.message : String(error);
  }
}

createRoot(root).render(
  <StrictMode>
    <App config={config} initialSession={initialSession} initialError={initialError} />
  </StrictMode>,
);
