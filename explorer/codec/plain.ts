// What a state may hold, and the one-line error for what it may not. A codec that encodes a
// value it does not understand merges states: a Map has no own enumerable keys, so it encodes
// as {} whatever it holds; an undefined member vanishes from the generic encoding, so fast
// mode's decoded copy lacks a key authoring mode's state has. Both codecs therefore refuse
// anything but plain data (numbers, booleans, strings, null, arrays without holes or undefined,
// objects whose prototype is Object.prototype or null) with an InputError naming the field.
//
// The checks themselves live in the encoders' hot loops; only the messages are built here, and
// only when a check has failed.

import { InputError } from '../errors.ts';

const PLAIN_DATA = 'states are plain data (numbers, booleans, strings, null, arrays, plain objects)';

/** An object the codecs accept: its prototype is Object.prototype or null (no Map, Set, class). */
export function isPlainObject(o: object): boolean {
  const p: unknown = Object.getPrototypeOf(o);
  return p === Object.prototype || p === null;
}

/** "state field g.owners" or, at the root, "the state". */
export function fieldName(path: string): string {
  return path === '' ? 'the state' : `state field ${path}`;
}

/** A value as an error message shows it: its kind for what is not plain data, else short JSON. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isPlainObject(v)) {
    if (v instanceof Map) return 'a Map';
    if (v instanceof Set) return 'a Set';
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `an instance of class ${name}` : 'an object with a prototype';
  }
  const json = JSON.stringify(v);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** What to do about a value that is not plain data. */
function advice(v: unknown): string {
  if (v === undefined) return 'use null for "no value" (with a schema, a value of the declared kind, such as -1)';
  if (v instanceof Map || v instanceof Set) return 'keep it as an array (of entries, or of sorted members) or as a plain object';
  return 'keep only the data, as an array or a plain object';
}

/** The error for a value that is not plain data at `path`. */
export function notPlainData(path: string, v: unknown): InputError {
  return new InputError(`${fieldName(path)} holds ${describeValue(v)}; ${PLAIN_DATA}: ${advice(v)}`);
}

/**
 * The first part of `v` that is not plain data, in the generic codec's walk order, as an error;
 * undefined if there is none. Run only after the encoder has met one, to name where it is.
 */
export function firstNotPlain(v: unknown, path = ''): InputError | undefined {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'string':
      return undefined;
    case 'object': {
      if (v === null) return undefined;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const bad = firstNotPlain(v[i], `${path}[${i}]`);
          if (bad) return bad;
        }
        return undefined;
      }
      if (!isPlainObject(v)) return notPlainData(path, v);
      for (const k of Object.keys(v).sort()) {
        const bad = firstNotPlain((v as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`);
        if (bad) return bad;
      }
      return undefined;
    }
    default:
      return notPlainData(path, v);
  }
}
