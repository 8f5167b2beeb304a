/** Buckets of a {@link PersistentMap}: a change copies one of them and the bucket table. */
const BUCKETS = 256;

type Bucket<V> = ReadonlyMap<string, V>;

// FNV-1a over UTF-16 code units: cheap, and spreads visitor IDs evenly over the buckets.
function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

/**
 * An immutable map from strings, with structural sharing: a change makes a new map that
 * shares all but one of its 256 buckets with the old one, so it costs a copy of the bucket
 * table and of one bucket instead of the whole map. The agent's live view of a group of
 * 20,000 visitors changes with every live event; a plain `Map` copied per event would make
 * each event cost 20,000 entries. Reads are those of a `ReadonlyMap`; iteration goes bucket
 * by bucket (not in insertion order).
 *
 * @example
 * const a = PersistentMap.empty<number>();
 * const b = a.set('x', 1);  // a is unchanged
 * b.get('x');                // 1
 * b.set('x', 1) === b;       // true: nothing changed
 */
export class PersistentMap<V> implements ReadonlyMap<string, V> {
  private readonly buckets: readonly (Bucket<V> | undefined)[];
  readonly size: number;

  private constructor(buckets: readonly (Bucket<V> | undefined)[], size: number) {
    this.buckets = buckets;
    this.size = size;
  }

  /** The empty map. */
  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(new Array(BUCKETS).fill(undefined), 0);
  }

  /**
   * A map of `entries` (later ones win).
   *
   * @example
   * PersistentMap.from([['a', 1], ['b', 2]]).size; // 2
   */
  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    return PersistentMap.empty<V>().update(entries);
  }

  get(key: string): V | undefined {
    return this.buckets[bucketOf(key)]?.get(key);
  }

  has(key: string): boolean {
    return this.buckets[bucketOf(key)]?.has(key) ?? false;
  }

  /** With `key` set to `value`; the same map when it already was. */
  set(key: string, value: V): PersistentMap<V> {
    return this.update([[key, value]]);
  }

  /** Without `key`; the same map when it had none. */
  delete(key: string): PersistentMap<V> {
    return this.update([[key, undefined]]);
  }

  /**
   * With many entries changed at once (`undefined` removes one): each touched bucket is
   * copied once. The same map when no entry changes anything.
   *
   * @example
   * map.update([['alice', summary], ['bob', undefined]]);
   */
  update(entries: Iterable<readonly [string, V | undefined]>): PersistentMap<V> {
    let table: (Bucket<V> | undefined)[] | undefined;
    // Buckets copied in this update, changed in place until it returns.
    let fresh: Set<number> | undefined;
    let size = this.size;
    for (const [key, value] of entries) {
      const b = bucketOf(key);
      const bucket = (table ?? this.buckets)[b];
      if (value === undefined ? !bucket?.has(key) : bucket?.get(key) === value && bucket.has(key)) {
        continue;
      }
      table ??= [...this.buckets];
      fresh ??= new Set();
      let writable: Map<string, V>;
      if (fresh.has(b)) writable = bucket as Map<string, V>;
      else {
        writable = new Map(bucket);
        fresh.add(b);
        table[b] = writable;
      }
      if (value === undefined) {
        writable.delete(key);
        size -= 1;
      } else {
        if (!writable.has(key)) size += 1;
        writable.set(key, value);
      }
    }
    return table ? new PersistentMap(table, size) : this;
  }

  forEach(
    callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this) callback.call(thisArg, value, key, this);
  }

  *entries(): MapIterator<[string, V]> {
    for (const bucket of this.buckets) if (bucket) yield* bucket.entries();
  }

  *keys(): MapIterator<string> {
    for (const bucket of this.buckets) if (bucket) yield* bucket.keys();
  }

  *values(): MapIterator<V> {
    for (const bucket of this.buckets) if (bucket) yield* bucket.values();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}
