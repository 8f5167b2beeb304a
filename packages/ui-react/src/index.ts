'use client';
/**
 * `@beckon/ui-react`: React 18 and 19 bindings for Beckon. A provider that only passes
 * things down, hooks that read core's stores with `useSyncExternalStore`, and a default
 * consent dialog. All protocol and consent logic stays in `@beckon/core`.
 */
export { BeckonProvider, type BeckonProviderProps } from './BeckonProvider.js';
export { ConsentDialog, type ConsentDialogProps } from './ConsentDialog.js';
export { useAgent } from './useAgent.js';
export { useAgentState } from './useAgentState.js';
export { type ConsentRequestHandle, useConsentRequest } from './useConsentRequest.js';
export { useVisitor } from './useVisitor.js';
export { useVisitorPresence } from './useVisitorPresence.js';
export { useVisitorState } from './useVisitorState.js';
export { useVisitors } from './useVisitors.js';
