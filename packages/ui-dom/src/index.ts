export type { ConsentLocale, ConsentStrings } from './consentStrings.js';
export { consentStrings, pickConsentLocale } from './consentStrings.js';
export type { ConsentDialogOptions } from './createConsentDialog.js';
export { CONSENT_DIALOG_TAG, createConsentDialog } from './createConsentDialog.js';
export { dialogStyles } from './dialogStyles.js';
export { safeLinkUrl } from './safeLinkUrl.js';
export type { PageWiring, WirableVisitor, WirePageOptions } from './wirePage.js';
export { wirePage } from './wirePage.js';
