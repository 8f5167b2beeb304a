// Any base works for telling relative from absolute: a URL with its own scheme ignores it.
const PROBE_BASE = 'http://beckon.invalid/';

/**
 * Returns the URL if it is safe to put in a link's `href`: `http:` or `https:`, or relative
 * (which takes the page's scheme). Anything else — `javascript:`, `data:`, `vbscript:`, also
 * disguised with case, whitespace or control characters — gives `undefined`. The terms URL
 * comes from the agent's side, so the visitor's page must not trust it.
 *
 * @example
 * safeLinkUrl('/terms');                 // '/terms'
 * safeLinkUrl('https://example.com/t');  // 'https://example.com/t'
 * safeLinkUrl('java\tscript:alert(1)');  // undefined
 */
export function safeLinkUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  if (value === '') return undefined;
  let parsed: URL;
  try {
    // The URL parser strips tabs and newlines and lower-cases the scheme exactly as the
    // browser will when the link is followed, so what it sees is what would run.
    parsed = new URL(value, PROBE_BASE);
  } catch {
    return undefined;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? value : undefined;
}
