// Strings in state words: each gets a small id, the first free one, the first time it is met;
// both codecs keep one table for encoding (string -> id) and decoding (id -> string).

import { InputError } from '../errors.ts';

export class StringTable {
  private readonly ids = new Map<string, number>();
  /** The strings by id. */
  readonly strings: string[] = [];
  private sealed = false;

  /** The id of `s`, given it now if it has none (an error once the table is sealed). */
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      if (this.sealed) throw new InputError(`state holds the string '${s}', which is no program location; several workers need every string interned up front`);
      id = this.strings.length;
      this.ids.set(s, id);
      this.strings.push(s);
    }
    return id;
  }

  /** From now on a string without an id is an error: ids then mean the same in every thread. */
  seal(): void {
    this.sealed = true;
  }
}
