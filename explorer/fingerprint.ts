// 64-bit fingerprints of states.
//
// A state's key is its int32 words (codec/codec.ts): equal for equal states. The fingerprint is
// a 64-bit hash of the key, kept as two uint32 halves so that the visited set can live in typed
// arrays and nothing is allocated per state.
//
// The hash is written here rather than taken from a library: the packages on offer return
// 64-bit hashes as BigInt (one allocation per state in the hottest loop) or hash strings.
// Two 32-bit MurmurHash3 lanes with different seeds and word premixing give the 64 bits.

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
