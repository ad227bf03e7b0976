// Issue 13, item 8: the position-keyed XOR fingerprint can be made to collide on purpose, and
// then the fingerprint engines pass where the exact engine finds the violation. Built here: two
// distinct states with one 64-bit fingerprint (the fingerprint is linear over GF(2) in its
// positions' mixes, so Gaussian elimination on 65 positions finds them at once), in a model
// where only one of them violates. Fingerprint verification (explorer/verified.ts) turns the
// silent pass into an incomplete search that names the collision.

import { describe, expect, it } from 'vitest';
import { formatExplore } from '../../cli/format.ts';
import { AuthoringSpace, explore, exploreParallel, InputError, type Model, type Program, type SysState } from '../../explorer/index.ts';
import { hash64 } from '../../explorer/fingerprint.ts';
import { CheckedFingerprintSet, checkHash, COLLISION, NEW, SEEN } from '../../explorer/verified.ts';
import { scenarioModel, scenarioSource } from '../../cli/scenario-source.ts';
import { lossyKeyModel } from '../fixtures/engine-models.ts';

type G = { xs: number[] };
type L = Record<string, never>;
const N = 65;
const zeros = (): number[] => new Array<number>(N).fill(0);

/** A model whose one step writes `a` or `b` into g.xs; writing a 1 anywhere is the violation. */
function twoWrites(a: readonly number[], b: readonly number[]): Model<G, L> {
  const program: Program<G, L> = {
    name: 'writer',
    start: 'write',
    steps: [{ label: 'write', kernelFn: 'memcpy(xs, a or b)', choices: () => [0, 1], effect: (g, _l, ctx) => void (g.xs = [...(ctx.choice === 0 ? a : b)]), next: 'done' }],
  };
  return {
    name: 'colliding-writes',
    processes: [{ name: 'w', program, locals: {} }],
    initial: [{ xs: [] }],
    invariants: [{ kind: 'state', id: 'no-one-written', statement: 'no 1 is ever written to xs', holds: (s) => !s.g.xs.includes(1) }],
    schema: { globals: { object: { xs: { array: 'int' } } }, locals: { object: {} } },
  };
}

/** The 64-bit fingerprint of a state's codec words, as a bigint. */
function fingerprintOf(space: AuthoringSpace<G, L>, s: SysState<G, L>): bigint {
  const words = space.key(s);
  const out = new Uint32Array(2);
  hash64(words, words.length, out);
  return (BigInt(out[0]!) << 32n) | BigInt(out[1]!);
}

/**
 * xs = all zeros, and xs with a 1 at each position of a nonempty set S chosen so that the two
 * states' fingerprints are equal. Flipping position i changes the fingerprint by XOR with a
 * fixed 64-bit d_i (whatever the other words are), so S is a linear dependency among
 * d_0..d_64: 65 vectors in GF(2)^64 always have one.
 */
function collidingWrites(): { a: number[]; b: number[] } {
  const space = new AuthoringSpace(twoWrites(zeros(), zeros()));
  const after = (xs: number[]): SysState<G, L> => ({ g: { xs }, locks: [], procs: [{ pc: 'done', locals: {} }] });
  const base = fingerprintOf(space, after(zeros()));
  const d = Array.from({ length: N }, (_, i) => {
    const xs = zeros();
    xs[i] = 1;
    return base ^ fingerprintOf(space, after(xs));
  });
  // Elimination, keeping for each reduced vector the set of positions it is the sum of.
  const basis = new Map<number, { v: bigint; of: bigint }>();
  for (let i = 0; i < N; i++) {
    let v = d[i]!;
    let of = 1n << BigInt(i);
    for (let bit = 63; bit >= 0 && v !== 0n; bit--) {
      if (((v >> BigInt(bit)) & 1n) === 0n) continue;
      const row = basis.get(bit);
      if (!row) {
        basis.set(bit, { v, of });
        break;
      }
      v ^= row.v;
      of ^= row.of;
    }
    if (v === 0n) {
      const b = zeros();
      for (let k = 0; k < N; k++) if ((of >> BigInt(k)) & 1n) b[k] = 1;
      return { a: zeros(), b };
    }
  }
  throw new Error('65 vectors of 64 bits are always dependent');
}

