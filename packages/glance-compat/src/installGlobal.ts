/** The parts of `window.GLANCE` the builds fill in. */
export interface GlanceGlobal {
  Presence?: Record<string, unknown>;
  [name: string]: unknown;
}

/**
 * Merges `parts` into `window.GLANCE`, keeping what other scripts put there (the visitor and
 * the agent builds on one page, or the original's cobrowse script).
 *
 * @example
 * installGlobal(window, { Presence: { Visitor: PresenceVisitor } });
 */
export function installGlobal(win: Window, parts: GlanceGlobal): void {
  const target = win as Window & { GLANCE?: GlanceGlobal };
  target.GLANCE ??= {};
  const glance = target.GLANCE;
  for (const [name, value] of Object.entries(parts)) {
    if (name === 'Presence') glance.Presence = { ...glance.Presence, ...(value as object) };
    else glance[name] = value;
  }
}
