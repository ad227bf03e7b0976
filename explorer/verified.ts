// Fingerprint verification (`verifyFingerprints`, `--verify-fingerprints`): a second, independent
// check on every merge the visited set makes.
//
// The 64-bit fingerprint (fingerprint.ts) is a position-keyed XOR sum, linear in its positions'
// mixes: anyone who can choose a state's words can solve for two distinct states with the same
// fingerprint in well under a second (Gaussian elimination over GF(2), see the test). The
// collision estimate in the report assumes fingerprints behave as independent uniform values,
// which states built to collide do not. So beside each stored fingerprint this set keeps a
// 32-bit check hash of the same words, and when a fingerprint is met again the check hashes are
// compared: a mismatch proves two distinct states share the fingerprint, and the search says so
// (incomplete, never a pass) instead of dropping one of them.
//
// The check hash is a different kind of function, not derivable from the Zobrist sum: sequential
// and non-linear (MurmurHash3's multiply-rotate rounds over the words in order), with a seed
// drawn at random per run, XORed into every word before it is multiplied, so an input pair
// that collides for one seed is no more likely to collide for another. It is not a MAC: someone
// who knows the seed can still collide both. What it buys is that a collision of the fingerprint
// alone, accidental or built, is caught with probability 1 - 2^-32.
//
// Cost: one pass over the state's words per transition (the fingerprint itself is updated from
// the parent's in fast mode and needs none), and 4 more bytes per slot of the table.

import { randomInt } from 'node:crypto';
import { fmix } from './fingerprint.ts';
import type { StateSpace } from './space.ts';


/** The 32-bit check hash of `words[0..len)` under `seed`. */
export function checkHash(words: ArrayLike<number>, len: number, seed: number): number {
  const key = fmix(seed ^ 0x5bd1e995) | 0;
  let h = seed | 0;
  for (let i = 0; i < len; i++) {
    let k = Math.imul((words[i]! | 0) ^ key, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix(h ^ len);
}

const LOAD = 0.75;
const MAX_CAPACITY_LOG2 = 30;

/** What `add` found. */
export const NEW = 1;
export const SEEN = 0;
export const COLLISION = -1;
export type AddResult = typeof NEW | typeof SEEN | typeof COLLISION;

/**
 * 64-bit fingerprints, each with its check hash: open addressing, linear probing, three words a
 * slot (high, low, check), doubled at 75% load. All-zero marks an empty slot, as in
 * FingerprintSet, so a zero fingerprint is stored as (0, 1).
 */
export class CheckedFingerprintSet {
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  private limit: number;

  constructor(initialCapacityLog2 = 12) {
    const cap = 2 ** initialCapacityLog2;
    this.table = new Uint32Array(cap * 3);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * LOAD);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.table.byteLength;
  }

  /** Adds the fingerprint with its check; SEEN if it was there with the same check, COLLISION if with another. */
  add(hi: number, lo: number, check: number): AddResult {
    const i = this.slot(hi, lo);
    const t = this.table;
    if (t[3 * i] !== 0 || t[3 * i + 1] !== 0) return t[3 * i + 2] === check >>> 0 ? SEEN : COLLISION;
    t[3 * i] = hi;
    t[3 * i + 1] = lo === 0 && hi === 0 ? 1 : lo;
    t[3 * i + 2] = check;
    if (++this.count > this.limit) this.grow();
    return NEW;
  }

  /** Like add, without adding: NEW if absent. */
  has(hi: number, lo: number, check: number): AddResult {
    const i = this.slot(hi, lo);
    const t = this.table;
    if (t[3 * i] === 0 && t[3 * i + 1] === 0) return NEW;
    return t[3 * i + 2] === check >>> 0 ? SEEN : COLLISION;
  }

  /** The slot holding the fingerprint, or the empty slot where it would go. */
  private slot(hi: number, lo: number): number {
    if (hi === 0 && lo === 0) lo = 1;
    const t = this.table;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = t[3 * i]!;
      const l = t[3 * i + 1]!;
      if ((h === 0 && l === 0) || (h === hi >>> 0 && l === lo >>> 0)) return i;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    if (cap > 2 ** MAX_CAPACITY_LOG2) throw new RangeError(`the verified visited set is full: ${this.count} fingerprints`);
    const old = this.table;
    this.table = new Uint32Array(cap * 3);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * LOAD);
    this.count = 0;
    for (let i = 0; i < old.length; i += 3) if (old[i] !== 0 || old[i + 1] !== 0) this.add(old[i]!, old[i + 1]!, old[i + 2]!);
  }
}

const hex = (hi: number, lo: number): string => `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`;

/**
 * The visited set of a verified search over `space`: fingerprints checked by the codec words'
 * check hash. A collision is reported to `onCollision` (once per fingerprint met) and the state
 * is treated as seen: the search must then stop and say it is incomplete.
 */
export function verifiedVisitedSet<S>(space: StateSpace<S>, onCollision: (why: string) => void): { add(s: S): boolean; has(s: S): boolean; readonly bytes: number } {
  const set = new CheckedFingerprintSet();
  const fp = new Uint32Array(2);
  const seed = randomInt(0, 2 ** 32);
  const lookup = (s: S, adding: boolean): boolean => {
    space.fingerprint(s, fp);
    // Fast mode keeps the words it just fingerprinted, so this does not encode s again.
    const words = space.key(s);
    const check = checkHash(words, words.length, seed);
    const r = adding ? set.add(fp[0]!, fp[1]!, check) : set.has(fp[0]!, fp[1]!, check);
    if (r === COLLISION) {
      onCollision(`fingerprint collision: two distinct states share fingerprint ${hex(fp[0]!, fp[1]!)} (their check hashes differ); re-run with the exact engine (--engine exact)`);
    }
    return r === NEW;
  };
  return {
    add: (s) => lookup(s, true),
    has: (s) => !lookup(s, false),
    get bytes() {
      return set.bytes;
    },
  };
}
