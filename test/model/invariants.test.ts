// Every SVM invariant can fail: each has a broken variant (invariants/mutants.ts) that the
// checker catches, while the unpatched protocol on the same configuration does not violate it.

import { describe, expect, it } from 'vitest';
import { explore } from '../../explorer/index.ts';
import { svmInvariants } from '../../invariants/index.ts';
import { MUTANTS, mutantModel } from '../../invariants/mutants.ts';
import { svmModel } from '../../model/build.ts';

describe('mutants', () => {
  it('every invariant has at least one mutant', () => {
    for (const inv of svmInvariants) expect(MUTANTS.map((m) => m.invariant)).toContain(inv.id);
  });

  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s is caught', (_name, m) => {
    const broken = explore(mutantModel(m), { stopAtFirstViolation: false });
    expect(broken.violations.map((v) => v.invariant)).toContain(m.invariant);
    const sound = explore(svmModel(m.name, m.config, m.protocol), { stopAtFirstViolation: false });
    expect(sound.violations.map((v) => v.invariant)).not.toContain(m.invariant);
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
