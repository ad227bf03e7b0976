// Step semantics on tiny models whose every state is listed in the comments: choices,
// either/or locations, lock modes, the built-in lock properties, action properties, several
// initial states, compile-time errors.

import { describe, expect, it } from 'vitest';
import { DONE, explore, InputError, type Model, type Program } from '../../explorer/index.ts';

interface G {
  x: number;
}
type L = Record<string, never>;

function model(programs: Program<G, L>[], extra: Partial<Model<G, L>> = {}): Model<G, L> {
  return {
    name: 'tiny',
    locks: [
      { name: 'm', kind: 'mutex' },
      { name: 'rw', kind: 'rwsem' },
    ],
    processes: programs.map((program, i) => ({ name: `p${i}`, program, locals: {} })),
    initial: [{ x: 0 }],
    ...extra,
  };
}

describe('nondeterminism', () => {
  it('choices: one transition per value; states {x=0 at pick} + 3 x {x=v, done} = 4', () => {
    const pick: Program<G, L> = {
      name: 'pick',
      start: 'pick',
      steps: [{ label: 'pick', kernelFn: 'x = v', choices: () => [1, 2, 3], effect: (g, _l, c) => void (g.x = c.choice), next: DONE }],
    };
    const r = explore(model([pick]));
    expect(r).toMatchObject({ verdict: 'pass', states: 4, transitions: 3, maxDepth: 1 });
  });

  it('either/or: two steps at one location are both explored', () => {
    const branch: Program<G, L> = {
      name: 'branch',
      start: 'go',
      steps: [
        { label: 'left', at: 'go', kernelFn: 'x = 1', effect: (g) => void (g.x = 1), next: DONE },
        { label: 'right', at: 'go', kernelFn: 'x = 2', effect: (g) => void (g.x = 2), next: DONE },
      ],
    };
    const r = explore(model([branch]));
    expect(r).toMatchObject({ states: 3, transitions: 2 });
    expect(r.coverage.steps).toEqual({ 'branch/left': 1, 'branch/right': 1 });
  });

  it('next evaluated on the state after the effect', () => {
    const loop: Program<G, L> = {
      name: 'loop',
      start: 'inc',
      steps: [{ label: 'inc', kernelFn: 'x++', effect: (g) => void g.x++, next: (g) => (g.x < 3 ? 'inc' : DONE) }],
    };
    expect(explore(model([loop]))).toMatchObject({ states: 4, transitions: 3, maxDepth: 3 });
  });

  it('several initial states are each explored, and the trace names its start', () => {
    const check: Program<G, L> = { name: 'check', start: 'look', steps: [{ label: 'look', kernelFn: 'look', next: DONE }] };
    const r = explore(
      model([check], {
        initial: [{ x: 0 }, { x: 5 }],
        invariants: [{ kind: 'state', id: 'small', statement: 'x < 5', holds: (s) => s.g.x < 5 }],
      }),
    );
    expect(r.verdict).toBe('violation');
    expect(r.violations[0]!.trace).toEqual({ initial: 1, steps: [] });
  });
});

