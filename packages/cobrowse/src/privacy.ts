/** The privacy rules of a co-browse session; see {@link recordPrivacy}. */
export interface PrivacyOptions {
  /**
   * Form fields whose values the agent may see, besides those marked `data-beckon-unmask`
   * (a search box, say). Password fields never match, whatever the selector says.
   */
  unmaskSelector?: string;
  /**
   * Elements the agent sees only as an empty box of the same size, besides those marked
   * `data-beckon-private` (an account number, a chat with someone else).
   */
  privateSelector?: string;
  /**
   * Text shown to the agent as asterisks, besides `[data-beckon-mask]` and editable text
   * (`[contenteditable]`, which holds what the visitor types).
   */
  maskTextSelector?: string;
}

/** Marks a form field whose value the agent may see. */
export const UNMASK_ATTRIBUTE = 'data-beckon-unmask';
/** Marks an element the agent sees only as a placeholder. */
export const PRIVATE_ATTRIBUTE = 'data-beckon-private';
/** Marks text the agent sees as asterisks. */
export const MASK_ATTRIBUTE = 'data-beckon-mask';
/** Marks what Beckon itself draws on the visitor's page (the agent pointer): never recorded. */
export const OVERLAY_ATTRIBUTE = 'data-beckon-overlay';

// Every field type, so that none is left out (rrweb's own "mask all" list skips `hidden`).
const FIELD_TYPES = [
  'input',
  'textarea',
  'select',
  'password',
  'hidden',
  'text',
  'search',
  'email',
  'tel',
  'url',
  'number',
  'range',
  'color',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
] as const;

const join = (...selectors: (string | undefined)[]) =>
  selectors.filter((s): s is string => typeof s === 'string' && s.trim() !== '').join(', ');

function isPassword(element: Element): boolean {
  return (
    (element as HTMLInputElement).type === 'password' || element.hasAttribute('data-rr-is-password')
  );
}

/**
 * The recorder options that make a session private by default: every field's value masked
 * (one `*` per character) unless the field opts in, passwords always, private elements
 * replaced by placeholders, editable and marked text masked, and Beckon's own overlay left
 * out. A selector that does not parse throws a `TypeError` naming the option.
 *
 * @example
 * record({ emit, ...recordPrivacy({ unmaskSelector: '#search' }) });
 */
export function recordPrivacy(options: PrivacyOptions = {}) {
  const unmask = join(`[${UNMASK_ATTRIBUTE}]`, options.unmaskSelector);
  const blocked = join(`[${PRIVATE_ATTRIBUTE}]`, `[${OVERLAY_ATTRIBUTE}]`, options.privateSelector);
  const masked = join(
    `[${MASK_ATTRIBUTE}]`,
    `[contenteditable]:not([${UNMASK_ATTRIBUTE}])`,
    options.maskTextSelector,
  );
  for (const [name, selector] of [
    ['unmaskSelector', unmask],
    ['privateSelector', blocked],
    ['maskTextSelector', masked],
  ] as const) {
    try {
      globalThis.document?.createDocumentFragment().querySelector(selector);
    } catch {
      throw new TypeError(`cobrowseSession: ${name} is not a valid CSS selector: ${selector}`);
    }
  }
  return {
    maskAllInputs: false,
    maskInputOptions: Object.fromEntries(FIELD_TYPES.map((t) => [t, true])) as Record<
      string,
      boolean
    >,
    maskInputFn: (text: string, element: HTMLElement) =>
      element && !isPassword(element) && element.matches?.(unmask) ? text : '*'.repeat(text.length),
    blockSelector: blocked,
    maskTextSelector: masked,
  };
}
