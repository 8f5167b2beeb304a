/** Attributes for {@link h}; `false`/`undefined` leave the attribute out. */
export type Attrs = Record<string, string | number | boolean | undefined>;

/**
 * Builds an element. Children are appended as nodes or text nodes, never parsed as HTML:
 * some text (visitor IDs, session keys) comes from storage or the network.
 *
 * @example
 * document.body.append(h('p', { class: 'note' }, ['Signed in as ', h('strong', {}, ['alice'])]));
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  children: (Node | string | null | undefined | false)[] = [],
  doc: Document = document,
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}
