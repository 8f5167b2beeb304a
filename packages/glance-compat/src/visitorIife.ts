/**
 * The visitor side's script-tag build (`dist/glance-presence-visitor.js`): puts
 * `GLANCE.Presence.Visitor` on `window`, configured from the tag's `data-groupid`,
 * `data-visitorid`, `data-presenceserver` (and `data-locale`). As the original, a tag that
 * names a visitor starts presence at once (`presence()`, then `connect()`) unless it says
 * `data-presence="api"`: then the page drives it through the API.
 *
 * @example
 * // <script src="glance-presence-visitor.js" data-groupid="12345" data-visitorid="alice"
 * //         data-presenceserver="wss://presence.example.com/"></script>
 */
import { readGlanceConfig, setGlanceDefaults } from './glanceConfig.js';
import { installGlobal } from './installGlobal.js';
import { PresenceVisitor } from './PresenceVisitor.js';

const config = readGlanceConfig(document.currentScript, window);
setGlanceDefaults(config);
installGlobal(window, { Presence: { Visitor: PresenceVisitor } });
if (config.visitorid && config.presence !== 'api') {
  try {
    const visitor = new PresenceVisitor();
    visitor.presence();
    visitor.connect();
  } catch (error) {
    console.error(error);
  }
}
