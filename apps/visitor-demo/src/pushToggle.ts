/**
 * The shop's "Notify me when support calls" switch: Web Push for the visitor, turned on only
 * by the visitor's own click (the browser may ask for permission then), remembered for the
 * next visit, and off again with one more click.
 */
import type { Visitor } from '@beckon/core';
import type { WebPush } from '@beckon/ui-dom';
import { h } from './dom.js';
import { type KeyValueStorage, persistentStorage } from './storage.js';

/** Where the switch's position is kept (`on` or absent). */
export const PUSH_KEY = 'beckon-demo:push';

/**
 * Renders the switch into `container` and keeps it in step with the visitor. A visitor who
 * turned it on before gets push back on a later page without a prompt — only when the
 * browser already allows notifications; otherwise the switch waits for a click. Returns
 * the function that removes it.
 *
 * @example
 * mountPushToggle(chrome.push, visitor, webPush({ serviceWorker: './sw.js' }));
 */
export function mountPushToggle(
  container: HTMLElement,
  visitor: Visitor,
  push: Pick<WebPush, 'supported' | 'permission'>,
  storage: KeyValueStorage = persistentStorage(),
): () => void {
  const doc = container.ownerDocument;
  const input = h(
    'input',
    { type: 'checkbox', id: 'push-toggle', 'data-testid': 'push-toggle' },
    [],
    doc,
  ) as HTMLInputElement;
  const note = h(
    'span',
    { class: 'push-toggle__note', 'data-testid': 'push-note', role: 'status' },
    [],
    doc,
  );
  const label = h(
    'label',
    { class: 'push-toggle', for: 'push-toggle' },
    [input, ' Notify me when support calls'],
    doc,
  );
  container.replaceChildren(label, note);

  const say = (text: string, state: string) => {
    note.textContent = text;
    container.dataset.push = state;
  };
  const show = () => {
    const { push: status } = visitor.getSnapshot();
    input.checked = status === 'on' || status === 'pending';
    if (status === 'on') say('on', 'on');
    else if (status === 'pending') say('turning on…', 'pending');
    else if (status === 'unsubscribing') say('turning off…', 'pending');
  };
  if (!push.supported()) {
    input.disabled = true;
    say('not supported in this browser', 'unsupported');
  }
  const offs = [
    visitor.subscribe(show),
    visitor.on('pushUnavailable', ({ reason, message }) => {
      storage.removeItem(PUSH_KEY);
      input.checked = false;
      say(
        reason === 'denied' ? 'blocked: allow notifications for this site to use it' : message,
        reason,
      );
    }),
    visitor.on('pushEnabled', () => storage.setItem(PUSH_KEY, 'on')),
    visitor.on('pushDisabled', () => {
      storage.removeItem(PUSH_KEY);
      say('off', 'off');
    }),
  ];
  const onChange = () => {
    if (input.checked) visitor.enablePush();
    else visitor.disablePush();
  };
  input.addEventListener('change', onChange);
  // Never a prompt on page load: back on by itself only where the browser already said yes.
  if (storage.getItem(PUSH_KEY) === 'on' && push.permission() === 'granted') visitor.enablePush();
  else if (push.supported()) say('off', 'off');
  show();
  return () => {
    input.removeEventListener('change', onChange);
    for (const off of offs) off();
    container.replaceChildren();
  };
}
