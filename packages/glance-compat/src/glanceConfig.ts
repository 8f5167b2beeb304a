/**
 * What the facade reads from the page, as the original does: the script tag's (or the
 * `#glance-cobrowse` element's) data attributes, then `window.GLANCE_COBROWSE`.
 */
export interface GlanceConfig {
  groupid?: string;
  visitorid?: string;
  /** Beckon's presence endpoint (`wss://…/`): the original's host has no meaning here. */
  presenceserver?: string;
  /** `api`: load the API only; otherwise a visitor ID on the tag starts presence at once. */
  presence?: string;
  /** An agent token (the original's `data-authtoken`). */
  authtoken?: string;
  /** Where `GLANCE.Authorization.authorize` gets an agent token: the app's own backend. */
  tokenurl?: string;
  /** The consent dialog's language (default: the browser's). */
  locale?: string;
}

const ATTRIBUTES = [
  'groupid',
  'visitorid',
  'presenceserver',
  'presence',
  'authtoken',
  'tokenurl',
  'locale',
] as const;

let defaults: GlanceConfig = {};

/**
 * Reads the configuration: each attribute from the script tag first, then from the element
 * with ID `glance-cobrowse` (the original's meta tag); group and visitor IDs last from
 * `window.GLANCE_COBROWSE`. Empty attributes count as absent.
 *
 * @example
 * const config = readGlanceConfig(document.currentScript, window);
 */
export function readGlanceConfig(script: Element | null | undefined, win: Window): GlanceConfig {
  const meta = win.document.getElementById('glance-cobrowse');
  const global = (win as Window & { GLANCE_COBROWSE?: { groupid?: unknown; visitorid?: unknown } })
    .GLANCE_COBROWSE;
  const config: GlanceConfig = {};
  for (const name of ATTRIBUTES) {
    const value = script?.getAttribute(`data-${name}`) || meta?.getAttribute(`data-${name}`);
    if (value) config[name] = value;
  }
  if (!config.groupid && global?.groupid !== undefined) config.groupid = String(global.groupid);
  if (!config.visitorid && global?.visitorid !== undefined) {
    config.visitorid = String(global.visitorid);
  }
  return config;
}

/**
 * Sets the configuration every facade object falls back on (the script-tag builds set it
 * from the page).
 *
 * @example
 * setGlanceDefaults({ groupid: '12345', presenceserver: 'wss://presence.example.com/' });
 */
export function setGlanceDefaults(config: GlanceConfig): void {
  defaults = { ...config };
}

/**
 * The configuration set with {@link setGlanceDefaults}.
 *
 * @example
 * const server = glanceDefaults().presenceserver;
 */
export function glanceDefaults(): Readonly<GlanceConfig> {
  return defaults;
}
