// The liveness search on models small enough to draw: what it must find (and not find), with
// and without weak fairness, under bounds and with symmetry reduction. Every reported trace
// must replay to where the property fails (confirmViolation).

import { describe, expect, it } from 'vitest';
import { countersModel, type CounterLocals } from '../../classic/counters.ts';
import { confirmViolation, DONE, explore, type ExploreOptions, type LivenessProperty, type Model, type Program, type SysState } from '../../explorer/index.ts';

type None = Record<string, never>;

/** Pending "req" wherever `when` holds. */
function pendingWhere<G, L>(when: (s: SysState<G, L>) => boolean): LivenessProperty<G, L> {
  return { kind: 'liveness', id: 'req-served', statement: 'the request is served', pending: (s) => (when(s) ? ['req'] : []) };
}

function run<G, L>(model: Model<G, L>, opts: ExploreOptions = {}) {
  const r = explore(model, { stopAtFirstViolation: false, liveness: true, ...opts });
  for (const v of r.violations) expect(confirmViolation(model, v), `${v.invariant} replays`).toBe(true);
  return r;
}

/**
 * One process: R -> A, A -> N or A -> B (in that order), N -> B, B -> A. "req" is pending at A
 * and B only. The cycle A -> B -> A keeps it pending, but a depth-first search that goes
 * R, A, N, B first closes the cycle A N B A through N, where it is not pending, and then meets
 * A -> B as an edge to a state already finished.
 */
function nonMonotone(): Model<None, None> {
  const program: Program<None, None> = {
    name: 'walker',
    start: 'R',
    steps: [
      { label: 'r_to_a', at: 'R', kernelFn: 'r', next: 'A' },
      { label: 'a_to_n', at: 'A', kernelFn: 'a', next: 'N' },
      { label: 'a_to_b', at: 'A', kernelFn: 'a', next: 'B' },
      { label: 'n_to_b', at: 'N', kernelFn: 'n', next: 'B' },
      { label: 'b_to_a', at: 'B', kernelFn: 'b', next: 'A' },
    ],
  };
  return {
    name: 'non-monotone',
    processes: [{ name: 'w', program, locals: {} }],
    initial: [{}],
    liveness: [pendingWhere((s) => s.procs[0]!.pc === 'A' || s.procs[0]!.pc === 'B')],
  };
}

/** A client sends a request and finishes; the server idles at an end label and never serves it. */
function unservedRequest(): Model<{ req: boolean; go: boolean }, None> {
  const client: Program<{ req: boolean; go: boolean }, None> = {
    name: 'client',
    start: 'send',
    steps: [{ label: 'send', kernelFn: 'send', effect: (g) => void (g.req = true), next: DONE }],
  };
  const server: Program<{ req: boolean; go: boolean }, None> = {
    name: 'server',
    start: 'idle',
    endLabels: ['idle'],
    steps: [{ label: 'idle', kernelFn: 'serve', guard: (g) => g.go, effect: (g) => void (g.req = false), next: DONE }],
  };
  return {
    name: 'unserved-request',
    processes: [
      { name: 'client', program: client, locals: {} },
      { name: 'server', program: server, locals: {} },
    ],
    initial: [{ req: false, go: false }],
    liveness: [pendingWhere((s) => s.g.req)],
  };
}

/**
 * A spins forever; B has one step to finish (and, with `retry`, also one that keeps it where it
 * is). "req" is pending until B finishes.
 */
function spinner(retry: boolean): Model<None, None> {
  const a: Program<None, None> = { name: 'spin', start: 'spin', steps: [{ label: 'spin', kernelFn: 'cpu_relax', next: 'spin' }] };
  const b: Program<None, None> = {
    name: 'work',
    start: 'work',
    steps: [
      { label: 'finish', at: 'work', kernelFn: 'finish', next: DONE },
      ...(retry ? [{ label: 'retry', at: 'work', kernelFn: 'retry', next: 'work' }] : []),
    ],
  };
  return {
    name: `spinner${retry ? '-retry' : ''}`,
    processes: [
      { name: 'A', program: a, locals: {} },
      { name: 'B', program: b, locals: {} },
    ],
    initial: [{}],
    liveness: [pendingWhere((s) => s.procs[1]!.pc !== DONE)],
  };
}

