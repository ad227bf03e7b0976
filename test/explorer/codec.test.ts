// The codecs and the packed frontier: what goes in comes out, equal values give equal words,
// and a value that breaks the schema is refused with the field named.

import { describe, expect, it } from 'vitest';
import { SchemaCodec } from '../../explorer/codec/compiled.ts';
import { GenericCodec } from '../../explorer/codec/generic.ts';
import type { Schema } from '../../explorer/codec/schema.ts';
import { PackedFrontier } from '../../explorer/frontier.ts';
import { FingerprintSet } from '../../explorer/visited.ts';
import { InputError } from '../../explorer/index.ts';

interface T {
  n: number;
  b: boolean;
  s: string;
  xs: number[];
  rows: { id: number; on: boolean[] }[];
}
const schema: Schema<T> = {
  object: { n: 'int', b: 'bool', s: 'string', xs: { array: 'int' }, rows: { array: { object: { id: 'int', on: { array: 'bool' } } } } },
};
const value: T = { n: -7, b: true, s: 'at', xs: [1, -1, 2 ** 31 - 1, -(2 ** 31)], rows: [{ id: 3, on: [true, false] }, { id: 4, on: [] }] };

describe('schema codec', () => {
  const codec = new SchemaCodec(schema);

  it('decodes what it encoded into a fresh copy, untagged', () => {
    const words = codec.encode(value).slice();
    // n, b, s, xs (length + 4), rows (length + 2 rows of id + on length + bools)
    expect(words.length).toBe(1 + 1 + 1 + 5 + 1 + (1 + 1 + 2) + (1 + 1));
    const copy = codec.decode(words, 0, words.length);
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
  });

  it('gives equal words to equal values built in another key order', () => {
    const a = codec.encode(value).slice();
    const b = codec.encode({ rows: value.rows.map((r) => ({ on: [...r.on], id: r.id })), xs: [...value.xs], s: 'at', b: true, n: -7 });
    expect([...b]).toEqual([...a]);
  });

  it('names the field that breaks the schema', () => {
    expect(() => codec.encode({ ...value, rows: [{ id: 1.5, on: [] }] })).toThrow(InputError);
    expect(() => codec.encode({ ...value, rows: [{ id: 1.5, on: [] }] })).toThrow(/^state field rows\[0\]\.id holds 1\.5, not an int32/);
    expect(() => codec.encode({ ...value, b: 1 })).toThrow(/^state field b holds 1, not a boolean/);
  });
});

describe('generic codec', () => {
  it('decodes every kind of plain data it encodes', () => {
    const codec = new GenericCodec();
    const v = { a: [1, 0.5, -0, null, 'x', true, false, NaN], b: { c: [[]], d: {}, n: Object.assign(Object.create(null), { z: 1 }) }, e: -(2 ** 40) };
    const words = codec.encode(v).slice();
    expect(codec.decode(words, 0, words.length)).toEqual(v);
  });
});

describe('packed frontier', () => {
  it('gives back every state pushed, in order, with its index, and frees its chunks', () => {
    const codec = new SchemaCodec(schema);
    const f = new PackedFrontier<T>({ pack: (s) => codec.encode(s), unpack: (w, a, b) => codec.decode(w, a, b) as T });
    const states = Array.from({ length: 50_000 }, (_, i) => ({ ...value, n: i * 40_503 - 2 ** 30, xs: [i, -i] }));
    states.forEach((s, i) => f.push(i * 3, s));
    expect(f.length).toBe(states.length);
    expect(f.bytes).toBeGreaterThan(0);
    const out: [number, T][] = [];
    f.drain((idx, s) => (out.push([idx, s]), true));
    expect(out.length).toBe(states.length);
    expect(out[12_345]).toEqual([12_345 * 3, states[12_345]]);
    expect(out.at(-1)).toEqual([(states.length - 1) * 3, states.at(-1)]);
    expect(f.length).toBe(0);
    expect(f.bytes).toBe(0);
  });
});

describe('fingerprint table capacity', () => {
  it('can be made with 2^29 slots (2^28 entries at half load); the memory is only touched when used', () => {
    const set = new FingerprintSet(29);
    expect(set.capacity).toBe(2 ** 29);
    expect(set.add(1, 2)).toBe(true);
    expect(set.add(1, 2)).toBe(false);
    expect(set.has(2, 1)).toBe(false);
  });
});
