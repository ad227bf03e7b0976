// A state schema: the shape of a model's plain data, declared once next to its types. With one,
// the engine encodes a state as untagged int32 words in a fixed field order (about a third of
// the generic tagged encoding, and several times faster to produce), which is what fast mode
// packs into its frontier and what every mode hashes.
//
// `Schema<T>` is checked against the TypeScript type: every field of T must be described, with
// the right kind, so a model cannot forget a field (a forgotten field would merge states).
// Fields are required: a model whose state has optional or union-typed fields gives no schema
// and runs on the generic, self-describing encoding instead.

import { InputError } from '../errors.ts';

export type Schema<T> = T extends boolean
  ? 'bool'
  : T extends number
    ? 'int'
    : T extends string
      ? 'string'
      : T extends readonly (infer E)[]
        ? { readonly array: Schema<E> }
        : T extends object
          ? { readonly object: { readonly [K in keyof T]-?: Schema<T[K]> } }
          : never;

/** A schema with its type parameter forgotten, as the codec generator walks it. */
export type AnySchema = 'bool' | 'int' | 'string' | { readonly array: AnySchema } | { readonly object: Readonly<Record<string, AnySchema>> };

/** The schema of a model's globals and of its processes' locals. */
export interface StateSchema<G, L> {
  readonly globals: Schema<G>;
  readonly locals: Schema<L>;
}

/** The schema of the engine's whole state (SysState) around a model's two schemas. */
export function sysStateSchema(globals: AnySchema, locals: AnySchema): AnySchema {
  return {
    object: {
      g: globals,
      locks: { array: { object: { w: 'int', r: 'int' } } },
      procs: { array: { object: { pc: 'string', locals } } },
    },
  };
}

/** Rejects what the TypeScript type cannot: a schema built at run time with a typo in a kind. */
export function checkSchema(s: unknown, path = 'state'): AnySchema {
  if (s === 'bool' || s === 'int' || s === 'string') return s;
  if (typeof s === 'object' && s !== null) {
    if ('array' in s) {
      checkSchema((s as { array: unknown }).array, `${path}[]`);
      return s as AnySchema;
    }
    if ('object' in s) {
      const fields = (s as { object: unknown }).object;
      if (typeof fields === 'object' && fields !== null) {
        for (const [k, v] of Object.entries(fields)) checkSchema(v, `${path}.${k}`);
        return s as AnySchema;
      }
    }
  }
  throw new InputError(`schema of ${path} is ${JSON.stringify(s)}; expected 'bool', 'int', 'string', { array } or { object }`);
}
