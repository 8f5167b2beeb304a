import { type ConsentStrings, resolveConsentStrings } from '@beckon/core';

/** Options of {@link createSessionBanner}. */
export interface SessionBannerOptions {
  /** BCP 47 language of the texts (`de`, `fr-CA`); default: the page's `<html lang>`. */
  locale?: string;
  /** Texts to use instead of the language's (`bannerViewing`, `bannerWaiting`, `bannerStop`). */
  strings?: Partial<Pick<ConsentStrings, 'bannerViewing' | 'bannerWaiting' | 'bannerStop'>>;
  /** Called when the visitor presses Stop. */
  onStop(): void;
  document?: Document;
}

/** The banner on screen; see {@link createSessionBanner}. */
export interface SessionBanner {
  /** Shows how many agents watch (0: sharing, nobody watching yet). */
  setViewers(viewers: number): void;
  remove(): void;
}

const STYLE = `
:host { all: initial; }
.banner {
  position: fixed; left: 50%; bottom: 16px; transform: translateX(-50%);
  z-index: 2147483647; display: flex; align-items: center; gap: 12px;
  max-width: calc(100vw - 32px); box-sizing: border-box;
  padding: 10px 12px 10px 16px; border-radius: 999px;
  background: #111827; color: #f9fafb; box-shadow: 0 8px 24px rgb(0 0 0 / 0.25);
  font: 500 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
}
.dot { width: 10px; height: 10px; border-radius: 50%; background: #ef4444; flex: none;
  animation: pulse 1.6s ease-in-out infinite; }
.banner[data-viewers="0"] .dot { background: #f59e0b; animation: none; }
p { margin: 0; }
button {
  font: inherit; font-weight: 600; color: #111827; background: #f9fafb;
  border: 0; border-radius: 999px; padding: 6px 14px; cursor: pointer;
}
button:hover { background: #fee2e2; }
button:focus-visible { outline: 3px solid #60a5fa; outline-offset: 2px; }
@keyframes pulse { 50% { opacity: 0.35; } }
@media (prefers-reduced-motion: reduce) { .dot { animation: none; } }
`;

/**
 * The small banner a visitor sees for as long as a co-browse session runs: "A support agent
 * is viewing this page" (or that sharing is on, while nobody watches yet) and a Stop button.
 * It is a landmark region with a polite live status, keyboard reachable, in the language of
 * the consent dialog (core's consent strings), and isolated from the page's CSS in a
 * shadow root.
 *
 * @example
 * const banner = createSessionBanner({ onStop: () => session.end('visitor stopped sharing') });
 * banner.setViewers(1);
 */
export function createSessionBanner(options: SessionBannerOptions): SessionBanner {
  const doc = options.document ?? document;
  const strings = resolveConsentStrings(
    options.locale ?? (doc.documentElement.lang || undefined),
    options.strings,
  );
  const host = doc.createElement('div');
  host.setAttribute('data-testid', 'beckon-session-banner');
  const root = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent = STYLE;
  const banner = doc.createElement('div');
  banner.className = 'banner';
  banner.setAttribute('role', 'region');
  banner.setAttribute('aria-label', strings.bannerViewing);
  const dot = doc.createElement('span');
  dot.className = 'dot';
  dot.setAttribute('aria-hidden', 'true');
  const text = doc.createElement('p');
  text.setAttribute('role', 'status');
  text.setAttribute('aria-live', 'polite');
  const stop = doc.createElement('button');
  stop.type = 'button';
  stop.textContent = strings.bannerStop;
  stop.addEventListener('click', () => options.onStop());
  banner.append(dot, text, stop);
  root.append(style, banner);
  doc.body.append(host);

  const setViewers = (viewers: number) => {
    banner.dataset.viewers = String(viewers);
    host.dataset.viewers = String(viewers);
    text.textContent = viewers > 0 ? strings.bannerViewing : strings.bannerWaiting;
  };
  setViewers(0);
  return {
    setViewers,
    remove: () => host.remove(),
  };
}
