// The generic codec: a self-describing encoding of any plain data (objects by sorted key, arrays
// by position, strings interned per codec), for models that declare no schema. Every value
// carries a tag word, and every object member its interned key, so it is about three times the
// size of the schema encoding and slower to walk; it is the fallback, not the fast path.
//
// Only plain data is encoded (plain.ts): anything else (a Map, a class instance, an undefined
// member, a function) is refused with the field named, since its words would not say what it
// holds.

import { InputError } from '../errors.ts';
import type { StateCodec } from './codec.ts';
import { firstNotPlain, isPlainObject } from './plain.ts';
import { StringTable } from './strings.ts';

const TAG_NULL = 1;
const TAG_FALSE = 2;
const TAG_TRUE = 3;
const TAG_INT = 4;
const TAG_FLOAT = 5;
const TAG_STRING = 6;
const TAG_ARRAY = 7;
const TAG_OBJECT = 8;

export class GenericCodec implements StateCodec {
  readonly kind = 'generic';
  private readonly table = new StringTable();
  private buf = new Int32Array(1024);
  private len = 0;
  private readonly f64 = new Float64Array(1);
  private readonly f64words = new Int32Array(this.f64.buffer);
  /** Decoder cursor. */
  private at = 0;
  /** The value being encoded, to name the part that is not plain data. */
  private root: unknown;

  encode(value: unknown): Int32Array {
    this.len = 0;
    this.root = value;
    this.walk(value);
    this.root = undefined;
    return this.buf.subarray(0, this.len);
  }

  decode(words: Int32Array, start: number, end: number): unknown {
    this.at = start;
    const v = this.read(words);
    if (this.at !== end) throw new Error(`packed state of ${end - start} words decoded to ${this.at - start}`);
    return v;
  }

  intern(s: string): number {
    return this.table.id(s);
  }

  sealStrings(): void {
    throw new InputError('several workers need the model to declare a schema (Model.schema): the generic encoding interns object keys as it meets them, so its words differ between threads');
  }

  private push(word: number): void {
    if (this.len === this.buf.length) {
      const bigger = new Int32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.len++] = word;
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
      case 'object':
        if (v === null) {
          this.push(TAG_NULL);
        } else if (Array.isArray(v)) {
          this.push(TAG_ARRAY);
          this.push(v.length);
          // An index loop, not for-of: a hole reads as undefined and is refused like one.
          for (let i = 0; i < v.length; i++) this.walk(v[i]);
        } else if (isPlainObject(v)) {
          this.walkObject(v as Record<string, unknown>);
        } else {
          this.refuse();
        }
        return;
      default:
        // undefined, a function, a symbol, a bigint.
        this.refuse();
    }
  }

  private walkObject(o: Record<string, unknown>): void {
    // Keys in sorted order so that the order in which a recipe added them does not matter.
    const keys = Object.keys(o);
    if (keys.length === 2) {
      if (keys[0]! > keys[1]!) keys.reverse();
    } else if (!isSorted(keys)) keys.sort();
    this.push(TAG_OBJECT);
    this.push(keys.length);
    for (const k of keys) {
      this.push(this.intern(k));
      this.walk(o[k]);
    }
  }

  /** Throws the error naming the first part of the value being encoded that is not plain data. */
  private refuse(): never {
    throw firstNotPlain(this.root) ?? new Error('generic codec: refused a value, but found nothing wrong in it');
  }

  private read(w: Int32Array): unknown {
    const tag = w[this.at++]!;
    switch (tag) {
      case TAG_NULL:
        return null;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_INT:
        return w[this.at++]!;
      case TAG_FLOAT:
        this.f64words[0] = w[this.at++]!;
        this.f64words[1] = w[this.at++]!;
        return this.f64[0]!;
      case TAG_STRING:
        return this.table.strings[w[this.at++]!]!;
      case TAG_ARRAY: {
        const n = w[this.at++]!;
        const a: unknown[] = [];
        for (let k = 0; k < n; k++) a.push(this.read(w));
        return a;
      }
      case TAG_OBJECT: {
        const n = w[this.at++]!;
        const o: Record<string, unknown> = {};
        for (let k = 0; k < n; k++) {
          const key = this.table.strings[w[this.at++]!]!;
          o[key] = this.read(w);
        }
        return o;
      }
      default:
        throw new Error(`packed state has tag ${tag} at word ${this.at - 1}`);
    }
  }
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}
