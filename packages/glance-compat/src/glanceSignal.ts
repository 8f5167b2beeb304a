/**
 * How `signalVisitor`'s `data` travels: a Beckon custom signal of this name, the data as
 * JSON in its one property (Beckon's properties are strings; the original's data is any
 * JSON value).
 */
export const SIGNAL_NAME = 'c_glance';

/**
 * The signal's properties for `data`.
 *
 * @example
 * agent.signalVisitor('alice', SIGNAL_NAME, encodeSignal({ page: '/help' }));
 */
export function encodeSignal(data: unknown): Record<string, string> {
  return { data: JSON.stringify(data ?? null) };
}

/**
 * The `data` back from the signal's properties.
 *
 * @example
 * decodeSignal({ data: '{"page":"/help"}' }); // { page: '/help' }
 */
export function decodeSignal(properties: Readonly<Record<string, string>>): unknown {
  const text = properties.data;
  if (text === undefined) return properties;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
