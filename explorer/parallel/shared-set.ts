// The visited set shared by the worker threads: 64-bit fingerprints in an open-addressing table
// on a SharedArrayBuffer, inserted without a lock. A slot is two words, low then high, both 0
// when empty. A thread claims an empty slot by compare-and-swap on its low word, then publishes
// the high word; a thread that finds a claimed slot with its own low word waits for the high
// word to appear and compares it. Neither half of a stored fingerprint is 0 (a 0 half is stored
// as 1: that folds a 2^-32 sliver of fingerprints together, far below the collision estimate).
//
// The table does not grow while threads insert: the coordinator makes it larger between BFS
// levels (grow), and between the rounds of a level when the workers stopped at a half-full
// table (worker.ts); they stop early enough that it is never more than 3/4 full.

export class SharedFingerprintSet {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly mask: number;

  /** A new table of 2^log2 slots, or a view of a table another thread made. */
  constructor(log2OrBuffer: number | SharedArrayBuffer) {
    this.buffer = typeof log2OrBuffer === 'number' ? new SharedArrayBuffer(8 * 2 ** log2OrBuffer) : log2OrBuffer;
    this.words = new Int32Array(this.buffer);
    this.mask = this.words.length / 2 - 1;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  get bytes(): number {
    return this.buffer.byteLength;
  }

  /** Adds the fingerprint; true if this call added it (exactly one thread wins a race). */
  add(hi: number, lo: number): boolean {
    const l = lo | 0 || 1;
    const h = hi | 0 || 1;
    const w = this.words;
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & this.mask;
    for (let probes = 0; probes <= this.mask; probes++) {
      let seen = Atomics.load(w, 2 * i);
      if (seen === 0) {
        seen = Atomics.compareExchange(w, 2 * i, 0, l);
        if (seen === 0) {
          Atomics.store(w, 2 * i + 1, h);
          return true;
        }
      }
      if (seen === l) {
        let other = Atomics.load(w, 2 * i + 1);
        while (other === 0) other = Atomics.load(w, 2 * i + 1);
        if (other === h) return false;
      }
      i = (i + 1) & this.mask;
    }
    throw new RangeError(`the shared visited set is full (${this.capacity} slots)`);
  }

  has(hi: number, lo: number): boolean {
    const l = lo | 0 || 1;
    const h = hi | 0 || 1;
    const w = this.words;
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & this.mask;
    for (let probes = 0; probes <= this.mask; probes++) {
      const seen = Atomics.load(w, 2 * i);
      if (seen === 0) return false;
      if (seen === l) {
        let other = Atomics.load(w, 2 * i + 1);
        while (other === 0) other = Atomics.load(w, 2 * i + 1);
        if (other === h) return true;
      }
      i = (i + 1) & this.mask;
    }
    return false;
  }

  /** A table of 2^log2 slots holding every fingerprint of this one (no thread may insert meanwhile). */
  grow(log2: number): SharedFingerprintSet {
    const bigger = new SharedFingerprintSet(log2);
    const w = this.words;
    for (let i = 0; i < w.length; i += 2) if (w[i] !== 0) bigger.add(w[i + 1]!, w[i]!);
    return bigger;
  }
}