describe('a built 64-bit fingerprint collision', () => {
  const { a, b } = collidingWrites();
  const model = twoWrites(a, b);

  it('is two distinct states with one fingerprint, in both fingerprint engines', () => {
    expect(b).not.toEqual(a);
    const space = new AuthoringSpace(model);
    const [sa, sb] = [a, b].map((xs): SysState<G, L> => ({ g: { xs }, locks: [], procs: [{ pc: 'done', locals: {} }] }));
    expect(Array.from(space.key(sa!))).not.toEqual(Array.from(space.key(sb!)));
    expect(fingerprintOf(space, sa!)).toBe(fingerprintOf(space, sb!));
  });

  it('makes fast and authoring pass where the exact engine finds the violation', () => {
    for (const engine of ['fast', 'authoring'] as const) {
      const r = explore(model, { engine });
      expect(r.verdict).toBe('pass');
      expect(r.states).toBe(2);
      // The estimate is tiny; the assumption it rests on is what breaks.
      expect(r.fingerprintCollisionProbability).toBeLessThan(1e-18);
      expect(r.fingerprintCollisionAssumption).toMatch(/not \(the fingerprint is linear/);
    }
    const exact = explore(model, { engine: 'exact' });
    expect(exact.verdict).toBe('violation');
    expect(exact.violations.map((v) => v.invariant)).toEqual(['no-one-written']);
    expect(exact.states).toBe(3);
  });

  it('with verification, makes the search incomplete, naming the collision', () => {
    for (const engine of ['fast', 'authoring'] as const) {
      const r = explore(model, { engine, verifyFingerprints: true });
      expect(r.verdict).toBe('incomplete');
      expect(r.incomplete).toMatch(/^fingerprint collision: two distinct states share fingerprint 0x[0-9a-f]{16} \(their check hashes differ\); re-run with the exact engine \(--engine exact\)$/);
      expect(r.fingerprintsVerified).toBe(true);
      const text = formatExplore(r, 'colliding-writes', 'built');
      expect(text).toContain('verdict: incomplete: fingerprint collision: two distinct states share fingerprint');
    }
  });
});

describe('fingerprint verification on an ordinary search', () => {
  it('finds the same states, transitions and verdicts, and says it verified', () => {
    for (const [scenario, protocol] of [
      ['fault-vs-munmap', 'amdgpu-v3'],
      ['philosophers', 'left-first'],
    ] as const) {
      const m = scenarioModel({ scenario, protocol });
      for (const engine of ['fast', 'authoring'] as const) {
        const plain = explore(m, { engine, stopAtFirstViolation: false });
        const verified = explore(m, { engine, stopAtFirstViolation: false, verifyFingerprints: true });
        expect([verified.states, verified.transitions, verified.verdict, verified.incomplete]).toEqual([plain.states, plain.transitions, plain.verdict, plain.incomplete]);
        expect(verified.fingerprintsVerified).toBe(true);
        expect(plain.fingerprintsVerified).toBeUndefined();
      }
    }
  });

  it("also catches a model's own key that merges distinct states (it checks the codec's words)", () => {
    const lossy = lossyKeyModel();
    expect(explore(lossy, { engine: 'fast' }).verdict).toBe('pass');
    expect(explore(lossy, { engine: 'fast', verifyFingerprints: true }).incomplete).toMatch(/^fingerprint collision/);
  });

  it('is refused with several workers, in one line', async () => {
    const m = scenarioModel({ scenario: 'mutex', protocol: 'peterson' });
    await expect(exploreParallel(m, scenarioSource('mutex', 'peterson'), { workers: 2, verifyFingerprints: true })).rejects.toThrow(InputError);
    await expect(exploreParallel(m, scenarioSource('mutex', 'peterson'), { workers: 2, verifyFingerprints: true })).rejects.toThrow(/several workers do not support fingerprint verification yet/);
  });

  it('the report states what the collision estimate assumes', () => {
    const r = explore(scenarioModel({ scenario: 'mutex', protocol: 'peterson' }), { engine: 'fast' });
    const text = formatExplore(r, 'mutex', 'peterson').replace(/\s+/g, ' ');
    expect(text).toContain("assuming distinct states' fingerprints are independent uniform 64-bit values, which states built to collide are not");
    expect(text).toContain('--verify-fingerprints checks every merge');
    expect(explore(scenarioModel({ scenario: 'mutex', protocol: 'peterson' }), { engine: 'exact' }).fingerprintCollisionAssumption).toBeUndefined();
  });
});

describe('the checked fingerprint table', () => {
  it('tells a new fingerprint, the same state again, and another state with that fingerprint apart, across growth', () => {
    const set = new CheckedFingerprintSet(4);
    const n = 2000;
    for (let i = 0; i < n; i++) expect(set.add(i * 7919, i ^ 0x5555, i * 31)).toBe(NEW);
    expect(set.size).toBe(n);
    for (let i = 0; i < n; i++) {
      expect(set.add(i * 7919, i ^ 0x5555, i * 31)).toBe(SEEN);
      expect(set.has(i * 7919, i ^ 0x5555, i * 31 + 1)).toBe(COLLISION);
    }
    expect(set.has(1, 2, 3)).toBe(NEW);
    // The all-zero fingerprint is an ordinary one.
    expect(set.add(0, 0, 9)).toBe(NEW);
    expect(set.add(0, 0, 9)).toBe(SEEN);
    expect(set.add(0, 0, 8)).toBe(COLLISION);
  });

  it('check hashes depend on the seed and on the order of the words', () => {
    const w = [1, 2, 3, 4];
    expect(checkHash(w, 4, 1)).not.toBe(checkHash(w, 4, 2));
    expect(checkHash(w, 4, 1)).not.toBe(checkHash([2, 1, 3, 4], 4, 1));
    expect(checkHash(w, 4, 1)).toBe(checkHash([...w], 4, 1));
  });
});
