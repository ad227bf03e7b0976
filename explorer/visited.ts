// The visited set: 64-bit fingerprints in one open-addressing table on a Uint32Array (high and
// low word side by side), linear probing, doubled when 70% full. No JS object per state.
// The all-zero fingerprint marks an empty slot, so a real zero fingerprint is stored as (0, 1);
// that folds two of 2^64 values together, which the collision estimate already covers.

const LOAD = 0.7;

export class FingerprintSet {
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  private limit: number;

  constructor(initialCapacityLog2 = 12) {
    const cap = 1 << initialCapacityLog2;
    this.table = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * LOAD);
  }

  get size(): number {
    return this.count;
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
    const old = this.table;
    const cap = (this.mask + 1) * 2;
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

/** An append-only int32 column (parent links, transition ids) that grows by doubling. */
export class Int32Column {
  private data: Int32Array;
  private len = 0;

  constructor(initial = 1 << 12) {
    this.data = new Int32Array(initial);
  }

  get length(): number {
    return this.len;
  }

  get bytes(): number {
    return this.data.byteLength;
  }

  push(v: number): void {
    if (this.len === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.len++] = v;
  }

  get(i: number): number {
    return this.data[i]!;
  }
}
