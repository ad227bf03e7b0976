// The schema codec: an encoder and a decoder generated from a schema as JavaScript source, so
// that each field is read and written by name (`v.gen`), which V8 compiles to a fixed-offset
// load, instead of through a generic walk over Object.keys (which costs a lookup per field and
// dominated authoring mode's profile). The same technique as protobuf.js's generated codecs.
//
// Words, in the schema's sorted field order, untagged: an int as itself (int32, checked), a bool
// as 0/1, a string as an id interned per codec, an array as its length then its elements. Two
// values of one schema have equal words exactly when they are equal, so the words serve as the
// canonical key, the packed state, and (hashed) the fingerprint. That holds only for values
// the schema describes, so the encoder checks every one (plain.ts) and names the field that
// is not: the checks run on every state generated, and cost no allocation when they pass.

import { InputError } from '../errors.ts';
import { describeValue, fieldName, isPlainObject, notPlainData } from './plain.ts';
import type { AnySchema } from './schema.ts';
import type { StateCodec } from './codec.ts';
import { StringTable } from './strings.ts';

/** Words a value of this schema takes outside the elements of its arrays. */
function fixedWords(s: AnySchema): number {
  if (typeof s === 'string') return 1;
  if ('array' in s) return 1;
  return Object.values(s.object).reduce((n, f) => n + fixedWords(f), 0);
}

const sortedFields = (o: Readonly<Record<string, AnySchema>>): string[] => Object.keys(o).sort();

class Gen {
  private n = 0;
  readonly lines: string[] = [];
  fresh(prefix: string): string {
    return `${prefix}${this.n++}`;
  }
  emit(line: string): void {
    this.lines.push(line);
  }
}

/** The JS expression of the path of field `k` under the path expression `path`. */
const fieldPath = (path: string, k: string): string => (path === '""' ? JSON.stringify(k) : `${path} + ${JSON.stringify(`.${k}`)}`);

/**
 * Statements that append the words of the value in variable `x` (of schema `s`) to w[n..].
 * `path` is a JS expression for the field's path, array indices included ("procs[1].pc"); it
 * is only evaluated when a check fails, as an argument of the error call.
 *
 * The checks are what makes equal words mean equal values: a leaf of the wrong kind (undefined
 * included, so a hole in an array too), and an object that is not plain or whose own keys are
 * not the schema's. Keys are checked by counting them (a for-in loop, no allocation) against
 * the schema's field count: with every declared field then read and checked, equal counts mean
 * equal key sets.
 */
function genEncode(g: Gen, s: AnySchema, x: string, path: string): void {
  if (s === 'int') {
    g.emit(`if ((${x} | 0) !== ${x}) bad(${path}, ${x}, 'an int32'); w[n++] = ${x};`);
  } else if (s === 'bool') {
    g.emit(`w[n++] = ${x} === true ? 1 : ${x} === false ? 0 : bad(${path}, ${x}, 'a boolean');`);
  } else if (s === 'string') {
    g.emit(`w[n++] = typeof ${x} === 'string' ? intern(${x}) : bad(${path}, ${x}, 'a string');`);
  } else if ('array' in s) {
    const len = g.fresh('len');
    const j = g.fresh('j');
    const e = g.fresh('e');
    const need = fixedWords(s.array);
    g.emit(`if (!Array.isArray(${x})) bad(${path}, ${x}, 'an array');`);
    g.emit(`const ${len} = ${x}.length; w[n++] = ${len};`);
    g.emit(`for (let ${j} = 0; ${j} < ${len}; ${j}++) {`);
    g.emit(`if (n + ${need} > w.length) w = grow(n, ${need});`);
    g.emit(`const ${e} = ${x}[${j}];`);
    genEncode(g, s.array, e, `${path} + "[" + ${j} + "]"`);
    g.emit('}');
  } else {
    const fields = sortedFields(s.object);
    const c = g.fresh('c');
    const k = g.fresh('k');
    g.emit(`if (typeof ${x} !== 'object' || ${x} === null) bad(${path}, ${x}, 'an object');`);
    // Plain: its constructor is Object (a load V8 caches per shape; Object.getPrototypeOf here
    // doubled the encoder's time), or it has no prototype at all.
    g.emit(`{ const ctor = ${x}.constructor; if (ctor !== OBJ && (ctor !== undefined || Object.getPrototypeOf(${x}) !== null)) bad(${path}, ${x}, 'a plain object'); }`);
    g.emit(`{ let ${c} = 0; for (const ${k} in ${x}) ${c}++; if (${c} !== ${fields.length}) keys(${path}, ${x}, ${JSON.stringify(fields)}); }`);
    for (const k of fields) {
      const f = g.fresh('f');
      g.emit(`const ${f} = ${x}[${JSON.stringify(k)}];`);
      genEncode(g, s.object[k]!, f, fieldPath(path, k));
    }
  }
}

/** Statements that read a value of schema `s` from w[i..] into a new variable; returns its name. */
function genDecode(g: Gen, s: AnySchema): string {
  const t = g.fresh('t');
  if (s === 'int') g.emit(`const ${t} = w[i++];`);
  else if (s === 'bool') g.emit(`const ${t} = w[i++] === 1;`);
  else if (s === 'string') g.emit(`const ${t} = strings[w[i++]];`);
  else if ('array' in s) {
    const len = g.fresh('len');
    const j = g.fresh('j');
    g.emit(`const ${len} = w[i++]; const ${t} = [];`);
    g.emit(`for (let ${j} = 0; ${j} < ${len}; ${j}++) {`);
    const e = genDecode(g, s.array);
    g.emit(`${t}.push(${e});`);
    g.emit('}');
  } else {
    const fields = sortedFields(s.object).map((k) => [k, genDecode(g, s.object[k]!)] as const);
    g.emit(`const ${t} = { ${fields.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')} };`);
  }
  return t;
}