/**
 * A either spins (x unchanged) or toggles x; B can finish only while x = 1. From x = 1 the
 * component {x = 1, x = 0} keeps B pending, and it is weakly fair only through x = 0, where B
 * is disabled: a cycle of A's spins alone at x = 1 starves B while B stays enabled.
 */
function toggler(): Model<{ x: number }, None> {
  const a: Program<{ x: number }, None> = {
    name: 'toggle',
    start: 'run',
    steps: [
      { label: 'spin', at: 'run', kernelFn: 'cpu_relax', next: 'run' },
      { label: 'flip', at: 'run', kernelFn: 'x ^= 1', writes: ['x'], effect: (g) => void (g.x ^= 1), next: 'run' },
    ],
  };
  const b: Program<{ x: number }, None> = { name: 'wait', start: 'finish', steps: [{ label: 'finish', kernelFn: 'finish', reads: ['x'], guard: (g) => g.x === 1, next: DONE }] };
  return {
    name: 'toggler',
    processes: [
      { name: 'A', program: a, locals: {} },
      { name: 'B', program: b, locals: {} },
    ],
    initial: [{ x: 1 }],
    liveness: [pendingWhere((s) => s.procs[1]!.pc !== DONE)],
  };
}

/** x counts up to `top` forever (wrapping to 0); `bad` breaks at x = 3. Pending while x > 0. */
function endlessCounter(top: number): Model<{ x: number }, None> {
  const p: Program<{ x: number }, None> = {
    name: 'count',
    start: 'inc',
    steps: [{ label: 'inc', kernelFn: 'x++', effect: (g) => void (g.x = g.x === top ? 0 : g.x + 1), next: 'inc' }],
  };
  return {
    name: 'endless-counter',
    processes: [{ name: 'c', program: p, locals: {} }],
    initial: [{ x: 0 }],
    invariants: [{ kind: 'state', id: 'small', statement: 'x < 3', holds: (s) => s.g.x < 3 }],
    liveness: [pendingWhere((s) => s.g.x > 0)],
  };
}

describe('pending sets that come back', () => {
  it('a cycle entered through a state where the name is not pending is found', () => {
    const r = run(nonMonotone());
    expect(r.verdict).toBe('violation');
    const v = r.violations.find((x) => x.invariant === 'req-served')!;
    expect(v.trace.loopsFrom).toBe(1);
    expect(v.trace.steps.map((s) => s.label)).toEqual(['r_to_a', 'a_to_b', 'b_to_a']);
  });
});

describe('terminal states', () => {
  it('a request pending when nothing can move is reported, though no process is deadlocked', () => {
    const r = run(unservedRequest());
    expect(r.violations.map((v) => v.invariant)).toEqual(['req-served']);
    const v = r.violations[0]!;
    expect(v.trace.loopsFrom).toBeUndefined();
    expect(v.trace.steps.map((s) => s.label)).toEqual(['send']);
    expect(v.message).toBe('req still pending when nothing can move (after 1 steps)');
  });
});

describe('weak fairness', () => {
  it('B never scheduled while A spins: a violation without fairness, none with weak fairness', () => {
    const unfair = run(spinner(false));
    expect(unfair.violations.map((v) => v.invariant)).toEqual(['req-served']);
    expect(unfair.violations[0]!.trace.steps.map((s) => s.label)).toEqual(['spin']);
    expect(run(spinner(false), { fairness: 'weak' })).toMatchObject({ verdict: 'pass', violations: [] });
    // The unfair lasso, claimed fair, does not confirm: B is enabled all along and never moves.
    const v = unfair.violations[0]!;
    expect(v.trace.fairness).toBeUndefined();
    expect(confirmViolation(spinner(false), { ...v, trace: { ...v.trace, fairness: 'weak' } })).toBe(false);
  });

  it('B scheduled but only ever retrying is a fair cycle: a violation with weak fairness too', () => {
    const r = run(spinner(true), { fairness: 'weak' });
    expect(r.violations.map((v) => v.invariant)).toEqual(['req-served']);
    // The fair cycle moves both processes, which are enabled all along it.
    const cycle = r.violations[0]!.trace.steps.slice(r.violations[0]!.trace.loopsFrom);
    expect(cycle.map((s) => s.process).sort()).toEqual(['A', 'B']);
    // The trace says it is fair, so its confirmation (in run) checked that too.
    expect(r.violations[0]!.trace.fairness).toBe('weak');
  });
});

