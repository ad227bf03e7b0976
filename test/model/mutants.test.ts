// Every invariant can fail: each has a broken variant (invariants/mutants.ts) for which the checker
// reports that very invariant, with a trace that replays to a state (or transition, or cycle)
// where it fails; the unpatched protocol on the same configuration does not violate it.

import { describe, expect, it } from 'vitest';
import { BUILTIN_PROPERTIES, confirmViolation, explore } from '../../explorer/index.ts';
import { svmInvariants } from '../../invariants/index.ts';
import { MUTANTS, mutantModel, soundModel } from '../../invariants/mutants.ts';

describe('the mutant list', () => {
  it('covers every invariant, the engine properties and the liveness property', () => {
    const targets = new Set(MUTANTS.map((m) => m.invariant));
    const all = [...svmInvariants('clear').map((i) => i.id), ...BUILTIN_PROPERTIES.map((p) => p.id), 'faults-terminate', 'cpu-faults-terminate'];
    expect(all.filter((id) => !targets.has(id))).toEqual([]);
    expect([...targets].filter((id) => !all.includes(id))).toEqual([]);
  });
});

describe.each(MUTANTS.map((m) => [m.name, m] as const))('%s', (_name, m) => {
  const opts = { stopAtFirstViolation: false, liveness: m.liveness ?? false };

  it(`is caught as ${m.invariant}, with a trace that ends where ${m.invariant} fails`, () => {
    const model = mutantModel(m);
    const r = explore(model, opts);
    const v = r.violations.find((x) => x.invariant === m.invariant);
    expect(v, `reported: ${r.violations.map((x) => x.invariant).join(', ') || 'nothing'}`).toBeDefined();
    expect(confirmViolation(model, v!)).toBe(true);
  });

  it(`the unpatched protocol does not violate ${m.invariant} on the same configuration`, () => {
    const r = explore(soundModel(m), opts);
    expect(r.incomplete).toBeUndefined();
    expect(r.violations.map((x) => x.invariant)).not.toContain(m.invariant);
  });
});

describe('confirmViolation', () => {
  it('rejects a trace that does not end where the property fails', () => {
    const m = MUTANTS.find((x) => x.invariant === 'no-stale-pte')!;
    const model = mutantModel(m);
    const v = explore(model, { stopAtFirstViolation: false }).violations.find((x) => x.invariant === 'no-stale-pte')!;
    const shorter = { ...v, trace: { ...v.trace, steps: v.trace.steps.slice(0, -1) } };
    expect(confirmViolation(model, v)).toBe(true);
    expect(confirmViolation(model, shorter)).toBe(false);
  });
});

describe('patches', () => {
  it('an unknown program or label is an input error naming it', () => {
    const m = MUTANTS[0]!;
    expect(() => mutantModel({ ...m, patches: [{ program: 'invalidate', label: 'nope', replace: {} }] })).toThrow('program invalidate has no step nope');
    expect(() => mutantModel({ ...m, patches: [{ program: 'nope', label: 'x', replace: {} }] })).toThrow('has no program nope');
  });

  it('removing a step reroutes what went to it', () => {
    const m = MUTANTS[0]!;
    const model = mutantModel({ ...m, patches: [{ program: 'invalidate', label: 'event_begin', remove: true }] });
    const r = explore(model, { stopAtFirstViolation: false });
    expect(Object.keys(r.coverage.steps)).not.toContain('invalidate/event_begin');
    expect(r.violations.map((v) => v.invariant)).toContain('no-stale-pte');
  });
});

describe('the liveness mutants are livelocks, not starvation', () => {
  // Under weak fairness a cycle counts only if every process always enabled on it also moves:
  // these faults retry forever while scheduled, so they are caught with fairness too.
  it.each(MUTANTS.filter((m) => m.liveness).map((m) => [m.name, m] as const))('%s is caught with weak fairness', (_name, m) => {
    const model = mutantModel(m);
    const r = explore(model, { stopAtFirstViolation: false, liveness: true, fairness: 'weak' });
    const v = r.violations.find((x) => x.invariant === m.invariant);
    expect(v?.trace.loopsFrom).toBeDefined();
    expect(confirmViolation(model, v!)).toBe(true);
  });
});
