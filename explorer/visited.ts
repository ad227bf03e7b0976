// The visited set and the parent-link columns.
//
// FingerprintSet: 64-bit fingerprints in one open-addressing table on a Uint32Array (high and
// low word side by side), linear probing, doubled when 75% full. No JS object per state. It
// grows to 2^31 slots (a 16 GiB table, the largest typed array V8 allows), so it holds at least
// 2^28 fingerprints, and more than a billion. The all-zero fingerprint marks an empty slot, so a
// real zero fingerprint is stored as (0, 1); that folds two of 2^64 values together, which the
// collision estimate already covers.
//
// ExactKeySet: the witness that does not trust hashing. It keeps every state's whole key and
// compares keys word by word, so two distinct states are never merged. Memory grows with the
// key size, so it is for the self-check's small scenarios, not for large runs.

import { hash64 } from './fingerprint.ts';

const LOAD = 0.75;
/** log2 of the largest table: 2^31 slots of two words is 2^32 array elements, V8's limit. */
export const MAX_CAPACITY_LOG2 = 31;

export class FingerprintSet {
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  private limit: number;

  constructor(initialCapacityLog2 = 12) {
    if (initialCapacityLog2 > MAX_CAPACITY_LOG2) throw new RangeError(`a fingerprint table has at most 2^${MAX_CAPACITY_LOG2} slots`);
    const cap = 2 ** initialCapacityLog2;
    this.table = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * LOAD);
  }

  get size(): number {
    return this.count;
  }

  /** Slots in the table now. */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Bytes held by the table itself. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** Adds the fingerprint; true if it was not there before. */
  add(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const t = this.table;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = t[2 * i]!;
      const l = t[2 * i + 1]!;
      if (h === 0 && l === 0) break;
      if (h === hi && l === lo) return false;
      i = (i + 1) & this.mask;
    }
    t[2 * i] = hi;
    t[2 * i + 1] = lo;
    if (++this.count > this.limit) this.grow();
    return true;
  }

  has(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const t = this.table;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = t[2 * i]!;
      const l = t[2 * i + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    if (cap > 2 ** MAX_CAPACITY_LOG2) throw new RangeError(`the visited set is full: ${this.count} fingerprints`);
    const old = this.table;
    this.table = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * LOAD);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i]!;
      const l = old[i + 1]!;
      if (h !== 0 || l !== 0) this.add(h, l);
    }
  }
}

/**
 * An append-only int32 column (parent links, transition ids) in fixed chunks of 2^20 entries:
 * growing never copies, so a column costs its 4 bytes per entry and no transient double.
 */
export class Int32Column {
  private static readonly SHIFT = 20;
  private readonly chunks: Int32Array[] = [];
  private len = 0;

  get length(): number {
    return this.len;
  }

  get bytes(): number {
    return this.chunks.length << (Int32Column.SHIFT + 2);
  }

  push(v: number): void {
    const c = this.len >>> Int32Column.SHIFT;
    if (c === this.chunks.length) this.chunks.push(new Int32Array(1 << Int32Column.SHIFT));
    this.chunks[c]![this.len & ((1 << Int32Column.SHIFT) - 1)] = v;
    this.len++;
  }

  get(i: number): number {
    return this.chunks[i >>> Int32Column.SHIFT]![i & ((1 << Int32Column.SHIFT) - 1)]!;
  }
}

/** Whole keys, compared exactly; slots hold 1 + the key's index. */
export class ExactKeySet {
  private words = new Int32Array(1 << 16);
  private used = 0;
  /** Start of each key in `words`, and one past the last. */
  private starts: number[] = [0];
  private slots = new Int32Array(1 << 12);
  private readonly fp = new Uint32Array(2);

  get size(): number {
    return this.starts.length - 1;
  }

  get bytes(): number {
    return this.words.byteLength + this.slots.byteLength + 8 * this.starts.length;
  }

  add(key: ArrayLike<number>): boolean {
    const slot = this.find(key);
    if (this.slots[slot] !== 0) return false;
    if (this.used + key.length > this.words.length) {
      const bigger = new Int32Array(Math.max(this.words.length * 2, this.used + key.length));
      bigger.set(this.words.subarray(0, this.used));
      this.words = bigger;
    }
    for (let k = 0; k < key.length; k++) this.words[this.used++] = key[k]!;
    this.starts.push(this.used);
    this.slots[slot] = this.size;
    if (this.size > this.slots.length * 0.5) this.rehash();
    return true;
  }

  has(key: ArrayLike<number>): boolean {
    return this.slots[this.find(key)] !== 0;
  }

  /** The key's index (keys are numbered in the order added), or -1. */
  indexOf(key: ArrayLike<number>): number {
    return this.slots[this.find(key)]! - 1;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private find(key: ArrayLike<number>): number {
    hash64(key, key.length, this.fp);
    const mask = this.slots.length - 1;
    for (let i = this.fp[1]! & mask; ; i = (i + 1) & mask) {
      const e = this.slots[i]!;
      if (e === 0 || this.equals(e - 1, key)) return i;
    }
  }

  private equals(e: number, key: ArrayLike<number>): boolean {
    const start = this.starts[e]!;
    if (this.starts[e + 1]! - start !== key.length) return false;
    for (let k = 0; k < key.length; k++) if (this.words[start + k] !== key[k]) return false;
    return true;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      const key = this.words.subarray(this.starts[e]!, this.starts[e + 1]!);
      hash64(key, key.length, this.fp);
      let i = this.fp[1]! & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = e + 1;
    }
  }
}

/**
 * 64-bit fingerprints to state indices, for searches that keep the graph (the liveness search):
 * the table of FingerprintSet with a third word per slot holding the index.
 */
export class FingerprintMap {
  private table: Uint32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;
  private limit: number;

  constructor(initialCapacityLog2 = 12) {
    const cap = 2 ** initialCapacityLog2;
    this.table = new Uint32Array(cap * 2);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * LOAD);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.table.byteLength + this.values.byteLength;
  }

  /** The index stored for the fingerprint, or -1. */
  get(hi: number, lo: number): number {
    if (hi === 0 && lo === 0) lo = 1;
    const t = this.table;
    for (let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask; ; i = (i + 1) & this.mask) {
      const h = t[2 * i]!;
      const l = t[2 * i + 1]!;
      if (h === 0 && l === 0) return -1;
      if (h === hi && l === lo) return this.values[i]!;
    }
  }

  /** Stores `index` for a fingerprint not in the map (the caller has checked with get). */
  set(hi: number, lo: number, index: number): void {
    if (hi === 0 && lo === 0) lo = 1;
    const t = this.table;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    while (t[2 * i] !== 0 || t[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    t[2 * i] = hi;
    t[2 * i + 1] = lo;
    this.values[i] = index;
    if (++this.count > this.limit) this.grow();
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    if (cap > 2 ** MAX_CAPACITY_LOG2) throw new RangeError(`the state index is full: ${this.count} fingerprints`);
    const [old, oldValues] = [this.table, this.values];
    this.table = new Uint32Array(cap * 2);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * LOAD);
    this.count = 0;
    for (let i = 0; i < oldValues.length; i++) {
      const h = old[2 * i]!;
      const l = old[2 * i + 1]!;
      if (h !== 0 || l !== 0) this.set(h, l, oldValues[i]!);
    }
  }
}