describe('a fair witness', () => {
  it('a process disabled somewhere in the component is taken through a state where it is disabled', () => {
    // run() confirms the lasso, fairness included: A's spin alone at x = 1 would not confirm.
    const r = run(toggler(), { fairness: 'weak' });
    const v = r.violations[0]!;
    expect([v.invariant, v.trace.fairness]).toEqual(['req-served', 'weak']);
    const cycle = v.trace.steps.slice(v.trace.loopsFrom);
    expect(cycle.filter((s) => s.label === 'flip').length).toBeGreaterThan(0);
  });
});

describe('bounds', () => {
  it('with --all, a safety search cut by the state bound skips liveness and says so', () => {
    const r = explore(endlessCounter(20000), { stopAtFirstViolation: false, liveness: true, maxStates: 50 });
    expect(r.violations.map((v) => v.invariant)).toEqual(['small']);
    expect(r.incomplete).toBe('state bound 50 reached');
    expect(r.warnings).toContain('liveness not checked: the safety search was incomplete');
  });

  it('the liveness search keeps the state bound: the unreduced graph of a symmetric model is larger', () => {
    // counters(3, 2) has 10 states up to symmetry, 27 without; the liveness search is unreduced.
    const model = { ...countersModel(3, 2), liveness: [pendingWhere<Record<string, never>, CounterLocals>((s) => s.procs[0]!.pc !== DONE)] };
    const r = explore(model, { symmetry: true, liveness: true, maxStates: 10 });
    expect(r.states).toBe(10);
    expect(r).toMatchObject({ verdict: 'incomplete', incomplete: 'liveness search: state bound 10 reached' });
    expect(explore(model, { symmetry: true, liveness: true, maxStates: 27 }).verdict).toBe('pass');
  });

  it('and the time bound: what the safety search left of it', () => {
    // 792 states up to symmetry, 6^7 = 279936 without: far more than a second's work.
    const model = { ...countersModel(7, 5), liveness: [pendingWhere<Record<string, never>, CounterLocals>((s) => s.procs[0]!.pc !== DONE)] };
    const t0 = performance.now();
    const r = explore(model, { symmetry: true, liveness: true, timeLimitMs: 1500 });
    expect(r.verdict).toBe('incomplete');
    expect(r.incomplete).toBe('liveness search: time bound 1.5s reached');
    expect(r.livenessGraph!.states).toBeLessThan(279936);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

/**
 * Two identical processes, each going a -> b -> a forever; "busy" is pending while any is at b.
 * Up to symmetry (a, b) and (b, a) are one state, so a cycle of the reduced graph may close at
 * the permuted state.
 */
function symmetricLoops(): Model<None, { n: number }> {
  const p: Program<None, { n: number }> = {
    name: 'loop',
    start: 'a',
    steps: [
      { label: 'a', kernelFn: 'enter', next: 'b' },
      { label: 'b', kernelFn: 'leave', next: 'a' },
    ],
  };
  return {
    name: 'symmetric-loops',
    processes: [
      { name: 'p0', program: p, locals: { n: 0 } },
      { name: 'p1', program: p, locals: { n: 0 } },
    ],
    initial: [{}],
    symmetric: [['p0', 'p1']],
    liveness: [pendingWhere((s) => s.procs.some((x) => x.pc === 'b'))],
  };
}

describe('symmetry', () => {
  it('lassos found with symmetry reduction replay (the cycle search runs unreduced)', () => {
    for (const engine of ['authoring', 'fast'] as const) {
      const r = run(symmetricLoops(), { symmetry: true, engine });
      expect(r.violations.map((v) => v.invariant)).toEqual(['req-served']);
      expect(r.reductions).toContain('symmetry');
    }
  });
});
