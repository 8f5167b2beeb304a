import { BeckonProvider } from '@beckon/ui-react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startDemoPage } from '../startDemoPage.js';
import { HelpPage } from './HelpPage.js';

// The default dialog stays off on this page: `useConsentRequest()` renders the request inline.
const { visitor } = await startDemoPage({ page: 'help', consent: 'custom' });
createRoot(document.getElementById('help-root')!).render(
  <StrictMode>
    <BeckonProvider visitor={visitor}>
      <HelpPage />
    </BeckonProvider>
  </StrictMode>,
);
