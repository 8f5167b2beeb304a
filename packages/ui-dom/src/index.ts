export type { ConsentDialog, ConsentDialogOptions } from './createConsentDialog.js';
export { CONSENT_DIALOG_TAG, createConsentDialog } from './createConsentDialog.js';
export type { WebPush, WebPushOptions } from './webPush.js';
export { webPush } from './webPush.js';
export type { PageWiring, WirableVisitor, WirePageOptions } from './wirePage.js';
export { wirePage } from './wirePage.js';
