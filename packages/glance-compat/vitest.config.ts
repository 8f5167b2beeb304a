import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The browser tests start Chromium and a service: they need more than the default 5 s.
export default mergeConfig(shared, { test: { testTimeout: 30_000, hookTimeout: 60_000 } });
