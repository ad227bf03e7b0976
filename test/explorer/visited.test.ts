// The visited set and the canonical keys it is fed with.

import { describe, expect, it } from 'vitest';
import { GenericCodec } from '../../explorer/codec/generic.ts';
import fc from 'fast-check';
import { hash64, rehash64 } from '../../explorer/fingerprint.ts';
import { ExactKeySet, FingerprintMap, FingerprintSet } from '../../explorer/visited.ts';

function fp(enc: GenericCodec, v: unknown): string {
  const key = enc.encode(v);
  const out = new Uint32Array(2);
  hash64(key, key.length, out);
  return `${out[0]}:${out[1]}`;
}

describe('canonical keys', () => {
  const enc = new GenericCodec();
  it('ignore the order in which object keys were added', () => {
    expect(fp(enc, { a: 1, b: [true, 'x'] })).toBe(fp(enc, { b: [true, 'x'], a: 1 }));
  });

  it('refuse an undefined member rather than drop it (a decoded copy would lack the key)', () => {
    expect(() => fp(enc, { a: 1, c: undefined })).toThrow(/^state field c holds undefined/);
  });

  it('tell apart values that a naive flattening would merge', () => {
    const values: unknown[] = [
      [1, [2]],
      [[1], 2],
      [1, 2],
      { a: 1 },
      { b: 1 },
      [true],
      [1],
      ['1'],
      [null],
      [0.5],
      [-0],
      [0],
      [2 ** 40],
      [],
      {},
    ];
    const fps = values.map((v) => fp(enc, v));
    expect(new Set(fps).size).toBe(values.length);
  });

  it('refuse what is not plain data', () => {
    expect(() => enc.encode({ f: () => 1 })).toThrow(/^state field f holds a function; states are plain data/);
  });
});

describe('incremental fingerprints', () => {
  it('rehash64 from a parent equals hashing the successor from scratch', () => {
    const words = fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 40 });
    const edit = fc.array(fc.tuple(fc.nat(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { maxLength: 6 });
    // A successor may also grow or shrink (a range inserted, a list popped).
    const resize = fc.integer({ min: -3, max: 3 });
    fc.assert(
      fc.property(words, edit, resize, (was, changes, by) => {
        const now = [...was];
        for (const [i, v] of changes) now[i % now.length] = v;
        if (by < 0) now.length = Math.max(0, now.length + by);
        for (let k = 0; k < by; k++) now.push(k * 7919 - 3);
        const parent = new Uint32Array(2);
        const direct = new Uint32Array(2);
        const updated = new Uint32Array(2);
        hash64(was, was.length, parent);
        hash64(now, now.length, direct);
        rehash64(parent, was, was.length, now, now.length, updated);
        expect([...updated]).toEqual([...direct]);
      }),
    );
  });

  it('depends on where a word is, not only on which words there are', () => {
    const a = new Uint32Array(2);
    const b = new Uint32Array(2);
    hash64([1, 2], 2, a);
    hash64([2, 1], 2, b);
    expect([...a]).not.toEqual([...b]);
    hash64([0], 1, a);
    hash64([0, 0], 2, b);
    expect([...a]).not.toEqual([...b]);
  });
});

describe('FingerprintSet', () => {
  it('counts 300,000 distinct keys exactly through many resizes, and finds every one again', () => {
    const set = new FingerprintSet(4);
    const out = new Uint32Array(2);
    const key = new Int32Array(3);
    const n = 300_000;
    let added = 0;
    for (let i = 0; i < n; i++) {
      key[0] = i;
      key[1] = i * 7;
      key[2] = -i;
      hash64(key, 3, out);
      if (set.add(out[0]!, out[1]!)) added++;
    }
    expect(added).toBe(n);
    expect(set.size).toBe(n);
    for (let i = 0; i < n; i += 997) {
      key[0] = i;
      key[1] = i * 7;
      key[2] = -i;
      hash64(key, 3, out);
      expect(set.has(out[0]!, out[1]!)).toBe(true);
      expect(set.add(out[0]!, out[1]!)).toBe(false);
    }
    expect(set.size).toBe(n);
  });

  it('keeps the all-zero fingerprint (the empty-slot marker) as a member', () => {
    const set = new FingerprintSet(4);
    expect(set.has(0, 0)).toBe(false);
    expect(set.add(0, 0)).toBe(true);
    expect(set.has(0, 0)).toBe(true);
    expect(set.add(0, 0)).toBe(false);
  });
});

describe('the state index of the liveness graph', () => {
  it('FingerprintMap gives back every index stored, across growth, and -1 for the others', () => {
    const map = new FingerprintMap(2);
    const out = new Uint32Array(2);
    const n = 5000;
    for (let i = 0; i < n; i++) {
      hash64([i, 7], 2, out);
      expect(map.get(out[0]!, out[1]!)).toBe(-1);
      map.set(out[0]!, out[1]!, i);
    }
    for (let i = 0; i < n; i++) {
      hash64([i, 7], 2, out);
      expect(map.get(out[0]!, out[1]!)).toBe(i);
    }
    map.set(0, 0, n);
    expect([map.get(0, 0), map.size]).toEqual([n, n + 1]);
  });

  it('ExactKeySet numbers keys in the order added', () => {
    const keys = new ExactKeySet();
    for (let i = 0; i < 3000; i++) keys.add([i, i * 3, 1]);
    expect([keys.indexOf([0, 0, 1]), keys.indexOf([2999, 8997, 1]), keys.indexOf([1, 2])]).toEqual([0, 2999, -1]);
  });
});
