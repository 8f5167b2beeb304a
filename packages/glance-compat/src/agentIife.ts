/**
 * The agent side's script-tag build (`dist/glance-presence-agent.js`): puts
 * `GLANCE.Presence.Agent` and `GLANCE.Authorization` on `window`, configured from the tag's
 * `data-groupid`, `data-presenceserver`, `data-tokenurl` and `data-authtoken`.
 *
 * @example
 * // <script src="glance-presence-agent.js" data-groupid="12345"
 * //         data-presenceserver="wss://presence.example.com/" data-tokenurl="/agent-token"></script>
 */
import { Authorization } from './Authorization.js';
import { readGlanceConfig, setGlanceDefaults } from './glanceConfig.js';
import { installGlobal } from './installGlobal.js';
import { PresenceAgent } from './PresenceAgent.js';

const config = readGlanceConfig(document.currentScript, window);
setGlanceDefaults(config);
if (config.authtoken) Authorization.setToken(config.authtoken);
installGlobal(window, { Presence: { Agent: PresenceAgent }, Authorization });
