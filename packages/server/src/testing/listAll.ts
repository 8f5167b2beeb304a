import type { PresenceRegistry, VisitorRecord } from '../PresenceRegistry.js';

/**
 * Every known visitor of a group, read page by page as the hub does: a helper for tests of
 * a registry.
 *
 * @example
 * const all = await listAll(registry, 'shop');
 */
export async function listAll(
  registry: PresenceRegistry,
  groupId: string,
  limit = 100,
): Promise<VisitorRecord[]> {
  const out: VisitorRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await registry.list(groupId, after === undefined ? { limit } : { after, limit });
    out.push(...page.visitors);
    if (page.next === undefined) return out;
    after = page.next;
  }
}
