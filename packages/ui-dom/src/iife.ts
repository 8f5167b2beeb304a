/**
 * The script-tag build's entry (`dist/beckon.iife.js`): core, the WebSocket transport and
 * the DOM UI in one file, started from the tag's data attributes and exposed as
 * `window.Beckon`.
 *
 * @example
 * // <script src="beckon.iife.js" data-group-id="acme" data-visitor-id="alice-42"
 * //         data-server="wss://presence.example.com/"></script>
 * window.Beckon.visitor?.on('sessionStart', ({ sessionKey }) => startScreenShare(sessionKey));
 */
import { type BeckonGlobal, startFromScript } from './startFromScript.js';

declare global {
  interface Window {
    Beckon: BeckonGlobal;
  }
}

// Only readable while this file runs for the first time, so it is taken right away.
window.Beckon = startFromScript(document.currentScript);
