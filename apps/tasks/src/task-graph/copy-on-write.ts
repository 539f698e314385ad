/**
 * A map that reads through to `base` and keeps its own writes: a decision's working copy
 * of a project's maps without copying them (#18 point 4: `new Map(tasks)` per command grew
 * with the project). Iteration gives what `new Map(base)` then the same writes would: base
 * order, a replaced key in place, a new (or deleted then re-added) key at the end.
 * `base` must not change while the overlay is in use.
 */
export class CowMap<K, V> extends Map<K, V> {
  private readonly replaced = new Map<K, V>();
  private readonly deleted = new Set<K>();
  private readonly appended = new Map<K, V>();

  constructor(private readonly base: ReadonlyMap<K, V>) {
    super();
  }

  /** Every key written or deleted through the overlay. */
  touched(): K[] {
    return [...new Set([...this.replaced.keys(), ...this.deleted, ...this.appended.keys()])];
  }

  override get(key: K): V | undefined {
    if (this.appended.has(key)) return this.appended.get(key);
    if (this.deleted.has(key)) return undefined;
    if (this.replaced.has(key)) return this.replaced.get(key);
    return this.base.get(key);
  }

  override has(key: K): boolean {
    if (this.appended.has(key)) return true;
    if (this.deleted.has(key)) return false;
    return this.replaced.has(key) || this.base.has(key);
  }

  override set(key: K, value: V): this {
    if (this.appended.has(key) || this.deleted.has(key) || !this.base.has(key)) this.appended.set(key, value);
    else this.replaced.set(key, value);
    return this;
  }

  override delete(key: K): boolean {
    if (this.appended.delete(key)) return true;
    if (this.deleted.has(key) || !this.base.has(key)) return false;
    this.deleted.add(key);
    this.replaced.delete(key);
    return true;
  }

  override clear(): void {
    for (const key of this.base.keys()) this.deleted.add(key);
    this.replaced.clear();
    this.appended.clear();
  }

  override get size(): number {
    let size = this.base.size + this.appended.size;
    for (const key of this.deleted) if (this.base.has(key)) size--;
    return size;
  }

  override *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.base) {
      if (this.deleted.has(key)) continue;
      yield [key, this.replaced.has(key) ? (this.replaced.get(key) as V) : value];
    }
    yield* this.appended.entries();
  }

  override *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  override *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) fn.call(thisArg, value, key, this);
  }
}

/** A set that reads through to `base` and keeps its own additions (a project's branch names only grow). */
export class CowSet<T> extends Set<T> {
  private readonly added = new Set<T>();
  private readonly removed = new Set<T>();

  constructor(private readonly base: ReadonlySet<T>) {
    super();
  }

  override has(value: T): boolean {
    if (this.added.has(value)) return true;
    return !this.removed.has(value) && this.base.has(value);
  }

  override add(value: T): this {
    if (!this.has(value)) this.added.add(value);
    return this;
  }

  override delete(value: T): boolean {
    if (this.added.delete(value)) return true;
    if (this.removed.has(value) || !this.base.has(value)) return false;
    this.removed.add(value);
    return true;
  }

  override clear(): void {
    for (const value of this.base) this.removed.add(value);
    this.added.clear();
  }

  override get size(): number {
    let size = this.base.size + this.added.size;
    for (const value of this.removed) if (this.base.has(value)) size--;
    return size;
  }

  override *values(): SetIterator<T> {
    for (const value of this.base) if (!this.removed.has(value) && !this.added.has(value)) yield value;
    yield* this.added;
  }

  override keys(): SetIterator<T> {
    return this.values();
  }

  override *entries(): SetIterator<[T, T]> {
    for (const value of this.values()) yield [value, value];
  }

  override [Symbol.iterator](): SetIterator<T> {
    return this.values();
  }

  override forEach(fn: (value: T, key: T, set: Set<T>) => void, thisArg?: unknown): void {
    for (const value of this.values()) fn.call(thisArg, value, value, this);
  }
}
