// The BFS frontier: the states of the level being expanded and of the next one. Authoring mode
// keeps them as JS objects (frozen, structurally shared). Fast mode keeps each as its packed
// words, written as zigzag varints into large byte chunks (most words are small numbers, so
// about one byte each), and frees each chunk as soon as the search has read past it; no JS
// object per waiting state.

export interface Frontier<S> {
  readonly length: number;
  /** Bytes the frontier holds now (packed frontiers only; 0 for objects). */
  readonly bytes: number;
  push(idx: number, s: S): void;
  /** Takes the entries out in the order pushed, until `visit` returns false; leaves it empty. */
  drain(visit: (idx: number, s: S) => boolean): void;
}

export class ObjectFrontier<S> implements Frontier<S> {
  private states: S[] = [];
  private idx: number[] = [];
  readonly bytes = 0;

  get length(): number {
    return this.states.length;
  }

  push(idx: number, s: S): void {
    this.states.push(s);
    this.idx.push(idx);
  }

  drain(visit: (idx: number, s: S) => boolean): void {
    const states = this.states;
    const idx = this.idx;
    this.states = [];
    this.idx = [];
    for (let k = 0; k < states.length; k++) if (!visit(idx[k]!, states[k]!)) return;
  }
}

/** What a packed frontier needs of a state space. */
export interface Packer<S> {
  pack(s: S): Int32Array;
  unpack(words: Int32Array, start: number, end: number): S;
}

const CHUNK = 1 << 22;

/** A packed frontier's bytes, as sent between threads (the chunks' buffers are transferable). */
export interface PackedParts {
  readonly chunks: Uint8Array[];
  readonly used: number[];
  readonly count: number;
}

export class PackedFrontier<S> implements Frontier<S> {
  private chunks: (Uint8Array | undefined)[] = [];
  /** Bytes used in each chunk. */
  private used: number[] = [];
  private count = 0;
  private held = 0;
  private words = new Int32Array(1 << 10);

  constructor(private readonly packer: Packer<S>) {}

  get length(): number {
    return this.count;
  }

  get bytes(): number {
    return this.held;
  }

  push(idx: number, s: S): void {
    const w = this.packer.pack(s);
    const worst = 5 * (w.length + 2);
    let c = this.chunks.length - 1;
    if (c < 0 || this.used[c]! + worst > this.chunks[c]!.length) {
      this.chunks.push(new Uint8Array(Math.max(CHUNK, worst)));
      this.used.push(0);
      this.held += Math.max(CHUNK, worst);
      c++;
    }
    const buf = this.chunks[c]!;
    let at = writeVarint(buf, this.used[c]!, idx);
    at = writeVarint(buf, at, w.length);
    for (let k = 0; k < w.length; k++) at = writeVarint(buf, at, zigzag(w[k]!));
    this.used[c] = at;
    this.count++;
  }

  /** Hands over the entries (for another thread); leaves this frontier empty. */
  take(): PackedParts {
    const parts = { chunks: this.chunks as Uint8Array[], used: this.used, count: this.count };
    this.chunks = [];
    this.used = [];
    this.count = 0;
    this.held = 0;
    return parts;
  }

  /** Appends entries another frontier handed over, after this one's. */
  append(parts: PackedParts): void {
    for (let c = 0; c < parts.chunks.length; c++) {
      this.chunks.push(parts.chunks[c]!);
      this.used.push(parts.used[c]!);
      this.held += parts.chunks[c]!.length;
    }
    this.count += parts.count;
    // Later pushes must not write into a chunk that is full or another frontier's tail.
    this.chunks.push(new Uint8Array(0));
    this.used.push(0);
  }

  drain(visit: (idx: number, s: S) => boolean): void {
    const chunks = this.chunks;
    const used = this.used;
    this.chunks = [];
    this.used = [];
    this.count = 0;
    const cursor = { at: 0 };
    try {
      for (let c = 0; c < chunks.length; c++) {
        const buf = chunks[c]!;
        cursor.at = 0;
        while (cursor.at < used[c]!) {
          const idx = readVarint(buf, cursor);
          const n = readVarint(buf, cursor);
          if (n > this.words.length) this.words = new Int32Array(n * 2);
          for (let k = 0; k < n; k++) this.words[k] = unzigzag(readVarint(buf, cursor));
          if (!visit(idx, this.packer.unpack(this.words, 0, n))) return;
        }
        // Read past: let the chunk go now rather than at the end of the level.
        chunks[c] = undefined;
        this.held -= buf.length;
      }
    } finally {
      for (const b of chunks) if (b) this.held -= b.length;
    }
  }
}

const zigzag = (v: number): number => ((v << 1) ^ (v >> 31)) >>> 0;
const unzigzag = (z: number): number => (z >>> 1) ^ -(z & 1);

function writeVarint(buf: Uint8Array, at: number, z: number): number {
  while (z >= 0x80) {
    buf[at++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[at++] = z;
  return at;
}

function readVarint(buf: Uint8Array, cursor: { at: number }): number {
  let at = cursor.at;
  let z = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++]!;
    z |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  cursor.at = at;
  return z >>> 0;
}
