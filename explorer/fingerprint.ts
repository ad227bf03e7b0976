// 64-bit fingerprints of states.
//
// A state's key is its int32 words (codec/codec.ts): equal for equal states. The fingerprint is
// a 64-bit hash of the key, kept as two uint32 halves so that the visited set can live in typed
// arrays and nothing is allocated per state.
//
// The hash is written here rather than taken from a library: the packages on offer return
// 64-bit hashes as BigInt (one allocation per state in the hottest loop) or hash strings.
//
// It is a position-keyed sum (Zobrist hashing, as chess engines use): the
// fingerprint is the XOR, over every position i, of a 64-bit mix of (i, words[i]), then of the
// length. Its point is that it can be updated: a successor differs from its parent in a few
// words, so fast mode gets the successor's fingerprint from the parent's by mixing only the
// words that changed (rehash64) instead of hashing some 300 words per transition.
// Each half is fmix32 (MurmurHash3's finalizer) of a different bijection of the word for each
// position, so the two halves are independent mixes.

/** MurmurHash3's 32-bit finalizer (also the check hash's, verified.ts). */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const high = (i: number, w: number): number => fmix(Math.imul(w, 0xcc9e2d51) ^ Math.imul(i + 0x9747b28c, 0x1b873593));
const low = (i: number, w: number): number => fmix(Math.imul(w ^ 0x5bd1e995, 0x2c1b3c6d) + Math.imul(i + 0x3c6ef372, 0x297a2d39));

const lengthHigh = (len: number): number => fmix(Math.imul(len, 0x61c88647) ^ 0x7f4a7c15);
const lengthLow = (len: number): number => fmix(Math.imul(len + 1, 0x27d4eb2f));

/** Writes the 64-bit fingerprint of `words[0..len)` into out[0] (high) and out[1] (low). */
export function hash64(words: ArrayLike<number>, len: number, out: Uint32Array): void {
  let h1 = lengthHigh(len);
  let h2 = lengthLow(len);
  for (let i = 0; i < len; i++) {
    const w = words[i]! | 0;
    h1 ^= high(i, w);
    h2 ^= low(i, w);
  }
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
}

/**
 * The fingerprint of `now[0..nowLen)` from `fp`, the fingerprint of `was[0..wasLen)`: only the
 * positions where the words differ are mixed out and in (after a length change, every position
 * from the end of the shorter one). Equal to hash64(now, nowLen) exactly.
 */
export function rehash64(fp: Uint32Array, was: ArrayLike<number>, wasLen: number, now: ArrayLike<number>, nowLen: number, out: Uint32Array): void {
  let h1 = fp[0]!;
  let h2 = fp[1]!;
  if (wasLen !== nowLen) {
    h1 ^= lengthHigh(wasLen) ^ lengthHigh(nowLen);
    h2 ^= lengthLow(wasLen) ^ lengthLow(nowLen);
  }
  const common = Math.min(wasLen, nowLen);
  for (let i = 0; i < common; i++) {
    const a = was[i]! | 0;
    const b = now[i]! | 0;
    if (a === b) continue;
    h1 ^= high(i, a) ^ high(i, b);
    h2 ^= low(i, a) ^ low(i, b);
  }
  for (let i = common; i < wasLen; i++) {
    h1 ^= high(i, was[i]! | 0);
    h2 ^= low(i, was[i]! | 0);
  }
  for (let i = common; i < nowLen; i++) {
    h1 ^= high(i, now[i]! | 0);
    h2 ^= low(i, now[i]! | 0);
  }
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
}