describe('locks', () => {
  const reader = (name: string): Program<G, L> => ({
    name,
    start: 'lock',
    steps: [
      { label: 'lock', kernelFn: 'down_read', locks: [{ op: 'acquire', lock: 'rw', mode: 'read' }], next: 'unlock' },
      { label: 'unlock', kernelFn: 'up_read', locks: [{ op: 'release', lock: 'rw', mode: 'read' }], next: DONE },
    ],
  });
  const writer: Program<G, L> = {
    name: 'writer',
    start: 'lock',
    steps: [
      { label: 'lock', kernelFn: 'down_write', locks: [{ op: 'acquire', lock: 'rw', mode: 'write' }], next: 'unlock' },
      { label: 'unlock', kernelFn: 'up_write', locks: [{ op: 'release', lock: 'rw', mode: 'write' }], next: DONE },
    ],
  };

  it('two readers share an rwsem: all 3x3 = 9 position pairs are reachable', () => {
    expect(explore(model([reader('r0'), reader('r1')]))).toMatchObject({ verdict: 'pass', states: 9 });
  });

  it('a writer excludes a reader: the pair (both holding) is unreachable, 9 - 1 = 8 states', () => {
    expect(explore(model([reader('r0'), writer]))).toMatchObject({ verdict: 'pass', states: 8 });
  });

  it('releasing a lock not held breaks lock-balance, with the step in the trace', () => {
    const bad: Program<G, L> = {
      name: 'bad',
      start: 'unlock',
      steps: [{ label: 'unlock', kernelFn: 'mutex_unlock', locks: [{ op: 'release', lock: 'm', mode: 'write' }], next: DONE }],
    };
    const r = explore(model([bad]));
    expect(r.violations[0]).toMatchObject({ invariant: 'lock-balance', message: 'p0 unlock releases m (write) which it does not hold in that mode' });
    expect(r.violations[0]!.trace.steps.map((s) => s.label)).toEqual(['unlock']);
  });

  it('releasing in the wrong mode breaks lock-balance', () => {
    const bad: Program<G, L> = {
      name: 'bad',
      start: 'lock',
      steps: [
        { label: 'lock', kernelFn: 'down_read', locks: [{ op: 'acquire', lock: 'rw', mode: 'read' }], next: 'unlock' },
        { label: 'unlock', kernelFn: 'up_write', locks: [{ op: 'release', lock: 'rw', mode: 'write' }], next: DONE },
      ],
    };
    expect(explore(model([bad])).violations[0]!.invariant).toBe('lock-balance');
  });

  it('taking a lock already held (recursive read of an rwsem, as lockdep sees it) breaks lock-balance', () => {
    const twice: Program<G, L> = {
      name: 'twice',
      start: 'a',
      steps: [
        { label: 'a', kernelFn: 'down_read', locks: [{ op: 'acquire', lock: 'rw', mode: 'read' }], next: 'b' },
        { label: 'b', kernelFn: 'down_read', locks: [{ op: 'acquire', lock: 'rw', mode: 'read' }], next: DONE },
      ],
    };
    const r = explore(model([twice]));
    expect(r.violations[0]).toMatchObject({ invariant: 'lock-balance', message: 'p0 b takes rw (read) already held by itself (read)' });
  });

  it('finishing with a lock held breaks lock-held-at-end', () => {
    const leak: Program<G, L> = {
      name: 'leak',
      start: 'lock',
      steps: [{ label: 'lock', kernelFn: 'mutex_lock', locks: [{ op: 'acquire', lock: 'm', mode: 'write' }], next: DONE }],
    };
    expect(explore(model([leak])).violations[0]).toMatchObject({ invariant: 'lock-held-at-end', message: 'p0 finishes holding m' });
  });

  it('a process idle at an end label is no deadlock; blocked elsewhere it is', () => {
    const worker: Program<G, L> = {
      name: 'worker',
      start: 'idle',
      endLabels: ['idle'],
      steps: [{ label: 'idle', kernelFn: 'wait_for_work', guard: (g) => g.x > 0, next: DONE }],
    };
    expect(explore(model([worker])).verdict).toBe('pass');
    const stuck: Program<G, L> = { ...worker, endLabels: [] };
    const r = explore(model([stuck]));
    expect(r.violations[0]).toMatchObject({ invariant: 'deadlock', message: 'no step enabled; p0 at idle: guard of idle false' });
    expect(explore(model([stuck], { checkDeadlock: false })).verdict).toBe('pass');
  });
});

describe('action properties', () => {
  it('are judged on every transition, and the trace ends with the offending step', () => {
    const two: Program<G, L> = {
      name: 'two',
      start: 'a',
      steps: [
        { label: 'a', kernelFn: 'x = 1', effect: (g) => void (g.x = 1), next: 'b' },
        { label: 'b', kernelFn: 'x = 5', effect: (g) => void (g.x = 5), next: DONE },
      ],
    };
    const r = explore(
      model([two], {
        invariants: [{ kind: 'action', id: 'small-steps', statement: 'x grows by at most 1', holds: (b, a) => a.g.x - b.g.x <= 1 }],
      }),
    );
    expect(r.violations[0]!.invariant).toBe('small-steps');
    expect(r.violations[0]!.trace.steps.map((s) => s.label)).toEqual(['a', 'b']);
  });
});

