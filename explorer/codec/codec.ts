// How a state becomes int32 words and back. Every mode keys and fingerprints a state by its
// words; fast mode also keeps its frontier as words and decodes them into scratch copies.
//
// Two codecs, chosen per model: the schema codec (generated from the model's declared schema,
// untagged and fast) and the generic codec (self-describing, for models without a schema).

import type { AnySchema } from './schema.ts';
import { GenericCodec } from './generic.ts';
import { SchemaCodec } from './compiled.ts';

export interface StateCodec {
  readonly kind: 'schema' | 'generic';
  /** The canonical words of `value`; the view is valid until the next call. */
  encode(value: unknown): Int32Array;
  /** A fresh, mutable copy of the value whose words are words[start, end). */
  decode(words: Int32Array, start: number, end: number): unknown;
  /** Interns a string ahead of time, so that its id does not depend on the order states are met. */
  intern(s: string): number;
  /**
   * From now on, a string not interned yet is an error: words then mean the same in every
   * thread that interned the same strings in the same order (parallel search). The generic
   * codec cannot promise that (it interns object keys as it meets them) and throws.
   */
  sealStrings(): void;
}

export function makeCodec(schema: AnySchema | undefined): StateCodec {
  return schema ? new SchemaCodec(schema) : new GenericCodec();
}
