// Canonical keys and 64-bit fingerprints of states.
//
// A key is a sequence of int32 words that is equal for equal states: the generic encoder walks
// plain data (objects by sorted key, arrays by position, strings interned per run). The
// fingerprint is a 64-bit hash of the key, kept as two uint32 halves so that the visited set can
// live in typed arrays and nothing is allocated per state.
//
// The hash is written here rather than taken from a library: the packages on offer return
// 64-bit hashes as BigInt (one allocation per state in the hottest loop) or hash strings.
// Two 32-bit MurmurHash3 lanes with different seeds and word premixing give the 64 bits.

const TAG_NULL = 1;
const TAG_FALSE = 2;
const TAG_TRUE = 3;
const TAG_INT = 4;
const TAG_FLOAT = 5;
const TAG_STRING = 6;
const TAG_ARRAY = 7;
const TAG_OBJECT = 8;

export class CanonicalEncoder {
  private readonly strings = new Map<string, number>();
  private buf = new Int32Array(1024);
  private len = 0;
  private readonly f64 = new Float64Array(1);
  private readonly f64words = new Int32Array(this.f64.buffer);

  /** The key of `value`; the returned view is valid until the next call. */
  encode(value: unknown): Int32Array {
    this.len = 0;
    this.walk(value);
    return this.buf.subarray(0, this.len);
  }

  private push(word: number): void {
    if (this.len === this.buf.length) {
      const bigger = new Int32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.len++] = word;
  }

  private intern(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) {
      id = this.strings.size;
      this.strings.set(s, id);
    }
    return id;
  }

  private walk(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v && !Object.is(v, -0)) {
          this.push(TAG_INT);
          this.push(v);
        } else {
          this.f64[0] = v;
          this.push(TAG_FLOAT);
          this.push(this.f64words[0]!);
          this.push(this.f64words[1]!);
        }
        return;
      case 'boolean':
        this.push(v ? TAG_TRUE : TAG_FALSE);
        return;
      case 'string':
        this.push(TAG_STRING);
        this.push(this.intern(v));
        return;
      case 'undefined':
        this.push(TAG_NULL);
        return;
      case 'object':
        if (v === null) {
          this.push(TAG_NULL);
        } else if (Array.isArray(v)) {
          this.push(TAG_ARRAY);
          this.push(v.length);
          for (const x of v) this.walk(x);
        } else {
          this.walkObject(v as Record<string, unknown>);
        }
        return;
      default:
        throw new TypeError(`state holds a ${typeof v}; states must be plain data`);
    }
  }

  private walkObject(o: Record<string, unknown>): void {
    // Absent and undefined are the same state; keys in sorted order so that the order in which
    // a recipe added them does not matter.
    const keys = Object.keys(o);
    if (keys.length === 2) {
      if (keys[0]! > keys[1]!) keys.reverse();
    } else if (!isSorted(keys)) keys.sort();
    this.push(TAG_OBJECT);
    const countAt = this.len;
    this.push(0);
    let count = 0;
    for (const k of keys) {
      const v = o[k];
      if (v === undefined) continue;
      count++;
      this.push(this.intern(k));
      this.walk(v);
    }
    this.buf[countAt] = count;
  }
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Writes the 64-bit fingerprint of `words[0..len)` into out[0] (high) and out[1] (low). */
export function hash64(words: ArrayLike<number>, len: number, out: Uint32Array): void {
  let h1 = 0x9747b28c;
  let h2 = 0x3c6ef372 ^ len;
  for (let i = 0; i < len; i++) {
    const w = words[i]! | 0;
    let k1 = Math.imul(w, 0xcc9e2d51);
    k1 = Math.imul(rotl(k1, 15), 0x1b873593);
    h1 = Math.imul(rotl(h1 ^ k1, 13), 5) + 0xe6546b64;
    let k2 = Math.imul(w ^ (w >>> 15), 0x2c1b3c6d);
    k2 = Math.imul(rotl(k2, 17), 0x297a2d39);
    h2 = Math.imul(rotl(h2 ^ k2, 19), 9) + 0x7f4a7c15;
  }
  out[0] = fmix(h1 ^ len);
  out[1] = fmix(h2 ^ Math.imul(len, 0x61c88647));
}