/** Statements that copy the value in variable `x` (of schema `s`) into a new variable; returns its name. */
function genClone(g: Gen, s: AnySchema, x: string): string {
  if (typeof s === 'string') return x;
  const t = g.fresh('t');
  if ('array' in s) {
    if (typeof s.array === 'string') {
      g.emit(`const ${t} = ${x}.slice();`);
      return t;
    }
    const j = g.fresh('j');
    g.emit(`const ${t} = [];`);
    g.emit(`for (let ${j} = 0; ${j} < ${x}.length; ${j}++) {`);
    const e = g.fresh('e');
    g.emit(`const ${e} = ${x}[${j}];`);
    g.emit(`${t}.push(${genClone(g, s.array, e)});`);
    g.emit('}');
    return t;
  }
  const fields = sortedFields(s.object).map((k) => {
    const f = g.fresh('f');
    g.emit(`const ${f} = ${x}[${JSON.stringify(k)}];`);
    return [k, genClone(g, s.object[k]!, f)] as const;
  });
  g.emit(`const ${t} = { ${fields.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')} };`);
  return t;
}

/**
 * A deep copy of a value of `schema`, generated like the codec: what fast mode gives a recipe to
 * mutate, for the parts of a state the step may change.
 */
export function compileClone(schema: AnySchema): (v: unknown) => unknown {
  const g = new Gen();
  const root = genClone(g, schema, 'v');
  g.emit(`return ${root};`);
  return new Function('v', g.lines.join('\n')) as (v: unknown) => unknown;
}

type EncodeFn = (
  v: unknown,
  w: Int32Array,
  intern: (s: string) => number,
  grow: (n: number, need: number) => Int32Array,
  bad: (path: string, v: unknown, want: string) => never,
  keys: (path: string, v: object, fields: readonly string[]) => never,
  OBJ: ObjectConstructor,
) => number;
type DecodeFn = (w: Int32Array, i: number, end: number, strings: readonly string[]) => unknown;

export class SchemaCodec implements StateCodec {
  readonly kind = 'schema';
  private buf = new Int32Array(1 << 12);
  private readonly table = new StringTable();
  private readonly encodeFn: EncodeFn;
  private readonly decodeFn: DecodeFn;
  private readonly internFn = (s: string): number => this.intern(s);
  private readonly growFn = (n: number, need: number): Int32Array => {
    const bigger = new Int32Array(Math.max(this.buf.length * 2, n + need));
    bigger.set(this.buf.subarray(0, n));
    this.buf = bigger;
    return bigger;
  };

  constructor(schema: AnySchema) {
    const enc = new Gen();
    enc.emit(`let n = 0; if (${fixedWords(schema)} > w.length) w = grow(0, ${fixedWords(schema)});`);
    genEncode(enc, schema, 'v', '""');
    enc.emit('return n;');
    this.encodeFn = new Function('v', 'w', 'intern', 'grow', 'bad', 'keys', 'OBJ', enc.lines.join('\n')) as EncodeFn;

    const dec = new Gen();
    const root = genDecode(dec, schema);
    dec.emit(`if (i !== end) throw new Error('packed state of ' + (end - start) + ' words decoded to ' + (i - start));`);
    dec.emit(`return ${root};`);
    this.decodeFn = new Function('w', 'start', 'end', 'strings', `let i = start;\n${dec.lines.join('\n')}`) as DecodeFn;
  }

  sealStrings(): void {
    this.table.seal();
  }

  /** Interns a string ahead of time (e.g. every program location), so ids do not depend on the order states are met. */
  intern(s: string): number {
    return this.table.id(s);
  }

  encode(value: unknown): Int32Array {
    const n = this.encodeFn(value, this.buf, this.internFn, this.growFn, bad, wrongKeys, Object);
    return this.buf.subarray(0, n);
  }

  decode(words: Int32Array, start: number, end: number): unknown {
    return this.decodeFn(words, start, end, this.table.strings);
  }
}

function bad(path: string, v: unknown, want: string): never {
  const what = v === undefined ? 'undefined (missing, or set to undefined)' : describeValue(v);
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isPlainObject(v)) throw notPlainData(path, v);
  throw new InputError(`${fieldName(path)} holds ${what}, not ${want} as the model's schema says`);
}

/** The error for an object whose own keys are not its schema's fields. */
function wrongKeys(path: string, v: object, fields: readonly string[]): never {
  const extra = Object.keys(v).filter((k) => !fields.includes(k));
  const missing = fields.filter((k) => !Object.prototype.hasOwnProperty.call(v, k));
  const declared = fields.length === 0 ? 'declares no field' : fields.length <= 4 ? `declares ${fields.join(', ')}` : `declares ${fields.length} fields`;
  if (extra.length > 0) {
    throw new InputError(
      `${fieldName(path)} has key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} that its schema does not declare (it ${declared}); ` +
        'an object schema lists fixed fields: declare every key, or keep a record whose keys vary as an array',
    );
  }
  throw new InputError(`${fieldName(path)} lacks ${missing.map((k) => `'${k}'`).join(', ')}, which its schema declares`);
}