describe('models that cannot run are input errors', () => {
  const ok: Program<G, L> = { name: 'ok', start: 'a', steps: [{ label: 'a', kernelFn: 'f', next: DONE }] };
  it.each([
    ['unknown lock', { ...ok, steps: [{ ...ok.steps[0]!, locks: [{ op: 'acquire', lock: 'nope', mode: 'write' }] }] }, /unknown lock nope/],
    ['read mode on a mutex', { ...ok, steps: [{ ...ok.steps[0]!, locks: [{ op: 'acquire', lock: 'm', mode: 'read' }] }] }, /m is a mutex, it has no read mode/],
    ['next names no location', { ...ok, steps: [{ ...ok.steps[0]!, next: 'nowhere' }] }, /next nowhere is no location/],
    ['start names no location', { ...ok, start: 'nowhere' }, /start nowhere is no location/],
    ['duplicate label', { ...ok, steps: [ok.steps[0]!, ok.steps[0]!] }, /label used twice/],
  ] as [string, Program<G, L>, RegExp][])('%s', (_name, program, message) => {
    expect(() => explore(model([program]))).toThrow(InputError);
    expect(() => explore(model([program]))).toThrow(message);
  });

  it('a computed next that names no location is reported when taken', () => {
    const bad: Program<G, L> = { name: 'bad', start: 'a', steps: [{ label: 'a', kernelFn: 'f', next: () => 'nowhere' }] };
    expect(() => explore(model([bad]))).toThrow(/step a: next nowhere is no location/);
  });
});

describe('downgrade (downgrade_write)', () => {
  // p0: take rw for write, downgrade it to read, release the read hold. p1: take rw for write,
  // set x = 1, release. p1's writer can never run between p0's write hold and its read hold.
  const downgrader: Program<G, L> = {
    name: 'downgrader',
    start: 'lock',
    steps: [
      { label: 'lock', kernelFn: 'down_write', locks: [{ op: 'acquire', lock: 'rw', mode: 'write' }], next: 'downgrade' },
      { label: 'downgrade', kernelFn: 'downgrade_write', locks: [{ op: 'downgrade', lock: 'rw', mode: 'read' }], next: 'check' },
      { label: 'check', kernelFn: 'x still 0', effect: (g) => void (g.x = g.x === 0 ? 2 : 3), next: 'unlock' },
      { label: 'unlock', kernelFn: 'up_read', locks: [{ op: 'release', lock: 'rw', mode: 'read' }], next: DONE },
    ],
  };
  const writer: Program<G, L> = {
    name: 'writer',
    start: 'w',
    steps: [{ label: 'w', kernelFn: 'down_write; x = 1; up_write', locks: [{ op: 'acquire', lock: 'rw', mode: 'write' }, { op: 'release', lock: 'rw', mode: 'write' }], effect: (g) => void (g.x = 1), next: DONE }],
  };

  it('keeps the lock held: no writer gets in between, so check always sees x = 0 unless the writer ran first', () => {
    // States: the writer runs before p0's lock (then check sees 1 -> 3), or after p0's unlock
    // (check saw 0 -> 2, then x = 1). Never in between: x = 3 only if the writer went first.
    const r = explore(model([downgrader, writer]), { stopAtFirstViolation: false });
    expect(r.verdict).toBe('pass');
    // (p0, writer, x): (lock, w, 0); writer first: (lock, done, 1), (downgrade, done, 1),
    // (check, done, 1), (unlock, done, 3), (done, done, 3); p0 first, the writer blocked by the
    // write hold and then by the read hold: (downgrade, w, 0), (check, w, 0), (unlock, w, 2),
    // (done, w, 2), (done, done, 1). 11 states; none with the writer done and x = 1 at check
    // after p0 took the lock.
    expect(r.states).toBe(11);
  });

  it('without a write hold is a lock-balance violation', () => {
    const bad: Program<G, L> = { name: 'bad', start: 'd', steps: [{ label: 'd', kernelFn: 'downgrade_write', locks: [{ op: 'downgrade', lock: 'rw', mode: 'read' }], next: DONE }] };
    const r = explore(model([bad]));
    expect(r.violations.map((v) => v.invariant)).toEqual(['lock-balance']);
  });

  it('of a mutex is refused when the model is compiled', () => {
    const bad: Program<G, L> = { name: 'bad', start: 'd', steps: [{ label: 'd', kernelFn: 'downgrade', locks: [{ op: 'downgrade', lock: 'm', mode: 'read' }], next: DONE }] };
    expect(() => explore(model([bad]))).toThrow(InputError);
  });
});
