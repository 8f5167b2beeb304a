import { OVERLAY_ATTRIBUTE } from './privacy.js';

/** Where the agent points, in the visitor's viewport (CSS pixels). */
export interface PointerMessage {
  /** `p`: the pointer moved; `c`: a click there; `h`: the pointer left the agent's view. */
  t: 'p' | 'c' | 'h';
  x?: number;
  y?: number;
}

/**
 * Reads a pointer message sent by the viewer; `undefined` for anything else.
 *
 * @example
 * parsePointer('{"t":"p","x":10,"y":20}'); // { t: 'p', x: 10, y: 20 }
 */
export function parsePointer(data: string): PointerMessage | undefined {
  try {
    const m = JSON.parse(data) as Partial<PointerMessage>;
    if (m.t === 'h') return { t: 'h' };
    if ((m.t === 'p' || m.t === 'c') && Number.isFinite(m.x) && Number.isFinite(m.y)) {
      return { t: m.t, x: m.x as number, y: m.y as number };
    }
  } catch {
    // Not ours.
  }
  return undefined;
}

/** The agent's pointer on the visitor's page; see {@link createAgentPointer}. */
export interface AgentPointer {
  show(message: PointerMessage): void;
  remove(): void;
}

const HIDE_AFTER_MS = 4_000;

/**
 * Draws the agent's pointer and click highlights on the visitor's page, so the agent can
 * show where to click — it never clicks for the visitor. It ignores the page's pointer
 * events (`pointer-events: none`) and is left out of the recording.
 *
 * @example
 * const pointer = createAgentPointer();
 * session.on('message', ({ data }) => { const m = parsePointer(data); if (m) pointer.show(m); });
 */
export function createAgentPointer(doc: Document = document): AgentPointer {
  // A 0×0 layer: were it recorded after all, it would cover nothing.
  const layer = doc.createElement('div');
  layer.setAttribute(OVERLAY_ATTRIBUTE, '');
  layer.setAttribute('aria-hidden', 'true');
  layer.setAttribute('data-testid', 'beckon-agent-pointer');
  layer.style.cssText =
    'position:fixed;left:0;top:0;width:0;height:0;overflow:visible;pointer-events:none;z-index:2147483647';
  const arrow = doc.createElement('div');
  arrow.style.cssText =
    'position:absolute;width:22px;height:22px;transition:transform 60ms linear;display:none';
  arrow.innerHTML =
    '<svg viewBox="0 0 24 24" width="22" height="22"><path d="M3 2l7 19 2.5-7.5L20 11z" fill="#7c3aed" stroke="#fff" stroke-width="1.5" stroke-linejoin="round"/></svg>';
  layer.append(arrow);
  doc.body.append(layer);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const place = (x: number, y: number) => {
    arrow.style.display = 'block';
    arrow.style.transform = `translate(${x}px, ${y}px)`;
    arrow.dataset.x = String(Math.round(x));
    arrow.dataset.y = String(Math.round(y));
    clearTimeout(timer);
    timer = setTimeout(() => {
      arrow.style.display = 'none';
    }, HIDE_AFTER_MS);
  };
  const ripple = (x: number, y: number) => {
    const ring = doc.createElement('div');
    ring.setAttribute('data-click', '');
    ring.style.cssText = `position:absolute;left:${x - 18}px;top:${y - 18}px;width:36px;height:36px;border-radius:50%;border:3px solid #7c3aed;box-sizing:border-box;opacity:0.9;transition:transform 500ms ease-out,opacity 500ms ease-out`;
    layer.append(ring);
    requestAnimationFrame(() => {
      ring.style.transform = 'scale(1.8)';
      ring.style.opacity = '0';
    });
    setTimeout(() => ring.remove(), 700);
  };

  return {
    show(m) {
      if (m.t === 'h') {
        arrow.style.display = 'none';
        return;
      }
      place(m.x ?? 0, m.y ?? 0);
      if (m.t === 'c') ripple(m.x ?? 0, m.y ?? 0);
    },
    remove() {
      clearTimeout(timer);
      layer.remove();
    },
  };
}
